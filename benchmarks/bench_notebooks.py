"""Running every guided notebook against running as many empty notebooks (the kernel-start floor).

Both are executed in this process with nbclient, each notebook in a new kernel,
on a fresh temporary workbook (``$CAREER_WORKBOOK``).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from workbook import paths

from . import row


def guided_notebooks() -> list[Path]:
    return sorted(paths.notebooks_dir().glob("[0-9][0-9]_*.ipynb"))


def _empty() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("pass")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def execute(nb: nbformat.NotebookNode, folder: Path) -> None:
    """Run ``nb`` in a new kernel (its start-up warnings on stderr are dropped; cell errors still raise)."""
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(folder)}})
    client.execute(stderr=subprocess.DEVNULL)


def time_all(notebooks: list[nbformat.NotebookNode], folder: Path) -> float:
    """Seconds to run each notebook in turn on a new workbook in ``folder``."""
    workbook_file = folder / "wb.sqlite"
    for leftover in folder.glob("wb.sqlite*"):
        leftover.unlink()
    saved = os.environ.get("CAREER_WORKBOOK")
    os.environ["CAREER_WORKBOOK"] = str(workbook_file)  # kernels inherit it
    try:
        start = time.perf_counter()
        for nb in notebooks:
            execute(nbformat.from_dict(nb), folder)
        return time.perf_counter() - start
    finally:
        if saved is None:
            os.environ.pop("CAREER_WORKBOOK")
        else:
            os.environ["CAREER_WORKBOOK"] = saved


def run(quick: bool = False) -> list[dict]:
    files = guided_notebooks()
    if not files:
        raise RuntimeError(f"no guided notebooks in {paths.notebooks_dir()}")
    everything = len(files)
    if quick:  # the first half, in order: enough to see the ratio, in half the time
        files = files[: max(1, everything // 2)]
    guided = [nbformat.read(f, as_version=4) for f in files]
    empty = [_empty() for _ in files]
    runs = 1 if quick else 3
    with tempfile.TemporaryDirectory(prefix="cw-bench-nb-") as tmp:
        folder = Path(tmp)
        time_all(empty[:1], folder)  # warm the file cache
        pairs = [(time_all(guided, folder), time_all(empty, folder)) for _ in range(runs)]  # alternate: same load
    guided_s = statistics.median(g for g, _ in pairs)
    empty_s = statistics.median(e for _, e in pairs)
    return [
        row(
            f"run {'all ' if len(files) == everything else ''}{len(files)} guided notebooks",
            guided_s,
            empty_s,
            f"nbclient in-process, new workbook, vs {len(files)} one-cell notebooks; median of {runs}",
        )
    ]
