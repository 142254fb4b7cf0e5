"""A real JupyterHub on loopback with throw-away system users (used by tests/hub and benchmarks/bench_hub.py).

The hub runs the deployment's own ``deploy/jupyterhub/jupyterhub_config.py`` and ``shared_reports.py``
from this checkout (copied, as ``install.sh`` copies them, into a folder the services' accounts can
read), with the environment ``deploy/jupyterhub/install.sh`` builds (``$CAREER_HUB_PREFIX``, default
``/opt/career-workbook``), and only these changes: random loopback ports, a temporary state folder and
shared-reports folder, groups and service accounts of its own, one extra service whose token the
harness uses to create people, start servers and make their tokens, and optionally a site file (the
README's OAuth recipe). Logins are the deployment's own (PAM: each account gets a random password), so
:meth:`Hub.browser` can log in through the login form like a person would. People are accounts made
with ``useradd`` (homes under the temporary folder).

:meth:`Hub.stop` removes everything the hub and the harness made (the hub and every process it
started, through :mod:`tests.processes`; every account and group; the temporary folder) and raises
:class:`HubError` if anything is left.

Plain Python (stdlib and tornado): no pytest here.
"""

from __future__ import annotations

import asyncio
import grp
import json
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Self

from tests import processes

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "jupyterhub"
PREFIX = Path(os.environ.get("CAREER_HUB_PREFIX", "/opt/career-workbook"))
HUB_READY_S = 60
SERVER_READY_S = 120


class HubError(RuntimeError):
    pass


def missing_prerequisites() -> str | None:
    """Why a hub cannot run here, or None."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "the hub test needs root (it creates system users and runs servers as them)"
    for tool in ("useradd", "userdel", "groupadd", "groupdel"):
        if shutil.which(tool) is None:
            return f"{tool} is not on PATH"
    if shutil.which("configurable-http-proxy") is None:
        return "configurable-http-proxy is not on PATH (npm install -g configurable-http-proxy)"
    if not (PREFIX / "venv" / "bin" / "jupyterhub").exists():
        return f"no JupyterHub environment at {PREFIX}/venv (run: bash deploy/jupyterhub/install.sh)"
    return None


def require_prerequisites() -> None:
    """Skip the calling test when a hub cannot run here; fail it on CI, where the hub test must run."""
    import pytest

    reason = missing_prerequisites()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; the hub test must run on CI", pytrace=False)
    pytest.skip(reason)


free_port = processes.free_port


class Response:
    def __init__(self, status: int, body: bytes, headers):
        self.status, self.body, self.headers = status, body, headers

    def json(self):
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect, urllib.request.ProxyHandler({}))


def http(method: str, url: str, token: str | None = None, body=None, timeout: float = 30) -> Response:
    """One request, redirects not followed, HTTP errors returned (not raised)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"token {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, method=method, data=data, headers=headers)
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return Response(response.status, response.read(), response.headers)
    except urllib.error.HTTPError as exc:
        with exc:
            return Response(exc.code, exc.read(), exc.headers)


class Browser:
    """Requests with cookies that follow redirects, like a person's browser (no JavaScript)."""

    def __init__(self, base: str):
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), urllib.request.ProxyHandler({})
        )

    def get(self, path: str, timeout: float = 90) -> tuple[int, str, str]:
        """Status, final URL and body of ``GET path`` after every redirect."""
        try:
            with self.opener.open(self.base + path, timeout=timeout) as response:
                return response.status, response.url, response.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.url, exc.read().decode("utf-8", errors="replace")

    def log_in(self, user: str, password: str) -> tuple[int, str, str]:
        """Fill in the hub's login form; status, final URL and body after the redirects."""
        self.get("/hub/login")
        xsrf = next((c.value for c in self.jar if c.name == "_xsrf"), "")
        form = urllib.parse.urlencode({"username": user, "password": password, "_xsrf": xsrf}).encode()
        try:
            with self.opener.open(f"{self.base}/hub/login", data=form, timeout=90) as response:
                return response.status, response.url, response.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.url, exc.read().decode("utf-8", errors="replace")


class Hub:
    """A hub on 127.0.0.1 with the deployment's configuration; ``with Hub() as hub: ...`` stops it all.

    ``site_config``: a site file (as the README's), which loads the deployment's configuration with
    ``load_subconfig("/opt/career-workbook/jupyterhub_config.py")``; the harness points that at its copy.
    """

    def __init__(self, idle_timeout: int = 3600, site_config: str = ""):
        self.tag = "cw" + secrets.token_hex(3)  # prefix of every user and group this hub creates
        self.base = Path(tempfile.mkdtemp(prefix=f"{self.tag}-hub-"))
        self.base.chmod(0o711)  # people traverse it to their home and shared folder
        self.deploy = self.base / "deploy"  # the files install.sh copies beside the venv
        self.state = self.base / "state"
        self.shared = self.base / "shared-reports"
        self.homes = self.base / "home"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.admin_token = secrets.token_hex(32)
        self.people_group = f"{self.tag}-people"
        self.coach_group = f"{self.tag}-coaches"
        self.reports_user = f"{self.tag}rep"  # the services' own accounts
        self.culler_user = f"{self.tag}cul"
        self.idle_timeout = idle_timeout
        self.site_config = site_config
        self.users: dict[str, str] = {}  # name -> token
        self.passwords: dict[str, str] = {}
        self.created_users: list[str] = []  # every account made here, removed in stop()
        self.created_groups: list[str] = []
        self.process: subprocess.Popen | None = None
        self.log_path = self.base / "jupyterhub.log"

    # -------------------------------------------------------------- system users
    def useradd(self, name: str, coach: bool = False, member: bool = True, system: bool = False) -> str:
        """An account ``<tag><name>`` with a random password and a home under the temporary folder.

        ``member=False``: in neither of the hub's groups (someone who may not log in). ``system=True``: a
        system account (``useradd --system``: a user id below UID_MIN), in the people's group.
        """
        user = f"{self.tag}{name}"
        groups = ["--groups", self.coach_group if coach else self.people_group] if member else []
        kind = ["--system"] if system else []
        self._useradd(
            [*kind, "--create-home", "--home-dir", str(self.homes / user), "--shell", "/bin/sh", *groups, user]
        )
        self.users[user] = ""
        self.passwords[user] = secrets.token_urlsafe(16)
        _run(["chpasswd"], stdin=f"{user}:{self.passwords[user]}\n")
        return user

    def _useradd(self, argv: list[str]) -> None:
        self.created_users.append(argv[-1])  # before: a half-made account is removed too
        self.created_groups.append(argv[-1])  # its own group, which userdel normally removes with it
        _run(["useradd", *argv])

    def _groupadd(self, group: str) -> None:
        self.created_groups.append(group)
        _run(["groupadd", group])

    def home(self, user: str) -> Path:
        return Path(pwd.getpwnam(user).pw_dir)

    # -------------------------------------------------------------- the hub
    def _config(self) -> Path:
        path = self.base / "test_config.py"
        ours = self.deploy / "jupyterhub_config.py"
        head = f"load_subconfig({str(ours)!r})\nc = get_config()"
        if self.site_config:
            head = self.site_config.replace('"/opt/career-workbook/jupyterhub_config.py"', repr(str(ours)))
            if repr(str(ours)) not in head:
                raise HubError("the site file does not load /opt/career-workbook/jupyterhub_config.py")
        path.write_text(
            f"""\
{head}
c.JupyterHub.hub_port = {free_port()}
c.JupyterHub.log_level = "INFO"
c.Spawner.start_timeout = {SERVER_READY_S}
c.JupyterHub.services.append({{"name": "test-admin", "api_token": {self.admin_token!r}}})
c.JupyterHub.load_roles.append({{
    "name": "test-admin",
    "scopes": ["admin:users", "admin:servers", "tokens", "list:users", "read:users", "list:services", "read:services"],
    "services": ["test-admin"],
}})
""",
            encoding="utf-8",
        )
        return path

    def environment(self) -> dict[str, str]:
        return {
            "PATH": f"{PREFIX / 'venv' / 'bin'}:/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "HOME": str(self.state),
            "CAREER_HUB_PREFIX": str(PREFIX),
            "CAREER_HUB_STATE": str(self.state),
            "CAREER_HUB_SHARED": str(self.shared),
            "CAREER_HUB_PEOPLE_GROUP": self.people_group,
            "CAREER_HUB_COACH_GROUP": self.coach_group,
            "CAREER_HUB_REPORTS_USER": self.reports_user,
            "CAREER_HUB_CULLER_USER": self.culler_user,
            "CAREER_HUB_BIND_URL": f"{self.url}/",
            "CAREER_HUB_PROXY_API_URL": f"http://127.0.0.1:{free_port()}",
            "CAREER_HUB_REPORTS_PORT": str(free_port()),
            "CAREER_HUB_IDLE_TIMEOUT": str(self.idle_timeout),
        }

    def _install(self) -> None:
        """What install.sh makes: folders, groups, the services' accounts, the configuration."""
        self.state.mkdir(mode=0o700)
        self.homes.mkdir(mode=0o711)
        for group in (self.people_group, self.coach_group):
            self._groupadd(group)
        for account in (self.reports_user, self.culler_user):
            self._useradd(["--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
                           "--shell", "/usr/sbin/nologin", account])  # fmt: skip
        self.shared.mkdir()
        os.chown(self.shared, 0, pwd.getpwnam(self.reports_user).pw_gid)
        self.shared.chmod(0o751)
        self.deploy.mkdir(mode=0o755)
        for name in ("jupyterhub_config.py", "shared_reports.py", "singleuser.py", "prefork.py", "spawner.py"):
            shutil.copyfile(DEPLOY / name, self.deploy / name)
            (self.deploy / name).chmod(0o644)

    def start(
        self, people: list[str], coaches: list[str] = (), outsiders: list[str] = (), system: list[str] = ()
    ) -> None:
        """Create the groups and users (coaches before the hub starts: its config reads the group).

        ``outsiders`` are in neither group, ``system`` are system accounts in the people's group: the hub
        must refuse both. People and coaches are created in the hub and get a token each.
        """
        self._install()
        for name in people:
            self.useradd(name)
        for name in coaches:
            self.useradd(name, coach=True)
        for name in outsiders:
            self.useradd(name, member=False)
        for name in system:
            self.useradd(name, system=True)
        self.process = processes.start(
            [str(PREFIX / "venv" / "bin" / "jupyterhub"), "-f", str(self._config())],
            env=self.environment(), log_path=self.log_path, cwd=self.state,
        )  # fmt: skip

        def answers() -> bool:
            try:
                return http("GET", f"{self.url}/hub/api/", timeout=2).status == 200
            except OSError:
                return False

        try:
            processes.wait_for(
                answers, timeout=HUB_READY_S, what="JupyterHub answering", process=self.process, log_path=self.log_path
            )
        except processes.ProcessError as exc:
            raise HubError(str(exc)) from None
        members = [f"{self.tag}{n}" for n in [*people, *coaches]]
        response = self.api("POST", "/users", {"usernames": members})
        if response.status not in (201, 409):
            raise HubError(f"creating users: {response.status} {response.text}")
        for user in members:
            self.users[user] = self.api("POST", f"/users/{user}/tokens", {"note": "hub test"}, expect=201).json()[
                "token"
            ]

    def log(self) -> str:
        return processes.log_tail(self.log_path, 6000)

    def api(self, method: str, path: str, body=None, token: str | None = None, expect: int | None = None):
        response = http(method, f"{self.url}/hub/api{path}", token or self.admin_token, body)
        if expect is not None and response.status != expect:
            raise HubError(f"{method} /hub/api{path}: {response.status} {response.text[:500]}")
        return response

    def start_server(self, user: str) -> float:
        """Start ``user``'s server through the hub's REST API; seconds until it is ready."""
        started = time.perf_counter()
        response = self.api("POST", f"/users/{user}/server")
        if response.status not in (201, 202, 400):
            raise HubError(f"starting {user}'s server: {response.status} {response.text}")
        deadline = time.monotonic() + SERVER_READY_S
        while time.monotonic() < deadline:
            model = self.api("GET", f"/users/{user}", expect=200).json()
            server = model.get("servers", {}).get("")
            if server and server.get("ready"):
                return time.perf_counter() - started
            if not model.get("pending") and not server:
                raise HubError(f"{user}'s server failed to start:\n{self.log()}")
            time.sleep(0.25)
        raise HubError(f"{user}'s server was not ready within {SERVER_READY_S} s:\n{self.log()}")

    def start_servers(self, users: list[str]) -> dict[str, float]:
        with ThreadPoolExecutor(max_workers=max(1, len(users))) as pool:
            return dict(zip(users, pool.map(self.start_server, users), strict=True))

    def server_pid(self, user: str) -> int | None:
        state = self.api("GET", f"/users/{user}", body=None, expect=200).json()["servers"].get("", {}).get("state")
        return (state or {}).get("pid")

    def as_user(self, user: str, method: str, path: str, token_of: str | None = None) -> Response:
        """A request to ``path`` (under the hub's URL) with ``token_of``'s token (default: the user's own)."""
        return http(method, f"{self.url}{path}", self.users[token_of or user])

    def browser(self) -> Browser:
        return Browser(self.url)

    # -------------------------------------------------------------- kernels
    def run_code(self, user: str, code: str, timeout: float = 90) -> str:
        """Run ``code`` in a new kernel of ``user``'s own server (through the hub's proxy); its stdout.

        Raises :class:`HubError` with the traceback if the code raised.
        """
        kernel = self.start_kernel(user)
        try:
            return self.execute(user, kernel, code, timeout)
        finally:
            self.stop_kernel(user, kernel)

    def start_kernel(self, user: str) -> str:
        """A new kernel on ``user``'s server, started with their token; its id."""
        response = http(
            "POST", f"{self.url}/user/{user}/api/kernels", self.users[user], {"name": "python3"}, timeout=SERVER_READY_S
        )
        if response.status != 201:
            raise HubError(f"starting a kernel on {user}'s server: {response.status} {response.text[:300]}")
        return response.json()["id"]

    def stop_kernel(self, user: str, kernel: str) -> None:
        http("DELETE", f"{self.url}/user/{user}/api/kernels/{kernel}", self.users[user])

    def execute(self, user: str, kernel: str, code: str, timeout: float = 90) -> str:
        """Run ``code`` in one of ``user``'s kernels over its websocket; its stdout."""
        # In a thread of its own: the caller may already run an event loop (Playwright's sync API does).
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(lambda: asyncio.run(self._execute(user, kernel, code, timeout))).result(timeout + 30)

    async def _send(self, user: str, kernel: str, message: str, timeout: float):
        """A websocket to ``user``'s kernel with ``message`` sent on it.

        The server closes a new connection whose kernel is slow to answer (a crowd starting at once):
        connect again, until ``timeout``; the message was not sent then, so sending it again is safe.
        """
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import WebSocketClosedError, websocket_connect

        ws_url = f"ws://127.0.0.1:{self.port}/user/{user}/api/kernels/{kernel}/channels"
        request = HTTPRequest(
            ws_url,
            headers={"Authorization": f"token {self.users[user]}"},
            connect_timeout=timeout,
            request_timeout=timeout,
        )
        deadline = time.monotonic() + timeout
        while True:
            conn = await asyncio.wait_for(websocket_connect(request), max(1.0, deadline - time.monotonic()))
            try:
                conn.write_message(message)
                return conn
            except WebSocketClosedError:
                conn.close()
                if time.monotonic() >= deadline:
                    raise HubError(f"{user}'s kernel closed every connection for {timeout} s") from None
                await asyncio.sleep(1)

    async def _execute(self, user: str, kernel: str, code: str, timeout: float) -> str:
        msg_id = uuid.uuid4().hex
        request_message = json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": user, "session": uuid.uuid4().hex,
                       "date": "", "version": "5.3"},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True},
        })  # fmt: skip
        conn = await self._send(user, kernel, request_message, timeout)
        out, error, replied, idle = [], None, False, False
        try:
            deadline = time.monotonic() + timeout
            while not (replied and idle):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise HubError(f"code on {user}'s kernel did not finish within {timeout} s")
                raw = await asyncio.wait_for(conn.read_message(), remaining)
                if raw is None:
                    raise HubError(f"{user}'s kernel connection closed")
                msg = json.loads(raw)
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = msg["header"]["msg_type"]
                if kind == "stream":
                    out.append(msg["content"]["text"])
                elif kind == "error":
                    error = "\n".join(msg["content"]["traceback"])
                elif kind == "execute_reply":
                    replied = True
                elif kind == "status" and msg["content"]["execution_state"] == "idle":
                    idle = True
        finally:
            conn.close()
            try:  # until the server answers the close, so the socket is closed before the loop ends
                while await asyncio.wait_for(conn.read_message(), 5) is not None:
                    pass
            except TimeoutError:
                pass
        if error:
            raise HubError(f"code on {user}'s kernel raised:\n{error}")
        return "".join(out)

    # -------------------------------------------------------------- stopping
    def stop(self) -> None:
        """Stop the hub and everything it started, remove every account, group and file made here.

        Raises :class:`HubError` naming whatever could not be removed.
        """
        problems = []
        try:
            processes.stop(self.process)  # the hub stops servers, services and proxy; stragglers are killed
        except processes.ProcessError as exc:
            problems.append(str(exc))
        self.process = None
        for user in self.created_users:
            try:
                uid = pwd.getpwnam(user).pw_uid
            except KeyError:
                continue
            left = processes.kill_processes_of(uid)
            if left:
                problems.append(f"processes of {user} still run: {left}")
            if not _gone(["userdel", "--remove", user], lambda u=user: _exists(pwd.getpwnam, u)):
                problems.append(f"account {user} is still there")
        for group in self.created_groups:
            if not _gone(["groupdel", group], lambda g=group: _exists(grp.getgrnam, g)):
                problems.append(f"group {group} is still there")
        shutil.rmtree(self.base, ignore_errors=True)
        if self.base.exists():
            problems.append(f"{self.base} is still there")
        if problems:
            raise HubError("the hub test left things behind: " + "; ".join(problems))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind, *exc) -> None:
        if kind is not None:  # starting failed: the hub's log says why (pytest shows what was printed)
            print(self.log())
        self.stop()


def _exists(lookup, name: str) -> bool:
    try:
        lookup(name)
    except KeyError:
        return False
    return True


def _gone(argv: list[str], exists, timeout: float = 30) -> bool:
    """Run ``argv`` (userdel, groupdel) until ``exists()`` is false; whether it went within ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while exists():
        if time.monotonic() >= deadline:
            return False
        subprocess.run(argv, capture_output=True, check=False, timeout=timeout)  # busy: a process just ended
        if exists():
            time.sleep(0.2)
    return True


def _run(argv: list[str], stdin: str | None = None) -> None:
    result = subprocess.run(argv, input=stdin, capture_output=True, text=True, check=False, timeout=60)
    if result.returncode != 0:
        raise HubError(f"{' '.join(argv)} failed: {result.stderr.strip()}")


def process_tree_rss(pid: int) -> int:
    """Resident memory in bytes of ``pid`` and all its descendants (from /proc)."""
    return processes.tree_rss(pid)
