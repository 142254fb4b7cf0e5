"""A stand-in for a university's single sign-on: an OAuth 2 identity provider on loopback.

Whoever :attr:`IdentityProvider.next_user` names is signed in at the next visit of ``/authorize``
(no form): the provider answers with a code, exchanges it for a token at ``/token`` and says who the
token belongs to at ``/userinfo`` (``preferred_username``), as an OpenID Connect provider does. It
knows nothing of the machine's accounts: what the hub lets in is the hub's business.

Plain Python (stdlib): no pytest here. ``with IdentityProvider() as idp: ...`` stops it.
"""

from __future__ import annotations

import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import parse_qs, urlencode, urlsplit

STOP_S = 10


class IdentityProvider:
    def __init__(self):
        self.next_user = ""
        self.client_id = "career-hub-test"
        self.client_secret = secrets.token_hex(16)
        self._codes: dict[str, str] = {}
        self._tokens: dict[str, str] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def site_settings(self, cls: str = "LocalGenericOAuthenticator") -> str:
        """The lines a centre copies from its provider into the site file (the README's placeholders)."""
        return "\n".join(
            f"c.{cls}.{name} = {value!r}"
            for name, value in (
                ("client_id", self.client_id),
                ("client_secret", self.client_secret),
                ("authorize_url", f"{self.url}/authorize"),
                ("token_url", f"{self.url}/token"),
                ("userdata_url", f"{self.url}/userinfo"),
            )
        )

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _json(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/authorize":
                    code = secrets.token_hex(16)
                    idp._codes[code] = idp.next_user
                    back = urlencode({"code": code, "state": query.get("state", "")})
                    self.send_response(302)
                    self.send_header("Location", f"{query['redirect_uri']}?{back}")
                    self.end_headers()
                elif url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
                    if token not in idp._tokens:
                        self._json(401, {"error": "invalid_token"})
                    else:
                        name = idp._tokens[token]
                        self._json(200, {"sub": name, "preferred_username": name})
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if urlsplit(self.path).path != "/token" or form.get("code") not in idp._codes:
                    self._json(400, {"error": "invalid_grant"})
                    return
                token = secrets.token_hex(16)
                idp._tokens[token] = idp._codes.pop(form["code"])
                self._json(200, {"access_token": token, "token_type": "Bearer", "scope": "openid"})

        return Handler

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=STOP_S)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
