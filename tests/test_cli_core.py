"""The command line: every command documented, errors as one line, lab/demo/info behave."""

from __future__ import annotations

import importlib
import os
import pkgutil

import click
import pytest
from click.testing import CliRunner

from workbook import open_workbook
from workbook.app_session import TOKEN_ENV_VAR
from workbook.cli import commands, launch
from workbook.cli.main import COMMANDS, cli
from workbook.store.schema import SCHEMA_VERSION

EXPECTED_COMMANDS = {"lab", "demo", "info"}


@pytest.fixture
def runner():
    return CliRunner()


def all_commands() -> dict[str, click.Command]:
    """Every command of ``career-workbook``, as ``--help`` lists them (each module imported on the way)."""
    ctx = click.Context(cli)
    found = {name: cli.get_command(ctx, name) for name in cli.list_commands(ctx)}
    assert None not in found.values(), f"listed but not defined: {[n for n, c in found.items() if c is None]}"
    return found


def test_the_command_registry_names_every_command_and_its_module():
    for info in pkgutil.iter_modules(commands.__path__):
        importlib.import_module(f"{commands.__name__}.{info.name}")
    assert set(cli.commands) == set(COMMANDS), "a command is missing from workbook.cli.main.COMMANDS"
    for name, command in cli.commands.items():
        assert command.callback.__module__ == f"{commands.__name__}.{COMMANDS[name]}", name


def test_every_command_has_help_with_an_example(runner):
    assert set(all_commands()) >= EXPECTED_COMMANDS
    for name, command in all_commands().items():
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, result.output
        assert "Example" in result.output, f"{name} --help has no example"
        params = {p.name for p in command.params}
        assert "workbook_path" in params, f"{name} does not accept --workbook"


def test_info_shows_path_version_and_counts(runner, filled):
    result = runner.invoke(cli, ["info", "--workbook", str(filled.path)])
    assert result.exit_code == 0, result.output
    assert str(filled.path) in result.output
    assert f"Schema version: {SCHEMA_VERSION}" in result.output
    assert "options: 2" in result.output and "insights: 1" in result.output


def test_info_uses_environment_variable(runner, tmp_path, monkeypatch):
    target = tmp_path / "from-env.sqlite"
    monkeypatch.setenv("CAREER_WORKBOOK", str(target))
    open_workbook(target).close()
    result = runner.invoke(cli, ["info"])
    assert result.exit_code == 0, result.output
    assert str(target) in result.output


def test_library_error_is_one_line_and_nonzero(runner, tmp_path):
    bad = tmp_path / "notes.sqlite"
    bad.write_text("not a database at all " * 100)
    result = runner.invoke(cli, ["info", "--workbook", str(bad)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error:") and "not a workbook file" in lines[0]
    assert "Traceback" not in result.output


def test_unknown_command_fails(runner):
    result = runner.invoke(cli, ["frobnicate"])
    assert result.exit_code != 0


def test_lab_starts_jupyterlab_on_the_notebooks_with_the_workbook(runner, tmp_path, monkeypatch):
    calls = []

    def fake_serve(argv, env, **how):
        calls.append((argv, env, how))
        return 0

    monkeypatch.setattr("workbook.cli.launch.serve", fake_serve)
    target = tmp_path / "mine.sqlite"
    port = launch.free_port(9650)
    result = runner.invoke(cli, ["lab", "--workbook", str(target), "--no-browser", "--port", str(port)])
    assert result.exit_code == 0, result.output
    argv, env, how = calls[0]
    assert env["CAREER_WORKBOOK"] == str(target.resolve())
    assert target.exists()  # a usable workbook is there before the lab opens
    assert f"--port={port}" in argv and how["open_browser"] is False
    root = [a for a in argv if a.startswith("--ServerApp.root_dir=")][0]
    assert os.path.isdir(root.split("=", 1)[1])
    assert str(target.resolve()) in result.output
    token = env[TOKEN_ENV_VAR]
    assert len(token) >= 32 and token not in " ".join(argv)
    assert how["url"] == f"http://127.0.0.1:{port}/lab/tree/00_start_here.ipynb?token={token}"


def test_installed_notebooks_are_copied_without_overwriting_edits(tmp_path):
    folder, copied = launch.prepare_notebooks(tmp_path / "nb")
    shipped = sorted(p.name for p in launch.paths.notebooks_dir().glob("*.ipynb"))
    assert len(shipped) == 9
    assert sorted(p.name for p in copied) == shipped
    edited = copied[0]
    edited.write_text('{"edited": true}')
    _, again = launch.prepare_notebooks(tmp_path / "nb")
    assert again == []
    assert edited.read_text() == '{"edited": true}'


def test_default_workbook_is_outside_the_repository(monkeypatch, tmp_path):
    from workbook import paths

    monkeypatch.delenv("CAREER_WORKBOOK", raising=False)
    monkeypatch.delenv("CAREER_WORKBOOK_HOME", raising=False)
    default = paths.default_workbook_path()
    repo = paths.package_root().parent
    assert repo not in default.parents
    assert default.name == "workbook.sqlite"


def test_open_workbook_none_uses_env(monkeypatch, tmp_path):
    target = tmp_path / "env.sqlite"
    monkeypatch.setenv("CAREER_WORKBOOK", str(target))
    with open_workbook() as wb:
        assert wb.path == target.resolve()


def test_python_dash_m_runs_the_cli(tmp_path):
    import subprocess
    import sys

    open_workbook(tmp_path / "m.sqlite").close()
    result = subprocess.run(
        [sys.executable, "-m", "workbook", "info", "--workbook", str(tmp_path / "m.sqlite")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Schema version" in result.stdout


def test_every_command_is_in_the_readme():
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for name in all_commands():
        assert f"career-workbook {name}" in readme or f"`{name} " in readme, f"{name} is not in README.md"


def test_demo_goes_where_its_help_says_even_with_career_workbook_set(runner, tmp_path, monkeypatch):
    """The help names the user data folder; CAREER_WORKBOOK (the own workbook) elsewhere does not move the demo."""
    home, own = tmp_path / "home", tmp_path / "elsewhere" / "mine.sqlite"
    monkeypatch.setenv("CAREER_WORKBOOK_HOME", str(home))
    monkeypatch.setenv("CAREER_WORKBOOK", str(own))
    helped = " ".join(runner.invoke(cli, ["demo", "--help"]).output.split())
    assert "user data folder" in helped and "next to it" not in helped
    result = runner.invoke(cli, ["demo"])
    assert result.exit_code == 0, result.output
    assert f"Demo workbook written: {home / 'demo.sqlite'}" in result.output
    assert (home / "demo.sqlite").exists() and not own.exists() and not (own.parent / "demo.sqlite").exists()


def test_report_demo_builds_the_demos_report_without_its_path(runner, tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("CAREER_WORKBOOK_HOME", str(home))
    monkeypatch.setenv("CAREER_WORKBOOK", str(tmp_path / "mine.sqlite"))
    result = runner.invoke(cli, ["report", "--demo"])
    assert result.exit_code == 0, result.output
    written = list((home / "reports").glob("*.html"))
    assert len(written) == 1 and str(written[0]) in result.output
    assert "UX research" in written[0].read_text(encoding="utf-8")  # one of the demo's three paths
    assert not (tmp_path / "mine.sqlite").exists()  # the own workbook was not created or touched


def test_report_refuses_demo_and_workbook_together(runner, tmp_path):
    result = runner.invoke(cli, ["report", "--demo", "--workbook", str(tmp_path / "x.sqlite")])
    assert result.exit_code == 2 and "--demo and --workbook" in result.output
