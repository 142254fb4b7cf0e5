"""People's servers forked from one server process started ahead: imports done once, not once a person.

Run by the hub (``spawner.py``, beside this file) as ``<venv>/bin/python prefork.py FD``, as root, with
one end of a socket pair as FD (no path on disk: only the hub holds the other end) and an environment
without any secret. It imports what every single-user server imports (Jupyter Server, JupyterLab's
server side, Voila, JupyterHub's single-user extension: about 0.7 CPU-s of a start of 1), starts no
thread and no event loop, says it is ready, then waits for requests. For each, it forks a child that
becomes that person's server, exactly as ``jupyterhub-singleuser`` started by LocalProcessSpawner would be:

- a new session; the person's group, supplementary groups and user id (root and group 0 refused; the
  child checks it can no longer become root); umask from the request (077 here); the home folder as
  working folder;
- an environment made only of what the hub gave this start, read by the child alone from a pipe of
  its own, so this process never holds a person's token (a child is a copy of this process: what it
  held, every server would hold);
- every inherited file descriptor but stdin, stdout and stderr closed (this socket above all); then
  ``singleuser.main()`` with the hub's arguments, and the interpreter's normal exit.

The child tells this process on a pipe when it is the person (or why it is not); this process answers
the hub with the server's process id, or the reason. It reaps its children (the hub then sees a
stopped server gone by its process id, as LocalProcessSpawner does after a restart), and exits when
the hub closes its end. What a child shares with the others is this process's memory as it was before
any request: modules, and Python's hash seed and memory layout (a server is reached only by its own
person, through the hub's proxy).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib
import io
import json
import os
import pwd
import signal
import socket
import sys
import threading
import traceback

#: The largest request (its arguments; the environment comes on a pipe of its own).
MAX_REQUEST = 1 << 16
PR_SET_DUMPABLE = 4
#: HOME and JUPYTER_PATH of this process while it imports: a place that cannot exist (not even root can
#: make a folder in /proc). A value a module computes from them as it is imported would otherwise be
#: root's in every server, not its person's; each one found is computed again in every child
#: (:func:`person_defaults`), and an unknown one stops this process from forking any server.
STAND_IN = "/proc/nonexistent/prefork-home"


class Become(BaseException):  # noqa: N818 - not an error: how a child leaves the request loop
    """Raised in a forked child: it leaves the loop (and this process's frames) to become the server."""

    def __init__(self, argv: list[str]):
        super().__init__()
        self.argv = argv


#: Imported by every server as it starts, after the modules :func:`preload` names: the handlers of the
#: server's own services, the extensions the people's environment enables (terminals, language servers).
STARTUP_MODULES = (
    "jupyter_server.base.handlers",
    "jupyter_server_terminals.app",
    "jupyter_server_terminals.handlers",
    "jupyter_server_terminals.api_handlers",
    "jupyter_server_terminals.terminalmanager",
    "jupyter_lsp.serverextension",
    "jupyter_lsp.specs",
    "jupyter_core.migrate",
    "jinja2.ext",
    "tornado.platform.asyncio",
    # what the hub runs as each person before their server starts (jupyterhub_config.py's _FIRST_START)
    "workbook.files",
    "workbook.cli.launch",
)


def preload() -> None:
    """Import what every person's server imports, without node on PATH (see singleuser.py).

    Then every object made so far is moved out of the garbage collector's way (``gc.freeze``): a
    child's collections never walk (and so never copy) the pages it shares with this process.
    """
    import singleuser

    singleuser.import_lab()
    import jupyter_server.serverapp
    import jupyterhub.singleuser  # noqa: F401 - the hub's server extension (and its database layer)
    import voila.server_extension  # noqa: F401

    for names in jupyter_server.serverapp.JUPYTER_SERVICE_HANDLERS.values():
        for name in names or ():
            importlib.import_module(name)
    for name in STARTUP_MODULES:
        with contextlib.suppress(ImportError):  # an extension the environment does not have
            importlib.import_module(name)
    gc.collect()
    gc.freeze()


#: Modules that keep, in globals computed as they are imported, the user id and home folder of the
#: process that imported them: imported again in each child, as its person. send2trash (Jupyter
#: Server's "move to trash"): the trash folder in the home and the user id of the trash on other disks.
PERSON_MODULES = ("send2trash.plat_other",)
#: The modules of this file (run as a script, and as multiprocessing names it).
OURS = ("__main__", "__mp_main__", "prefork")


def person_defaults() -> dict[int, tuple[object, object]]:
    """The class defaults computed from HOME as their module is imported, and how to compute them again.

    ``{id(trait): (trait, function)}``. JupyterLab's ``LabApp.user_settings_dir`` and
    ``workspaces_dir`` are ``get_user_settings_dir()`` and ``get_workspaces_dir()`` at import (in
    ``~/.jupyter/lab/``).
    """
    from jupyterlab.commands import get_user_settings_dir, get_workspaces_dir
    from jupyterlab.labapp import LabApp

    traits = LabApp.class_traits()
    found = {}
    for name, compute in (("user_settings_dir", get_user_settings_dir), ("workspaces_dir", get_workspaces_dir)):
        found[id(traits[name])] = (traits[name], compute)
    return found


def _holds_stand_in(value: object) -> bool:
    if isinstance(value, str):
        return STAND_IN in value
    if isinstance(value, list | tuple):
        return any(isinstance(item, str) and STAND_IN in item for item in value)
    return False


def import_time_paths() -> dict[str, object]:
    """Every module global, and every class default of a configurable class, computed from :data:`STAND_IN`.

    ``{name: trait}`` (``None`` for a module global).
    """
    from traitlets import HasTraits

    found: dict[str, object] = {}
    for name, module in list(sys.modules.items()):
        if name in OURS:
            continue
        try:
            items = list(vars(module).items())
        except TypeError:
            continue
        for attribute, value in items:
            if _holds_stand_in(value):
                found[f"{name}.{attribute}"] = None
            elif isinstance(value, type) and issubclass(value, HasTraits):
                for trait_name, trait in value.class_traits().items():
                    if _holds_stand_in(getattr(trait, "default_value", None)):
                        found[f"{value.__module__}.{value.__qualname__}.{trait_name}"] = trait
    return found


def unknown_import_time_paths() -> list[str]:
    """What :func:`import_time_paths` found that :func:`person_defaults` does not compute again."""
    known = person_defaults()
    return sorted(
        name
        for name, trait in import_time_paths().items()
        if (trait is None and not name.startswith(tuple(f"{module}." for module in PERSON_MODULES)))
        or (trait is not None and id(trait) not in known)
    )


def _subclasses(cls: type) -> list[type]:
    found, todo = [], [cls]
    while todo:
        found.append(todo.pop())
        todo.extend(found[-1].__subclasses__())
    return found


def compute_person_defaults() -> None:
    """In a child that became its person: :data:`PERSON_MODULES` imported again, and the class defaults
    of :func:`person_defaults` computed again, from their user id and HOME."""
    from traitlets import HasTraits

    for name in PERSON_MODULES:
        if name in sys.modules:
            importlib.reload(sys.modules[name])

    for trait, compute in person_defaults().values():
        before, after = trait.default_value, compute()
        trait.default_value = after
        for cls in _subclasses(HasTraits):  # traitlets keeps a copy of static defaults per class
            initial = cls.__dict__.get("_static_immutable_initial_values")
            if initial is not None and initial.get(trait.name, None) is before and before is not None:
                initial[trait.name] = after


def _reap(*_) -> None:
    """Collect every child that ended (a server stopped, or a child that could not become its person)."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def become_person(name: str, umask: int, env_fd: int, report_fd: int, groups: bool = True) -> None:
    """In a forked child: drop to ``name``'s account and environment, or raise (the child then exits).

    ``groups``: with the person's supplementary groups (as their server), or none.
    """
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the server's own children are its to wait for
    user = pwd.getpwnam(name)
    if user.pw_uid == 0 or user.pw_gid == 0:
        raise PermissionError(f"{name!r} is root or in group 0: no server runs as root")
    os.setgid(user.pw_gid)
    if groups:
        os.initgroups(name, user.pw_gid)
    else:
        os.setgroups([])
    os.setuid(user.pw_uid)
    if os.getresuid() != (user.pw_uid,) * 3 or os.getresgid() != (user.pw_gid,) * 3:
        raise PermissionError(f"could not become {name!r}")
    try:
        os.setuid(0)
    except PermissionError:
        pass
    else:
        raise PermissionError(f"{name!r}'s server could become root again")
    os.umask(umask)
    with os.fdopen(env_fd, "rb") as pipe:  # read as the person, from the pipe only this child reads
        env = json.loads(pipe.read())
    os.environ.clear()
    os.environ.update(env)
    compute_person_defaults()
    try:
        os.chdir(user.pw_dir)
    except OSError as exc:  # as LocalProcessSpawner: the server starts in its root folder anyway
        print(f"could not enter {name}'s home folder {user.pw_dir}: {exc}", file=sys.stderr)
    # A process that changed its user is not dumpable (its /proc files belong to root) until it runs a
    # new program; a server started the usual way has, so this one is the person's like that one.
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE)")
    os.write(report_fd, b"ok")


def run_code(code: str, argv: list[str], result_fd: int) -> None:
    """In a child that became its person: ``python -c code *argv``; its status, stdout and stderr as JSON
    on ``result_fd``. Never returns."""
    out, err = io.StringIO(), io.StringIO()
    status = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            sys.argv = ["-c", *argv]
            exec(compile(code, "<string>", "exec"), {"__name__": "__main__", "__builtins__": __builtins__})
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        except BaseException:
            traceback.print_exc()
            status = 1
    result = json.dumps({"status": status, "stdout": out.getvalue(), "stderr": err.getvalue()}).encode()
    try:
        with open(result_fd, "wb") as pipe:
            pipe.write(result)
    finally:
        os._exit(0)  # no exit handlers of this process's imports: nothing of the code's is left to write


def spawn(control: socket.socket, request: dict, fds: list[int]) -> int:
    """Fork a child for ``request["name"]``: their server, or (``run``) a piece of code run as them.

    The child's process id once it is that person, or raise why not. ``fds``: the pipe of its
    environment, and for ``run`` the pipe its result goes to; this process closes them.
    """
    try:
        return _spawn(control, request, fds)
    finally:
        for fd in fds:  # the child, if any, has them (or raised Become after closing them)
            with contextlib.suppress(OSError):
                os.close(fd)


def _spawn(control: socket.socket, request: dict, fds: list[int]) -> int:
    if threading.active_count() != 1:
        raise RuntimeError(f"{threading.active_count()} threads run in the pre-started server; it forks none")
    argv = [str(arg) for arg in request["argv"]]
    code = request.get("run")
    if len(fds) != (2 if code is not None else 1):
        raise RuntimeError("a request comes with the pipe of its environment (and of its result, to run code)")
    report_r, report_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        try:
            os.close(report_r)
            control.close()
            become_person(
                str(request["name"]), int(request["umask"]), fds[0], report_w, bool(request.get("groups", True))
            )
            if code is not None:
                os.chdir(str(request.get("cwd", "/")))
        except BaseException as exc:
            try:
                os.write(report_w, f"{type(exc).__name__}: {exc}".encode()[:4000])
            finally:
                os._exit(1)
        if code is not None:
            result_fd = fds[1]
            os.closerange(3, result_fd)
            os.closerange(result_fd + 1, os.sysconf("SC_OPEN_MAX"))
            run_code(str(code), argv, result_fd)
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # the report pipe with it: the hub's answer goes out
        raise Become(argv)
    os.close(report_w)
    said = b""
    while chunk := os.read(report_r, 4096):
        said += chunk
    os.close(report_r)
    if said != b"ok":
        why = said.decode(errors="replace") or "the child ended before it became the person"
        raise (PermissionError if why.startswith("PermissionError:") else RuntimeError)(why)
    return pid


def serve(fd: int) -> None:
    """Answer the hub's requests on ``fd`` until it closes it; returns only in a forked child (:class:`Become`)."""
    control = socket.socket(fileno=fd)
    os.environ["HOME"] = STAND_IN
    os.environ["JUPYTER_PATH"] = os.path.join(STAND_IN, "jupyter-path")
    preload()
    unknown = unknown_import_time_paths()
    ready: dict[str, object] = {"ready": os.getpid()}
    if unknown:  # the hub starts every server the usual way, and says why
        ready["unusable"] = f"values computed from HOME or JUPYTER_PATH as modules were imported: {unknown}"
    signal.signal(signal.SIGCHLD, _reap)
    control.send(json.dumps(ready).encode())
    while True:
        try:
            message, fds, _flags, _addr = socket.recv_fds(control, MAX_REQUEST, 2)
        except ConnectionError:
            return
        if not message:
            return  # the hub is gone
        try:
            if unknown:
                for fd in fds:
                    os.close(fd)
                raise RuntimeError(ready["unusable"])
            answer = {"pid": spawn(control, json.loads(message), fds)}
        except Become:
            raise
        except Exception as exc:
            # refused: this person gets no server (the hub must not start it another way either)
            answer = {"error": f"{type(exc).__name__}: {exc}", "refused": isinstance(exc, PermissionError)}
        control.send(json.dumps(answer).encode())


def main() -> None:
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit("usage: prefork.py FD (started by the hub, see spawner.py)")
    try:
        serve(int(sys.argv[1]))
    except Become as child:
        sys.argv = child.argv
        del child
        import singleuser

        singleuser.main()


if __name__ == "__main__":
    main()
