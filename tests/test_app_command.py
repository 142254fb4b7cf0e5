"""The app's command line and what the notebooks call in it, without a browser (see tests/browser/test_app.py)."""

from __future__ import annotations

import os
import re
import socket
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbook import app_session, notebook, paths
from workbook.cli import app as _app
from workbook.cli import cli
from workbook.forms.switch import DemoSwitch


@pytest.fixture
def in_app(tmp_path, monkeypatch):
    """As in a kernel of the app: the choice file is named in the environment."""
    state = tmp_path / "app" / "choice"
    monkeypatch.setenv(app_session.STATE_ENV_VAR, str(state))
    return state


def test_voila_serves_the_app_page_on_127_0_0_1_with_a_token_and_no_code(tmp_path):
    argv = _app.voila_command(port=8899)
    assert argv[1:5] == ["-m", "workbook.cli.server", "voila", str(_app.app_notebook())]
    assert "--Voila.ip=127.0.0.1" in argv
    assert "--Voila.auto_token=True" in argv
    assert "--VoilaConfiguration.strip_sources=True" in argv
    assert "--VoilaConfiguration.show_tracebacks=False" in argv
    assert f"--VoilaConfiguration.template={_app.TEMPLATE}" in argv
    assert "--VoilaConfiguration.preheat_kernel=False" in argv  # one kernel: none started ahead of a visit
    env = _app.voila_environment(tmp_path / "wb.sqlite", "secret", tmp_path / "choice", tmp_path / "steps", base={})
    assert env[app_session.TOKEN_ENV_VAR] == "secret" and "secret" not in " ".join(argv)
    assert env[paths.ENV_VAR] == str(tmp_path / "wb.sqlite")
    assert env[app_session.NOTEBOOKS_ENV_VAR] == str(tmp_path / "steps")
    assert (Path(env["JUPYTER_PATH"]) / "voila" / "templates" / _app.TEMPLATE / "index.html.j2").exists()


def test_the_app_entry_is_one_place_for_the_laptop_and_the_hub(tmp_path):
    """What the JupyterHub deployment's app mode calls: the page, Voilà's settings, the environment."""
    entry = _app.app_entry("~/career-workbook", base={"JUPYTER_PATH": "/elsewhere"})
    assert entry.notebook == _app.app_notebook() and entry.notebook.is_file()
    assert entry.environment == {
        "JUPYTER_PATH": f"{_app.jupyter_path()}{os.pathsep}/elsewhere",
        app_session.NOTEBOOKS_ENV_VAR: "~/career-workbook",
    }
    assert set(entry.settings) <= set(_app.voila_command(port=1))
    assert _app.first_url(8899, "t") == "http://127.0.0.1:8899/?token=t"


def test_the_template_loads_nothing_from_other_hosts():
    folder = _app.jupyter_path() / "voila" / "templates" / _app.TEMPLATE
    for template in folder.iterdir():
        text = template.read_text(encoding="utf-8")
        kept = [line for line in text.splitlines() if "https://" in line and "replace(" not in line]
        assert kept == [], template.name


def test_app_refuses_a_port_in_use_in_one_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["app", "--workbook", str(tmp_path / "wb.sqlite"), "--port", str(port)])
    assert result.exit_code == 1
    assert f"Error: port {port} is already in use on 127.0.0.1; choose another with --port" in result.output
    assert "Traceback" not in result.output


def test_app_refuses_a_port_that_is_not_one(tmp_path):
    result = CliRunner().invoke(cli, ["app", "--workbook", str(tmp_path / "wb.sqlite"), "--port", "70000"])
    assert result.exit_code == 1
    assert "70000 is not a port number" in result.output


def test_app_help_has_an_example():
    result = CliRunner().invoke(cli, ["app", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "--no-browser" in result.output and "--workbook" in result.output
    assert "preheat" not in result.output  # one kernel, started when the page opens: nothing to choose


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href = dict(attrs)["href"]

    def handle_data(self, data):
        if self._href:
            self.links.append((self._href, data))
            self._href = None


def test_a_notebook_shown_as_a_page_of_its_own_links_every_guided_notebook():
    """The JupyterHub app mode serves each notebook as a page; its bar leads to the others."""
    parser = _Links()
    parser.feed(app_session.step_links())
    names = [p.name for p in sorted(paths.notebooks_dir().glob("[0-9][0-9]_*.ipynb"))]
    assert [href for href, _ in parser.links] == names
    assert parser.links[1][1] == "01 Options and criteria"


def test_outside_the_app_the_switch_only_explains(monkeypatch):
    monkeypatch.delenv(app_session.STATE_ENV_VAR, raising=False)
    switch = DemoSwitch()
    assert switch.choice not in switch.view.children
    assert "use_demo = True" in switch.status.text
    assert not app_session.demo_chosen()


def test_in_the_app_the_switch_makes_every_step_open_the_demo_and_back(in_app, tmp_path, monkeypatch):
    own = tmp_path / "own.sqlite"
    monkeypatch.setenv(paths.ENV_VAR, str(own))
    switch = DemoSwitch()
    assert switch.choice in switch.view.children and switch.choice.value is False

    switch.choice.value = True
    assert "demo" in switch.status.text and switch.status.kind == "ok"
    wb = notebook.start(show=False)  # what the next step's first cell does
    assert wb.path == paths.default_demo_path().resolve() or Path(wb.path) == paths.default_demo_path()
    assert not wb.is_empty()
    wb.close()
    assert not own.exists()  # the own workbook was never opened

    DemoSwitch().choice.value = False  # a later visit to 00 switches back
    assert DemoSwitch().choice.value is False
    wb = notebook.start(show=False)
    assert Path(wb.path) == own
    wb.close()


def test_choosing_outside_the_app_is_refused(monkeypatch):
    monkeypatch.delenv(app_session.STATE_ENV_VAR, raising=False)
    with pytest.raises(RuntimeError, match=re.escape(app_session.STATE_ENV_VAR)):
        app_session.choose_demo(True)
