"""``career-workbook lab --no-browser`` prints an address that opens notebook 00, and no token is on a command line.

The command runs as a person runs it (on a temporary workbook, notebooks
folder and Jupyter folders); the browser opens exactly the address it printed,
as someone would whose browser does not open by itself (a remote machine, WSL,
a container).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from tests import processes

from .conftest import _free_port

pytestmark = pytest.mark.browser

READY_S = 90
_ADDRESS = re.compile(r"JupyterLab is at (http://\S+)")


@pytest.fixture
def lab_command(browser, tmp_path):
    """``python -m workbook lab --no-browser`` on temporary folders; yields (process, printed address)."""
    env = dict(os.environ)
    for name in ("config", "workspaces", "user-settings", "runtime", "ipython", "home"):
        (tmp_path / name).mkdir()
    env.update(
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
        JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "user-settings"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        IPYTHONDIR=str(tmp_path / "ipython"),
        CAREER_WORKBOOK_HOME=str(tmp_path / "home"),
    )
    log_path = tmp_path / "lab.log"
    argv = [sys.executable, "-m", "workbook", "lab", "--no-browser", "--port", str(_free_port()),
            "--notebooks", str(tmp_path / "notebooks"), "--workbook", str(tmp_path / "workbook.sqlite")]  # fmt: skip
    process = processes.start(argv, env=env, log_path=log_path)
    try:
        found = processes.wait_for(
            lambda: _ADDRESS.search(processes.log_tail(log_path, 100_000)),
            timeout=READY_S, what="the command printing its address", process=process, log_path=log_path,
        )  # fmt: skip
        yield process, found.group(1)
    finally:
        processes.stop(process)


def test_the_printed_address_opens_notebook_00_and_no_command_line_holds_the_token(lab_command, page):
    process, address = lab_command
    assert "..." not in address and re.search(r"\?token=[0-9a-f]{48}$", address), address
    page.goto(address)
    heading = page.locator(".jp-NotebookPanel .jp-MarkdownOutput h1", has_text="00 · Start here").filter(visible=True)
    heading.first.wait_for(timeout=60_000)
    assert "/login" not in page.url
    assert page.locator(".lm-TabBar-tab.jp-mod-current", has_text="00_start_here.ipynb").count() >= 1

    token = address.rsplit("token=", 1)[1]
    tree = [process.pid, *(pid for pid, _ in processes.descendants(process.pid))]
    assert len(tree) >= 2, tree  # the command and JupyterLab (and the notebook's kernel, once it has started)
    for pid in tree:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().decode("utf-8", "replace")
        except FileNotFoundError:  # ended meanwhile
            continue
        assert token not in command, command
