"""The reports people chose to share, served to coaches by the hub (a hub-managed service).

Each person has ``/srv/career-workbook/shared-reports/<person>/`` (their own folder, mode 0700; in
their server it is ``~/career-workbook/shared-reports``). What they put there — usually
``career-workbook report -o ~/career-workbook/shared-reports/report.html`` — can be read here by:

- coaches: members of the Unix group ``career-coaches`` (the hub's ``coach`` role lets them reach
  this service; the group is checked again here on every request),
- the person themself.

Nobody else, and never a workbook: only report-like files (HTML, PDF, CSV, Excel, calendar, PNG)
owned by the person, with one link, that are not SQLite files, are served, whatever their name.
The service runs as root (it reads 0700 folders), so each file is opened without following links and
checked after opening. HTML is served sandboxed (no scripts, no requests to the hub).

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
from pathlib import Path
from urllib.parse import quote, urlparse

from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join
from tornado import web

SHARED = Path(os.environ.get("CAREER_HUB_SHARED", "/srv/career-workbook/shared-reports"))
COACH_GROUP = os.environ.get("CAREER_HUB_COACH_GROUP", "career-coaches")
MAX_BYTES = 50 * 1024 * 1024
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".pdf": "application/pdf",
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ics": "text/calendar; charset=utf-8",
    ".png": "image/png",
}
SQLITE_MAGIC = b"SQLite format 3\x00"
NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}$")
#: A report cannot run scripts, load anything from elsewhere, or talk to the hub in the coach's name.
SANDBOX = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:"


class Refused(web.HTTPError):
    pass


def _owner_folder(person: str) -> tuple[Path, int]:
    if not NAME.match(person):
        raise Refused(404)
    folder = SHARED / person
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        raise Refused(404, "nothing shared") from None
    if not stat.S_ISDIR(info.st_mode):
        raise Refused(404)
    return folder, info.st_uid


def read_report(person: str, name: str) -> tuple[bytes, str]:
    """The bytes and content type of a shared file, after every check; :class:`Refused` otherwise."""
    folder, owner = _owner_folder(person)
    suffix = os.path.splitext(name)[1].lower()
    if not NAME.match(name) or suffix not in TYPES:
        raise Refused(404, "only reports are shared here (HTML, PDF, CSV, Excel, calendar, PNG)")
    try:
        fd = os.open(folder / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except (FileNotFoundError, OSError):
        raise Refused(404) from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_uid != owner or info.st_nlink != 1:
            raise Refused(404)
        if info.st_size > MAX_BYTES:
            raise Refused(413)
        data = fh.read(MAX_BYTES + 1)
    if data.startswith(SQLITE_MAGIC):
        raise Refused(404, "a workbook is never shared here")
    return data, TYPES[suffix]


def list_reports(person: str) -> list[tuple[str, int, float]]:
    folder, owner = _owner_folder(person)
    found = []
    for entry in os.scandir(folder):
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        suffix = os.path.splitext(entry.name)[1].lower()
        if stat.S_ISREG(info.st_mode) and info.st_uid == owner and suffix in TYPES and NAME.match(entry.name):
            found.append((entry.name, info.st_size, info.st_mtime))
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
            "What you share with your coach: files you save in <code>~/career-workbook/shared-reports</code>."
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
        data, content_type = read_report(person, name)
        self.set_header("Content-Type", content_type)
        if content_type.startswith("text/html"):
            self.set_header("Content-Security-Policy", SANDBOX)
        else:
            self.set_header("Content-Disposition", f'attachment; filename="{name}"')
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
