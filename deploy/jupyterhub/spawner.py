"""The hub's spawner: LocalProcessSpawner, with each server forked from a pre-started one (prefork.py).

Loaded by jupyterhub_config.py (beside this file) into the hub. The first start runs ``prefork.py``
(as root, its environment only PATH and the locale, one end of a socket pair its only way in); it
imports what every single-user server imports, once. Each start then asks it for a server: the request
names the person, the arguments and the umask; the environment (the server's token and nothing of any
other person's) goes on a pipe only the forked child reads. What the person gets is what
LocalProcessSpawner would start (same account, groups, umask, environment, session, arguments), for
about a third of the CPU. Everything after the start is LocalProcessSpawner's: the process id is the
server's, so ``poll``, ``stop`` and the saved state work as after a hub restart.

A start uses the usual path (``Popen``) when the pre-started server cannot serve it, and says so in
the hub's log: when a site changed ``c.Spawner.cmd``, ``shell_cmd`` or ``popen_kwargs`` (beyond the
umask) or sets one of the variables jupyterhub.singleuser reads on import; when the pre-started server
is not ready, has died (it is started again for the next start) or does not answer.
"""

from __future__ import annotations

import asyncio
import json
import os
import select
import socket
import subprocess
import time
from pathlib import Path
from typing import ClassVar

from jupyterhub.spawner import LocalProcessSpawner
from jupyterhub.utils import random_port
from traitlets import Bool, Float

HERE = Path(__file__).resolve().parent
PREFORK = HERE / "prefork.py"
SINGLEUSER = HERE / "singleuser.py"
#: Read by jupyterhub.singleuser as it is imported (which server application to run): a start that sets
#: them cannot use the server prefork.py imported ahead, and is started the usual way.
IMPORT_TIME_ENV = ("JUPYTERHUB_SINGLEUSER_APP", "JUPYTERHUB_SINGLEUSER_EXTENSION")
#: The environment variables the pre-started server gets from the hub's (no secret among them).
PREFORK_ENV = ("PATH", "LANG", "LC_ALL")
#: Larger environments than a pipe holds without a reader are started the usual way.
MAX_ENV = 60_000
#: Seconds before a pre-started server that ended is started again.
RESTART_AFTER = 10.0


class Unavailable(Exception):
    """The pre-started server cannot make this server: start it the usual way."""


class Prefork:
    """The pre-started server of this hub: its process, and the socket to ask it on (one request at a time)."""

    def __init__(self, python: str, log, wait: bool) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {name: os.environ[name] for name in PREFORK_ENV if name in os.environ}
        try:
            self.process = subprocess.Popen(
                [python, str(PREFORK), str(theirs.fileno())],
                pass_fds=[theirs.fileno()], env=env, cwd="/", stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        finally:
            theirs.close()
        ours.setblocking(False)
        self.socket = ours
        self.python = python
        self.lock = asyncio.Lock()
        self.ready = False
        #: Why it forks no server (it found what it cannot make each person's), once it said so.
        self.unusable = ""
        #: Whether a start waits for it to be ready (the hub's first), or starts the usual way meanwhile.
        self.wait = wait
        log.info("Pre-started server %d: importing what every server imports", self.process.pid)

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        self.socket.close()  # it exits when its end closes
        if self.alive():
            self.process.kill()
        self.process.wait()  # a moment: it was killed

    async def _answer(self, timeout: float) -> dict:
        loop = asyncio.get_running_loop()
        try:
            message = await asyncio.wait_for(loop.sock_recv(self.socket, 1 << 16), timeout)
        except TimeoutError:
            raise Unavailable(f"no answer within {timeout:.0f} s") from None
        except OSError as exc:
            raise Unavailable(f"its socket failed ({exc})") from None
        if not message:
            raise Unavailable("it ended")
        return json.loads(message)

    async def spawn(self, name: str, argv: list[str], env: dict[str, str], umask: int, timeout: float, **more) -> int:
        """The process id of ``name``'s server, forked and become that person; or raise :class:`Unavailable`.

        ``more``: more of the request (``run``, ``cwd``, ``groups``: see :meth:`run`); a file descriptor
        ``result`` is passed on with it.
        """
        result = more.pop("result", None)
        async with self.lock:
            if not self.ready:
                if not self.wait and not _readable(self.socket):
                    raise Unavailable("it is still importing")
                ready = await self._answer(timeout)
                if "ready" not in ready:
                    raise Unavailable(f"it said {ready!r} instead of being ready")
                self.ready = True
                self.unusable = str(ready.get("unusable") or "")
            if self.unusable:
                raise Unavailable(self.unusable)
            data = json.dumps(env).encode()
            if len(data) > MAX_ENV:
                raise Unavailable(f"an environment of {len(data)} bytes")
            read, write = os.pipe()
            try:
                os.write(write, data)  # fits in the pipe: nothing waits for a reader
                os.close(write)
                write = -1
                request = json.dumps({"name": name, "argv": argv, "umask": umask, **more}).encode()
                try:
                    socket.send_fds(self.socket, [request], [read] if result is None else [read, result])
                except OSError as exc:
                    raise Unavailable(f"it cannot be asked ({exc})") from None
            finally:
                os.close(read)
                if write >= 0:
                    os.close(write)
            try:
                answer = await self._answer(timeout)
            except Unavailable:
                self.close()  # asked and did not answer: the next start starts another
                raise
        if "pid" not in answer and answer.get("refused"):
            raise RuntimeError(f"nothing runs as {name}: {answer.get('error')}")
        if "pid" not in answer:
            raise Unavailable(f"it could not fork for {name}: {answer.get('error')}")
        return int(answer["pid"])

    async def run(
        self, name: str, code: str, args: list[str], env: dict[str, str], umask: int, timeout: float
    ) -> tuple[int, str, str]:
        """``python -c code *args`` as ``name`` (no supplementary groups, in ``/``), forked from this server.

        Its exit status, stdout and stderr; or raise :class:`Unavailable`.
        """
        read, write = os.pipe()
        try:
            try:
                await self.spawn(name, args, env, umask, timeout, run=code, cwd="/", groups=False, result=write)
            finally:
                os.close(write)  # the child has its own: the pipe ends when it does
            loop = asyncio.get_running_loop()
            try:
                data = await asyncio.wait_for(loop.run_in_executor(None, _read_all, read), timeout)
            except TimeoutError:
                raise RuntimeError(f"the code run as {name} did not end within {timeout:.0f} s") from None
        finally:
            os.close(read)
        if not data:
            raise RuntimeError(f"the code run as {name} ended without a result")
        result = json.loads(data)
        return int(result["status"]), str(result["stdout"]), str(result["stderr"])


class PreforkSpawner(LocalProcessSpawner):
    """LocalProcessSpawner whose servers are forked from a pre-started one (see the module's docstring)."""

    prefork = Bool(True, help="Fork servers from a pre-started one; False: always start them with Popen.").tag(
        config=True
    )
    prefork_timeout = Float(60, help="Seconds to wait for the pre-started server (its imports, then each answer).").tag(
        config=True
    )

    answer_poll = Float(
        0.05, help="Seconds between checks that a new server's port answers (start returns once it does)."
    ).tag(config=True)

    #: One pre-started server for the whole hub (all its spawners).
    _prefork: ClassVar[Prefork | None] = None
    #: When one that ended may be started again (not in a loop, if it cannot start at all).
    _restart_after: ClassVar[float] = 0.0

    def _usual_way(self, argv: list[str], env: dict[str, str]) -> str | None:
        """Why this start cannot use the pre-started server, or None."""
        if not self.prefork:
            return "c.PreforkSpawner.prefork is False"
        if self.shell_cmd:
            return "c.LocalProcessSpawner.shell_cmd is set"
        if len(argv) < 2 or argv[1] != str(SINGLEUSER):
            return f"c.Spawner.cmd is not [python, {SINGLEUSER}]"
        running = PreforkSpawner._prefork
        if running is not None and running.python != argv[0]:
            return f"c.Spawner.cmd's Python is not {running.python}, the pre-started server's"
        if set(self.popen_kwargs) - {"umask"}:
            return f"c.LocalProcessSpawner.popen_kwargs has {sorted(set(self.popen_kwargs) - {'umask'})}"
        if any(name in env for name in IMPORT_TIME_ENV):
            return f"the environment sets one of {', '.join(IMPORT_TIME_ENV)}"
        return None

    def _pre_started(self, python: str) -> Prefork:
        """The hub's pre-started server; started again if it ended (then not waited for: see :class:`Prefork`)."""
        found = PreforkSpawner._prefork
        if found is not None and not found.alive():
            if time.monotonic() < PreforkSpawner._restart_after:
                raise Unavailable(f"it ended (status {found.process.poll()}) within {RESTART_AFTER:.0f} s of its start")
            self.log.warning(
                "Pre-started server %d ended (status %s); starting another", found.process.pid, found.process.poll()
            )
            found.close()
            found = None
            wait = False
        else:
            wait = True
        if found is None:
            found = PreforkSpawner._prefork = Prefork(python, self.log, wait=wait)
            PreforkSpawner._restart_after = time.monotonic() + RESTART_AFTER
        return found

    async def start(self):
        if self.port == 0:
            self.port = random_port()
        env = self.get_env()
        argv = [*self.cmd, *self.get_args()]
        reason = self._usual_way(argv, env)
        if reason is None:
            try:
                server = self._pre_started(argv[0])
                pid = await server.spawn(
                    self.user.name, argv[1:], env, int(self.popen_kwargs.get("umask", 0o077)), self.prefork_timeout
                )
            except Unavailable as exc:
                reason = f"the pre-started server is unavailable: {exc}"
            else:
                self.log.info("Forked %s's server %d from the pre-started server", self.user.name, pid)
                self.proc = None
                self.pid = pid
                address = (self.ip or "127.0.0.1", self.port)
                await self._until_it_answers(address)
                return address
        self.log.warning("Starting %s's server the usual way: %s", self.user.name, reason)
        address = await super().start()
        await self._until_it_answers(address)
        return address

    async def _until_it_answers(self, address: tuple[str, int]) -> None:
        """Return once the new server's port takes a connection, or once the server has ended.

        The hub then asks the server over HTTP at once and finds it up; otherwise it asks after waits
        that double each time (0.2, 0.4, ... up to 5 s), which add seconds when many start together.
        A connection attempt to a port nobody listens on yet costs microseconds.
        """
        loop = asyncio.get_running_loop()
        while await self.poll() is None:
            with socket.socket(socket.AF_INET6 if ":" in address[0] else socket.AF_INET) as probe:
                probe.setblocking(False)
                try:
                    await loop.sock_connect(probe, address)
                except OSError:
                    pass
                else:
                    return
            await asyncio.sleep(self.answer_poll)

    async def run_as_person(self, code: str, args: list[str], env: dict[str, str]) -> tuple[int, str, str] | None:
        """``python -c code *args`` as this spawner's person, forked from the pre-started server (umask 077,
        no supplementary groups, in ``/``, ``env`` only): exit status, stdout, stderr; None when the
        pre-started server cannot (the hub's log says why; the caller runs it the usual way)."""
        reason = None if self.prefork else "c.PreforkSpawner.prefork is False"
        if reason is None:
            try:
                return await self._pre_started(self.cmd[0]).run(
                    self.user.name, code, args, env, 0o077, self.prefork_timeout
                )
            except Unavailable as exc:
                reason = f"the pre-started server is unavailable: {exc}"
        self.log.warning("Preparing %s's start the usual way: %s", self.user.name, reason)
        return None

    async def poll(self):
        status = await super().poll()
        if status is None and self.proc is None and self.pid and _zombie(self.pid):
            # Its parent (the pre-started server) ended before collecting it: it has stopped.
            self.clear_state()
            return 0
        return status


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def _readable(sock: socket.socket) -> bool:
    """Whether ``sock`` has something to read (or was closed) now."""
    return bool(select.select([sock], [], [], 0)[0])


def _zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] == "Z"
