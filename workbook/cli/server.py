"""The Jupyter server behind ``career-workbook lab`` and ``app``: ``python -m workbook.cli.server lab|voila ARGS``.

Started by :mod:`workbook.cli.launch` (lab) and :mod:`workbook.cli.app` (the
app), never by hand. The token arrives in the environment
(:data:`~workbook.app_session.TOKEN_ENV_VAR`, readable by this account only),
never on a command line where every account could read it in ``ps``. It is
handed to Jupyter Server inside this process as a command-line setting, so a
Jupyter configuration file cannot replace or empty it.

Additions to the server:

- ``/career-workbook/identify?challenge=C`` answers ``HMAC(token, C)``, so the
  command that started the server can tell it apart from another program
  listening on the same port, without sending the token anywhere
  (:func:`workbook.cli.launch.proof`).
- In the app: the page's kernel learns of the request (its ``?step=``) without
  the token; Voilà's ``/voila/query/<kernel id>`` websocket, which answers anyone
  and is only needed for kernels started ahead of a visit, is not served at all
  (the app starts none); and an address of the earlier app, one page per
  notebook (``/voila/render/06_compare_paths.ipynb``), leads to that step of the
  one page (``/?step=06-compare-paths``).
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


#: The address of a step in the earlier app, one page per notebook: ``/voila/render/06_compare_paths.ipynb``.
STEP_PAGE = r"/voila/render/(\d\d_[A-Za-z0-9_]+)\.ipynb"


def _step_redirect() -> type:
    import tornado.web

    from ..app_session import STEP_PARAM

    class StepRedirect(tornado.web.RequestHandler):
        """Sends an address of the earlier one-page-per-notebook app to that step of the app page."""

        def initialize(self, page: str) -> None:
            self._page = page

        def get(self, name: str) -> None:
            kept = [(k, v) for k, v in parse_qsl(self.request.query, keep_blank_values=True) if k != STEP_PARAM]
            step = name.replace("_", "-").lower()  # 06_compare_paths -> 06-compare-paths: number and name, unambiguous
            self.redirect(f"{self._page}?{urlencode([(STEP_PARAM, step), *kept])}")

    return StepRedirect


def without_token(query: str) -> str:
    """A query string with its ``token`` parameter removed."""
    return urlencode([(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "token"])


def _page_handler() -> type:
    from voila.tornado.handler import TornadoVoilaHandler

    class PageHandler(TornadoVoilaHandler):
        """Voilà's page, whose kernel is told of the request without the token.

        Voilà puts the request's query string and address in the new kernel's
        environment; once the request has been let in, the token has no
        business there.
        """

        async def get_generator(self, path: str | None = None) -> Any:
            request = self.request
            if "token" in request.arguments:
                request.query = without_token(request.query)
                request.uri = f"{request.path}?{request.query}" if request.query else request.path
            async for part in super().get_generator(path=path):
                yield part

    return PageHandler


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
    from voila.tornado.handler import TornadoVoilaHandler

    identify, page, steps = _identify_handler(), _page_handler(), _step_redirect()

    class SecuredVoila(Voila):
        def init_handlers(self) -> list:
            handlers = [
                (rule[0], page, *rule[2:]) if rule[1] is TornadoVoilaHandler else rule
                for rule in super().init_handlers()
                if rule[1] is not RequestInfoSocketHandler  # it answers anyone; the app starts no kernel ahead
            ]
            base = self.server_url.rstrip("/")
            return [
                (f"{base}{IDENTIFY_PATH}", identify, {"token": token}),
                (f"{base}{STEP_PAGE}", steps, {"page": f"{base}/"}),
                *handlers,
            ]

    SecuredVoila.launch_instance(argv=[*args, f"--Voila.token={token}"])


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    token = os.environ.get(TOKEN_ENV_VAR, "")
    if not args or args[0] not in ("lab", "voila") or len(token) < 32:
        sys.exit(f"usage: {TOKEN_ENV_VAR}=<token> python -m workbook.cli.server lab|voila ARGS (started by the CLI)")
    kind, rest = args[0], args[1:]
    del os.environ[TOKEN_ENV_VAR]  # the kernels (and lab's terminals) have no use for it
    if kind == "lab":
        run_lab(rest, token)
    else:
        run_voila(rest, token)


if __name__ == "__main__":
    main()
