"""What the wheel ships: the whole package (templates included), the data and the notebooks."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_ships_the_package_the_data_and_the_notebooks():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    wheel = config["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert wheel["packages"] == ["workbook"]
    assert wheel["force-include"] == {"data": "workbook/_shipped/data", "notebooks": "workbook/_shipped/notebooks"}
    assert config["project"]["scripts"]["career-workbook"] == "workbook.cli:main"


#: Folders of the package that hold data, not code: the app's Voilà template is found through $JUPYTER_PATH.
DATA_FOLDERS = {"jupyter"}


def test_templates_and_subpackages_live_inside_the_package():
    assert (ROOT / "workbook" / "report" / "templates" / "report.html").is_file()
    assert (ROOT / "workbook" / "report" / "common_words.txt").is_file()
    assert (ROOT / "workbook" / "jupyter" / "voila" / "templates" / "career-workbook" / "index.html.j2").is_file()
    for folder in (ROOT / "workbook").iterdir():
        if folder.is_dir() and folder.name not in {"__pycache__", *DATA_FOLDERS}:
            assert (folder / "__init__.py").is_file(), f"{folder.name}/ is not a package"
    for folder in DATA_FOLDERS:
        assert not list((ROOT / "workbook" / folder).rglob("*.py")), f"{folder}/ holds data only"
