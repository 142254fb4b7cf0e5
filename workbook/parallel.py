"""Work done beside the main line of a one-command process, in a forked child, when the machine has a core to spare.

The report command draws some of its charts this way while it builds the rest
of the page::

    with aside(lambda: draw(some_charts)) as job:
        ...                 # the rest of the work, here
        drawn = job.result()

The child is a fork: it starts with everything this process has imported and
computed, so it needs nothing sent to it; it sends back its result (pickled)
and ends without running any clean-up of this process. Forking is used only
where it is safe and can help: in a program that has called
:func:`allow_forking` (the ``career-workbook`` command, which runs one command
and ends; never a notebook's kernel or a test process), on Linux, with one
Python thread, and with at least two processor cores to run on. Anywhere else,
and whenever the child fails or takes too long, the work runs here, so the
result is the same either way.

Work numpy does in long loops, outside the interpreter's lock, can also run in
two threads of this process when a core is free (:func:`side_by_side`: the
evidence engine's noise levels and pieces of draws). The second thread lives
only as long as the call, so a process that has finished such work is again a
process with one thread (and may fork).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")

#: How long to wait for the child before doing its work here instead.
CHILD_TIMEOUT_S = 60.0

_allowed = False


def allow_forking(allowed: bool = True) -> None:
    """Let :func:`aside` fork in this process (a program that runs one command and ends)."""
    global _allowed
    _allowed = allowed


def cores_available() -> int:
    """Processor cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether :func:`aside` would fork here now (see the module's docstring for when)."""
    return (
        _allowed
        and sys.platform.startswith("linux")
        and hasattr(os, "fork")
        and threading.active_count() == 1
        and cores_available() >= 2
    )


class Job(Generic[T]):
    """Work started by :func:`aside`: its :meth:`result` comes from the child, or is computed here."""

    def __init__(self, work: Callable[[], T]) -> None:
        self._work = work
        self._pid: int | None = None
        self._read: int | None = None
        self._done = False
        self._value: T | None = None

    def _start(self, fork: bool) -> None:
        if not (fork and can_fork()):
            self._finish(self._work())
            return
        import pickle  # here, so that a command that never forks does not import it

        read, write = os.pipe()
        for stream in (sys.stdout, sys.stderr):  # nothing buffered is written twice
            with contextlib.suppress(Exception):
                stream.flush()
        pid = os.fork()
        if pid == 0:  # the child: do the work, send it, end without this process's clean-up
            code = 1
            try:
                os.close(read)
                data = pickle.dumps(self._work(), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as out:
                    out.write(data)
                code = 0
            except BaseException:  # the parent does the work again and sees any error itself
                pass
            finally:
                os._exit(code)
        os.close(write)
        self._pid, self._read = pid, read

    def _finish(self, value: T) -> None:
        self._value, self._done = value, True

    def result(self) -> T:
        """What the work returned: the child's, or computed here when there was no child or it failed."""
        if not self._done:
            import pickle

            data = self._collect()
            self._finish(pickle.loads(data) if data is not None else self._work())
        return self._value  # type: ignore[return-value]

    def _collect(self) -> bytes | None:
        """The child's pickled result, or None when it failed or took too long; the child is reaped either way."""
        import select

        if self._pid is None or self._read is None:
            return None
        chunks: list[bytes] = []
        deadline = time.monotonic() + CHILD_TIMEOUT_S
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._read], [], [], left)[0]:
                self.close()  # too long: stopped, and the work is done here
                return None
            chunk = os.read(self._read, 1 << 20)
            if not chunk:  # the child has sent everything and is ending
                break
            chunks.append(chunk)
        pid, self._pid = self._pid, None
        _, status = os.waitpid(pid, 0)
        self.close()
        return b"".join(chunks) if os.waitstatus_to_exitcode(status) == 0 else None

    def close(self) -> None:
        """Stop and reap a child still running (its result, if asked for later, is computed here)."""
        if self._read is not None:
            os.close(self._read)
            self._read = None
        if self._pid is not None:
            pid, self._pid = self._pid, None
            import signal

            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


@contextlib.contextmanager
def aside(work: Callable[[], T], *, fork: bool = True) -> Iterator[Job[T]]:
    """Start ``work`` in a forked child when :func:`can_fork`, else run it now; ``job.result()`` gives its value.

    ``fork=False`` runs it now in any case (work too small to be worth a process).

    ``work`` must not use what cannot be shared with a child (an open database connection, a
    thread) and must return something :mod:`pickle` can send. A child left over when the block ends
    (its result never asked for) is stopped.
    """
    job = Job(work)
    job._start(fork)
    try:
        yield job
    finally:
        job.close()


_inside = threading.local()


def spare_core() -> bool:
    """Whether a second thread would find a core of its own: two cores or more, and the load of the last
    minute (processes running or waiting to) leaving at least half a core free. Where every core is busy
    (a hub full of people, a test run on every core), a second thread would only add its overhead."""
    cores = cores_available()
    if cores < 2:
        return False
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # not on this system: assume the cores are there to use
        return True
    return load <= cores - 0.5


def side_by_side(work: Callable[[T], object], items: Iterable[T]) -> None:
    """``work(item)`` for every item, this thread and one more taking the next item as each is free.

    For work that numpy does mostly in its own loops, which let other threads run: two cores then do it in
    about the time of the larger half (the two threads spend about a fifth more CPU between them). One after
    the other, here, when no core is to spare (:func:`spare_core`), with fewer than two items, or when called
    from inside such work. An error in any item stops the others from starting and is raised here, after the
    second thread has ended.
    """
    todo = list(items)
    if len(todo) < 2 or getattr(_inside, "active", False) or not spare_core():
        for item in todo:
            work(item)
        return
    lock = threading.Lock()
    queue = iter(todo)
    errors: list[BaseException] = []

    def run() -> None:
        _inside.active = True
        try:
            while not errors:
                with lock:
                    item = next(queue, _END)
                if item is _END:
                    return
                try:
                    work(item)  # type: ignore[arg-type]
                except BaseException as exc:  # noqa: BLE001 - raised again by the caller's thread
                    errors.append(exc)
        finally:
            _inside.active = False

    other = threading.Thread(target=run, name="career-workbook-side-by-side", daemon=True)
    other.start()
    try:
        run()
    except BaseException as exc:  # interrupted between two items: the other thread takes nothing more
        errors.append(exc)
        raise
    finally:
        other.join()
    if errors:
        raise errors[0]


_END = object()
