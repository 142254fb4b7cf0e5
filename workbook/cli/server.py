"""The Jupyter server behind ``career-workbook lab`` and ``app``: ``python -m workbook.cli.server lab|voila ARGS``.

Started by :mod:`workbook.cli.launch` (lab) and :mod:`workbook.cli.app` (the
app), never by hand. The token arrives in the environment
(:data:`~workbook.app_session.TOKEN_ENV_VAR`, readable by this account only),
never on a command line where every account could read it in ``ps``. It is
handed to Jupyter Server inside this process as a command-line setting, so a
Jupyter configuration file cannot replace or empty it.

Two additions to the server:

- ``/career-workbook/identify?challenge=C`` answers ``HMAC(token, C)``, so the
  command that started the server can tell it apart from another program
  listening on the same port, without sending the token anywhere
  (:func:`workbook.cli.launch.proof`).
- In the app, Voilà's ``/voila/query/<kernel id>`` websocket (through which a
  kernel started ahead of time learns that a person opened its page) accepts
  only connections that present the token; Voilà's own handler answers
  anyone. The request it passes on loses its ``token`` parameter.
"""

from __future__ import annotations

import os
import sys
from typing import Any
from urllib.parse import parse_qsl, urlencode

from ..app_session import TOKEN_ENV_VAR
from .launch import IDENTIFY_PATH, proof


def _identify_handler() -> type:
    import tornado.web
    from jupyter_server.auth.decorator import allow_unauthenticated

    class IdentifyHandler(tornado.web.RequestHandler):
        """Proves that this server was started with the token, without revealing it."""

        def initialize(self, token: str) -> None:
            self._token = token

        @allow_unauthenticated
        def get(self) -> None:
            challenge = self.get_query_argument("challenge", "")
            if not 16 <= len(challenge) <= 128 or not challenge.isalnum():
                raise tornado.web.HTTPError(400)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(proof(self._token, challenge))

    return IdentifyHandler


def without_token(query: str) -> str:
    """A query string with its ``token`` parameter removed."""
    return urlencode([(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "token"])


def _visit_socket() -> type:
    from jupyter_server.auth.decorator import ws_authenticated
    from jupyter_server.base.handlers import JupyterHandler
    from voila.request_info_handler import RequestInfoSocketHandler

    class VisitSocket(RequestInfoSocketHandler, JupyterHandler):
        """Voilà's request-info websocket, for holders of the token only.

        It shares Voilà's class-level waiters and cache, so Voilà's page handler
        reaches it as it reaches its own.
        """

        def set_default_headers(self) -> None:
            """No page headers on a websocket (as Jupyter Server's own websockets)."""

        async def prepare(self, *args: Any, **kwargs: Any) -> None:
            """Without the token: 403, not a redirect to the login page (as Jupyter Server's own websockets)."""
            await super().prepare(_redirect_to_login=False)

        @ws_authenticated
        async def get(self, *args: Any, **kwargs: Any) -> None:
            opening = super().get(*args, **kwargs)
            if opening is not None:
                await opening

        def write_message(self, message: Any, binary: bool = False) -> Any:
            if isinstance(message, dict) and "QUERY_STRING" in message:
                message = {**message, "QUERY_STRING": without_token(str(message["QUERY_STRING"]))}
            return super().write_message(message, binary)

    return VisitSocket


def run_lab(args: list[str], token: str) -> None:
    from jupyter_server.utils import url_path_join
    from jupyterlab.labapp import LabApp

    serverapp = LabApp.initialize_server(argv=[*args, f"--IdentityProvider.token={token}"])
    route = url_path_join(serverapp.base_url, IDENTIFY_PATH)
    serverapp.web_app.add_handlers(".*$", [(route, _identify_handler(), {"token": token})])
    # Jupyter prints "?token=..." for a token it did not generate; this one is ours to show.
    serverapp.identity_provider.token_generated = True
    serverapp.start()


def run_voila(args: list[str], token: str) -> None:
    from voila.app import Voila
    from voila.request_info_handler import RequestInfoSocketHandler

    identify, visits = _identify_handler(), _visit_socket()

    class SecuredVoila(Voila):
        def init_handlers(self) -> list:
            handlers = [
                (rule[0], visits, *rule[2:]) if rule[1] is RequestInfoSocketHandler else rule
                for rule in super().init_handlers()
            ]
            return [(f"{self.server_url.rstrip('/')}{IDENTIFY_PATH}", identify, {"token": token}), *handlers]

    SecuredVoila.launch_instance(argv=[*args, f"--Voila.token={token}"])


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    token = os.environ.get(TOKEN_ENV_VAR, "")
    if not args or args[0] not in ("lab", "voila") or len(token) < 32:
        sys.exit(f"usage: {TOKEN_ENV_VAR}=<token> python -m workbook.cli.server lab|voila ARGS (started by the CLI)")
    kind, rest = args[0], args[1:]
    if kind == "lab":
        del os.environ[TOKEN_ENV_VAR]  # JupyterLab's kernels and terminals have no use for it
        run_lab(rest, token)
    else:  # kept for the app's kernels: they present it to the request-info websocket
        run_voila(rest, token)


if __name__ == "__main__":
    main()
