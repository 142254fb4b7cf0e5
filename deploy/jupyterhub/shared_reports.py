"""The masked reports people chose to share, served to coaches by the hub (a hub-managed service).

Each person has ``/srv/career-workbook/shared-reports/<person>/`` (their own folder; in their server it
is ``~/career-workbook/shared-reports``). What they save there with
``career-workbook report -o ~/career-workbook/shared-reports/report.html`` (or notebook 07's form)
can be read here by:

- coaches: members of the Unix group ``career-coaches`` (the hub's ``coach`` role lets them reach
  this service; the group is checked again here on every request),
- the person themself.

Nobody else, and nothing but the masked report: an HTML file that Career Workbook wrote without
contacts' names (its head says ``<meta name="career-workbook-contacts" content="masked">``), a
regular file owned by the person with one link. Exports (CSV, Excel), calendars, workbooks, reports
with names, links and anything else are not listed and answer 404, whatever they are called.

The service runs as an account of its own (``career-reports``), never as root. It reads the shared
folders through its group: each folder is the person's, group ``career-reports``, mode 2750, and
the package makes only a report without names readable by that group (0640); everything else a
person puts there stays 0600, so the operating system refuses it to this service too. Each file is
opened without following links and checked after opening. HTML is served sandboxed (no scripts, no
requests to the hub).

JupyterHub starts it (see jupyterhub_config.py) with ``JUPYTERHUB_SERVICE_URL``,
``JUPYTERHUB_SERVICE_PREFIX`` and ``JUPYTERHUB_API_TOKEN``; ``CAREER_HUB_SHARED`` is the folder and
``CAREER_HUB_COACH_GROUP`` the Unix group of coaches.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import grp
import html
import os
import re
import signal
import stat
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlparse

from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join
from tornado import web

SHARED = Path(os.environ.get("CAREER_HUB_SHARED", "/srv/career-workbook/shared-reports"))
COACH_GROUP = os.environ.get("CAREER_HUB_COACH_GROUP", "career-coaches")
MAX_BYTES = 50 * 1024 * 1024
#: The head of a report, where its marks are, lies within its first bytes.
HEAD_BYTES = 32768
NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}$")
#: A report cannot run scripts, load anything from elsewhere, or talk to the hub in the coach's name.
SANDBOX = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:"
NOT_SHARED = "only reports without names, saved by Career Workbook, are shared here"


class Refused(web.HTTPError):
    pass


def _owner_folder(person: str) -> tuple[Path, int]:
    if not NAME.match(person):
        raise Refused(404)
    folder = SHARED / person
    try:
        info = os.lstat(folder)
    except (FileNotFoundError, PermissionError):
        raise Refused(404, "nothing shared") from None
    if not stat.S_ISDIR(info.st_mode):
        raise Refused(404)
    return folder, info.st_uid


class _Head(HTMLParser):
    """The doctype and the ``<meta name=... content=...>`` pairs of a page's head."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.doctype = ""
        self.meta: dict[str, str] = {}
        self.started = False  # anything but the doctype seen
        self.ended = False

    def handle_decl(self, decl):
        if not self.started:
            self.doctype = decl.strip().lower()

    def handle_starttag(self, tag, attrs):
        self.started = True
        if tag == "meta" and not self.ended:
            values = dict(attrs)
            if values.get("name"):
                self.meta.setdefault(values["name"], values.get("content") or "")
        elif tag == "body":
            self.ended = True

    def handle_endtag(self, tag):
        if tag == "head":
            self.ended = True


def is_masked_report(data: bytes) -> bool:
    """Whether ``data`` is a Career Workbook report without names (judged by its head)."""
    head = data[:HEAD_BYTES].decode("utf-8", errors="replace")
    parser = _Head()
    parser.feed(head)
    return (
        parser.doctype == "doctype html"
        and parser.ended
        and parser.meta.get("generator") == "Career Workbook"
        and parser.meta.get("career-workbook-contacts") == "masked"
    )


def _read(folder: Path, owner: int, name: str, limit: int) -> bytes:
    """Up to ``limit`` bytes of a shared file, after the checks that need no content; :class:`Refused` otherwise."""
    if not NAME.match(name) or os.path.splitext(name)[1].lower() != ".html":
        raise Refused(404, NOT_SHARED)
    try:
        fd = os.open(folder / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:  # missing, a link, or not readable by this service (the person kept it private)
        raise Refused(404, NOT_SHARED) from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != owner or info.st_nlink != 1:
            raise Refused(404, NOT_SHARED)
        if info.st_size > MAX_BYTES:
            raise Refused(413)
        return fh.read(limit)


def read_report(person: str, name: str) -> bytes:
    """The bytes of a shared report, after every check; :class:`Refused` otherwise."""
    folder, owner = _owner_folder(person)
    data = _read(folder, owner, name, MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise Refused(413)
    if not is_masked_report(data):
        raise Refused(404, NOT_SHARED)
    return data


def list_reports(person: str) -> list[tuple[str, int, float]]:
    """The reports of ``person`` that :func:`read_report` would serve: (name, size, modified), newest first."""
    folder, owner = _owner_folder(person)
    found = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        try:
            info = entry.stat(follow_symlinks=False)
            if is_masked_report(_read(folder, owner, entry.name, HEAD_BYTES)):
                found.append((entry.name, info.st_size, info.st_mtime))
        except (OSError, web.HTTPError):
            continue
    return sorted(found, key=lambda f: -f[2])


def is_coach(name: str) -> bool:
    """A member of the Unix group of coaches, asked on every request (a removed coach loses access at once)."""
    try:
        return name in grp.getgrnam(COACH_GROUP).gr_mem
    except KeyError:
        return False


class Base(HubOAuthenticated, web.RequestHandler):
    async def viewer(self) -> tuple[str, bool]:
        user = self.current_user
        if not user or user.get("kind", "user") != "user":
            raise web.HTTPError(403)
        return user["name"], is_coach(user["name"])

    def set_default_headers(self):
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")

    def page(self, title: str, body: str):
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        self.finish(
            f"<!doctype html><html lang='en'><meta charset='utf-8'><title>{html.escape(title)}</title>"
            "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto}td{padding:.2em 1em}</style>"
            f"<h1>{html.escape(title)}</h1>{body}</html>"
        )


def _when(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M")


class Index(Base):
    @web.authenticated
    async def get(self):
        name, coach = await self.viewer()
        people = sorted(p for p in os.listdir(SHARED) if NAME.match(p)) if coach else [name]
        rows = []
        for person in people:
            try:
                reports = list_reports(person)
            except web.HTTPError:
                reports = []
            if reports or not coach:
                latest = _when(reports[0][2]) if reports else "nothing shared yet"
                rows.append(
                    f"<tr><td><a href='{html.escape(quote(person))}/'>{html.escape(person)}</a></td>"
                    f"<td>{len(reports)} file(s)</td><td>{latest}</td></tr>"
                )
        intro = (
            "Reports people chose to share with their coach." if coach else
            "What you share with your coach: reports without names that you save in "
            "<code>~/career-workbook/shared-reports</code>."
        )  # fmt: skip
        self.page("Shared reports", f"<p>{intro}</p><table>{''.join(rows) or '<tr><td>none yet</td></tr>'}</table>")


class Person(Base):
    @web.authenticated
    async def get(self, person: str, name: str | None):
        viewer, coach = await self.viewer()
        if not (coach or viewer == person):
            raise web.HTTPError(403, "only coaches and the person themself see these reports")
        if not name:
            rows = "".join(
                f"<tr><td><a href='{html.escape(quote(f))}'>{html.escape(f)}</a></td>"
                f"<td>{size // 1024 + 1} KB</td><td>{_when(mtime)}</td></tr>"
                for f, size, mtime in list_reports(person)
            )
            self.page(f"Shared by {person}", f"<table>{rows or '<tr><td>nothing shared yet</td></tr>'}</table>")
            return
        data = read_report(person, name)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Content-Security-Policy", SANDBOX)
        self.finish(data)


class Slash(web.RequestHandler):
    def get(self):
        self.redirect(self.request.path + "/")


def make_app() -> web.Application:
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/shared-reports/")
    return web.Application(
        [
            (prefix, Index),
            (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
            (url_path_join(prefix, r"([^/]+)/([^/]*)"), Person),
            (url_path_join(prefix, r"[^/]+"), Slash),
        ],
        cookie_secret=os.urandom(32),
        xsrf_cookies=False,
    )


async def main():
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101"))
    server = make_app().listen(url.port, url.hostname)
    # The hub stops its services with SIGINT, then SIGTERM; answer both even when started from a
    # shell that ignores SIGINT for background jobs.
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    await stop.wait()
    server.stop()


if __name__ == "__main__":
    asyncio.run(main())
