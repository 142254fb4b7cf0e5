"""The layers of ``workbook/`` (see ARCHITECTURE.md): a module imports only from its own layer or below.

Every module of the package is parsed (not imported) and each ``import`` is
checked, including imports deferred into a function body.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "workbook"

#: Layer of each top-level part of the package, lowest first. Same layer may import each other.
LAYERS = {
    "errors": 0,
    "paths": 0,
    "formatting": 0,
    "app_session": 0,
    "textsafety": 0,
    "compat": 0,
    "files": 0,
    "parallel": 0,
    "store": 1,
    "people": 2,
    "outreach": 2,
    "prepare": 2,
    "evidence": 2,
    "charts": 3,
    "report": 4,
    "forms": 5,
    "demo": 5,
    "notebook": 6,
    "public": 5,
    "cli": 6,
    "__init__": 7,
    "__main__": 7,
}

#: Third-party packages only some parts may import: widgets and the notebook kernel only in
#: forms and the notebook glue, plotting only from charts up.
RESTRICTED = {
    "ipywidgets": {"forms", "notebook"},
    "IPython": {"forms", "notebook"},
    "matplotlib": {"charts", "report", "forms", "notebook", "cli"},
}

#: Deliberate upward imports, deferred into a function body. Each needs a reason.
#: Upward imports allowed inside a function: none (the analysis is functions over a snapshot).
DEFERRED_EXCEPTIONS: set[tuple[str, str]] = set()


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _dotted(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def _part(dotted: str, path: Path | None = None) -> str:
    parts = dotted.split(".")
    if len(parts) == 1:  # the package itself: workbook/__init__.py
        return "__main__" if path is not None and path.stem == "__main__" else "__init__"
    return parts[1]


def _imports(path: Path) -> list[tuple[str, bool, int]]:
    """(absolute module imported, deferred into a function?, line) for each import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = _dotted(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, bool, int]] = []

    def visit(node: ast.AST, deferred: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = deferred or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((alias.name, deferred, child.lineno) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - (child.level - 1)]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module or ""
                if target == "workbook" or (child.level and not child.module):
                    found.extend((f"{target}.{alias.name}", deferred, child.lineno) for alias in child.names)
                else:
                    found.append((target, deferred, child.lineno))
            visit(child, inner)

    visit(tree, False)
    return found


def _layer_of_target(target: str) -> str | None:
    parts = target.split(".")
    if parts[0] != "workbook":
        return None
    if len(parts) == 1:
        return "__init__"
    return parts[1]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_no_module_imports_a_higher_layer(path):
    module = _dotted(path)
    own = _part(module, path)
    assert own in LAYERS, f"{module}: add its part {own!r} to LAYERS and to ARCHITECTURE.md"
    wrong = []
    for target, deferred, line in _imports(path):
        other = _layer_of_target(target)
        if other is None:
            top = target.split(".")[0]
            if top in RESTRICTED and own not in RESTRICTED[top]:
                wrong.append(f"line {line}: {own} may not import {top}")
            continue
        assert other in LAYERS, f"{module} line {line}: unknown part {other!r}"
        if LAYERS[other] > LAYERS[own]:
            allowed = deferred and any(
                module == m and (target == t or target.startswith(t + ".")) for m, t in DEFERRED_EXCEPTIONS
            )
            if not allowed:
                wrong.append(f"line {line}: {own} (layer {LAYERS[own]}) imports {target} (layer {LAYERS[other]})")
    assert not wrong, f"{module}:\n" + "\n".join(wrong)


def test_every_part_of_the_package_has_a_layer():
    parts = {_part(_dotted(p), p) for p in _modules()}
    assert parts <= set(LAYERS), parts - set(LAYERS)


def test_the_checker_sees_a_violation(tmp_path):
    """The parser finds relative, absolute and deferred imports (so the test above cannot pass empty)."""
    found = _imports(PACKAGE / "store" / "workbook.py")
    targets = {t for t, _, _ in found}
    assert "workbook.errors.NotFoundError" in targets or "workbook.errors" in targets
    assert any(t.startswith("workbook.store.") for t in targets)
    forms = {t for t, _, _ in _imports(PACKAGE / "forms" / "base.py")}
    assert "ipywidgets" in forms


def _type_only_lines(path: Path) -> set[int]:
    """Lines inside ``if TYPE_CHECKING:`` blocks (imports for the type checker only: never run)."""
    lines: set[int] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for inner in node.body:
                lines.update(range(inner.lineno, (inner.end_lineno or inner.lineno) + 1))
    return lines


def _module_graph() -> dict[str, set[str]]:
    """Each package module -> the package modules it imports (at the top or inside a function, when called)."""
    known = {_dotted(p) for p in _modules()}
    graph: dict[str, set[str]] = {}
    for path in _modules():
        edges = set()
        type_only = _type_only_lines(path)
        for target, _deferred, line in _imports(path):
            if line in type_only:
                continue
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != _dotted(path):
                edges.add(target)
        graph[_dotted(path)] = edges
    return graph


def test_no_import_circle():
    """No module imports itself back through others (a circle makes the import order matter)."""
    graph = _module_graph()
    parents = {m: {m.rpartition(".")[0]} for m in graph}  # importing a.b.c runs a/__init__ and a.b/__init__
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for other in sorted(graph[module] - parents[module]):
            if other not in graph:
                continue
            if state.get(other) == 1:
                return path[path.index(other) :] + [other]
            if other not in state and (circle := visit(other)):
                return circle
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (circle := visit(module)):
            raise AssertionError(" -> ".join(circle))


# ------------------------------------------------------------------ fixtures
TESTS = Path(__file__).resolve().parent


def _is_fixture(function: ast.FunctionDef) -> bool:
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if (target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")) == "fixture":
            return True
    return False


def _attributes_hung_on_parameters(source: str) -> list[str]:
    """``param.name = ...`` (or ``param.name[key] = ...``) inside a fixture, for each of its parameters."""
    found = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef) or not _is_fixture(function):
            continue
        parameters = {a.arg for a in function.args.args + function.args.kwonlyargs}
        for node in ast.walk(function):
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AugAssign | ast.AnnAssign):
                targets = [node.target]
            else:
                continue
            for target in [e for t in targets for e in (t.elts if isinstance(t, ast.Tuple) else [t])]:
                while isinstance(target, ast.Subscript):
                    target = target.value
                if isinstance(target, ast.Attribute) and getattr(target.value, "id", None) in parameters:
                    found.append(f"{function.name}, line {node.lineno}: {ast.unparse(target)}")
    return found


def test_fixtures_give_ids_back_instead_of_hanging_them_on_the_workbook():
    """A fixture that adds records returns their ids (``filled_ids``), never sets them on the workbook it got:
    a workbook is the package's object, and what a test hangs on it a form or the store might find."""
    hung = {
        str(path.relative_to(TESTS)): found
        for path in sorted(TESTS.rglob("*.py"))
        if (found := _attributes_hung_on_parameters(path.read_text(encoding="utf-8")))
    }
    assert not hung, hung


def test_the_fixture_checker_sees_ids_hung_on_a_workbook():
    old = (
        "@pytest.fixture\ndef filled(wb):\n    wb.ids = dict(o1=1)\n    return wb\n\n"
        "@pytest.fixture()\ndef planned(people):\n    people.ids['v'] = 3\n    return people\n\n"
        "def helper(page):\n    page.seen = []\n"
    )
    assert _attributes_hung_on_parameters(old) == ["filled, line 3: wb.ids", "planned, line 8: people.ids"]
