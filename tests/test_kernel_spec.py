"""The kernels ``career-workbook lab`` and ``app`` start: widgets' comm targets registered before any message."""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import uuid
from types import SimpleNamespace

import pytest

from workbook import notebook, paths
from workbook.cli import launch

SPEC = paths.package_root() / "jupyter" / "kernels" / "python3" / "kernel.json"


def test_the_servers_find_the_package_kernel_spec_first():
    from pathlib import Path

    from workbook.cli import app

    env = launch.lab_environment(Path("w.sqlite"), "t" * 48, base={"JUPYTER_PATH": os.pathsep.join(["/elsewhere", ""])})
    assert app.voila_environment(Path("w.sqlite"), "t" * 48, Path("c"), base={})["JUPYTER_PATH"] == str(SPEC.parents[2])
    first, *rest = env["JUPYTER_PATH"].split(os.pathsep)
    assert first == str(SPEC.parents[2])
    assert rest == ["/elsewhere"]
    # once only, however often it is added
    assert launch.jupyter_path(env["JUPYTER_PATH"]) == env["JUPYTER_PATH"]


def test_the_kernel_spec_loads_the_extension_with_the_usual_name():
    spec = json.loads(SPEC.read_text(encoding="utf-8"))
    assert spec["argv"][:5] == ["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    assert "--InteractiveShellApp.extensions=workbook.notebook" in spec["argv"]
    assert spec["display_name"] == "Python 3 (ipykernel)" and spec["language"] == "python"


def _first_messages(kernel_dirs: list[str]) -> list[str]:
    """Start a python3 kernel from ``kernel_dirs``, open the widgets' control comm as JupyterLab does on
    connecting, ask for the widgets' states at once; return what the kernel wrote on its error stream."""
    from jupyter_client import KernelManager
    from jupyter_client.kernelspec import KernelSpecManager

    manager = KernelManager(kernel_name="python3", kernel_spec_manager=KernelSpecManager(kernel_dirs=kernel_dirs))
    manager.start_kernel(env={**os.environ, "PYTHONPATH": str(paths.package_root().parent)})
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        comm_id = uuid.uuid4().hex
        client.shell_channel.send(
            client.session.msg(
                "comm_open",
                {"comm_id": comm_id, "target_name": "jupyter.widget.control", "data": {}},
                metadata={"version": "1.0.0"},
            )
        )
        client.shell_channel.send(
            client.session.msg("comm_msg", {"comm_id": comm_id, "data": {"method": "request_states"}})
        )
        client.shell_channel.send(client.session.msg("comm_close", {"comm_id": comm_id, "data": {}}))
        errors = []
        while True:
            try:
                msg = client.get_iopub_msg(timeout=2)
            except queue.Empty:
                return errors
            if msg["msg_type"] == "stream" and msg["content"]["name"] == "stderr":
                errors.append(msg["content"]["text"])
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_a_new_kernel_answers_the_widgets_control_comm_without_complaint():
    from jupyter_client.kernelspec import KernelSpecManager

    assert (
        KernelSpecManager(kernel_dirs=[str(SPEC.parents[1])]).get_kernel_spec("python3").argv
        == json.loads(SPEC.read_text(encoding="utf-8"))["argv"]
    )
    errors = _first_messages([str(SPEC.parents[1])])
    assert errors == [], errors


def _record(thread: threading.Thread | None) -> logging.LogRecord:
    record = logging.LogRecord("Comm", logging.WARNING, __file__, 1, "No such comm: %s", ("abc",), None)
    if thread is not None:
        record.thread = thread.ident
    return record


@pytest.fixture
def comm_log():
    logger = logging.getLogger("Comm")
    before = list(logger.filters)
    yield logger
    logger.filters[:] = before


def test_only_the_routers_early_lookup_is_dropped(comm_log):
    router = threading.Thread(target=lambda: None)
    router.start()
    router.join()
    kernel = SimpleNamespace(shell_channel_thread=router)
    notebook.load_ipython_extension(SimpleNamespace(kernel=kernel))
    assert not comm_log.filter(_record(router))  # a message looked up before its comm opened
    assert comm_log.filter(_record(None))  # a comm that really is gone, on the main thread: kept
    other = logging.LogRecord("Comm", logging.ERROR, __file__, 1, "No such comm target registered: %s", ("x",), None)
    other.thread = router.ident
    assert comm_log.filter(other)
