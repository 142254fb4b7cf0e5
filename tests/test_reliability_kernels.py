"""Two real Jupyter kernels saving into one workbook at once lose nothing; a backup restores every row."""

from __future__ import annotations

import ast
import os
import textwrap
import time

import pandas as pd
import pytest
from jupyter_client import KernelManager

from workbook import open_workbook
from workbook.store.backup import backup_workbook, restore_workbook
from workbook.store.fields import ARCHIVABLE, FIELDS

SAVES_PER_KERNEL = 200
NOTE = "Zoë Ñúñez — 研究者 said so, save {i} from kernel {k}"


@pytest.fixture
def kernels(tmp_path):
    """Two started kernels (their own processes) with clients ready to execute code."""
    env = {**os.environ, "CAREER_WORKBOOK": str(tmp_path / "unused.sqlite"), "IPYTHONDIR": str(tmp_path / "ipy")}
    started = []
    try:
        for _ in range(2):
            manager = KernelManager(kernel_name="python3")
            manager.start_kernel(env=env)
            client = manager.client()
            client.start_channels()
            client.wait_for_ready(timeout=60)
            started.append((manager, client))
        yield [client for _, client in started]
    finally:
        for manager, client in started:
            client.stop_channels()
            manager.shutdown_kernel(now=True)


def _reply(client, msg_id: str, timeout: float = 120) -> dict:
    while True:
        msg = client.get_shell_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg["content"]


def _run_at_once(clients, codes: list[str]) -> list[tuple[float, float]]:
    """Send one cell to each kernel, wait for every reply; return each kernel's ``span`` (start, end)."""
    ids = [
        client.execute(code, store_history=False, user_expressions={"span": "span"})
        for client, code in zip(clients, codes, strict=True)
    ]
    spans = []
    for client, msg_id in zip(clients, ids, strict=True):
        reply = _reply(client, msg_id)
        assert reply["status"] == "ok", f"{reply.get('ename')}: {reply.get('evalue')}"
        spans.append(ast.literal_eval(reply["user_expressions"]["span"]["data"]["text/plain"]))
    return spans


def _saving_cell(path, k: int, option_id: int, criterion_id: int, start_at: float) -> str:
    return textwrap.dedent(
        f"""
        import time
        import workbook
        wb = workbook.open_workbook({str(path)!r})
        while time.time() < {start_at!r}:  # both kernels start saving at the same moment
            time.sleep(0.005)
        started = time.time()
        for i in range({SAVES_PER_KERNEL}):
            wb.add_insight({option_id}, {criterion_id}, i % 5 - 2, confidence="high",
                           note={NOTE!r}.format(i=i, k={k}))
        span = (started, time.time())
        wb.close()
        """
    )


@pytest.mark.slow
def test_two_kernels_saving_at_once_lose_nothing(kernels, tmp_path):
    path = tmp_path / "shared.sqlite"
    with open_workbook(path) as wb:
        option = wb.add_option("UX research")
        criterion = wb.add_criterion("Pay", 2.0)
    start_at = time.time() + 1.0
    spans = _run_at_once(kernels, [_saving_cell(path, k, option, criterion, start_at) for k in (1, 2)])

    with open_workbook(path) as wb:
        saved = wb.insights()
    expected = {NOTE.format(i=i, k=k) for k in (1, 2) for i in range(SAVES_PER_KERNEL)}
    assert len(saved) == 2 * SAVES_PER_KERNEL
    assert set(saved["note"]) == expected
    assert saved["id"].is_unique
    by_kernel = saved.groupby(saved["note"].str.extract(r"kernel (\d)$")[0])["stance"].apply(list)
    assert by_kernel.to_dict() == {k: [i % 5 - 2 for i in range(SAVES_PER_KERNEL)] for k in ("1", "2")}
    # the kernels really were saving at the same time: neither finished before the other started
    assert max(start for start, _ in spans) < min(end for _, end in spans), spans


def _every_table(wb) -> dict[str, pd.DataFrame]:
    tables = {}
    for name in [*FIELDS, "conversation_events", "settings"]:
        frame = wb.table(name, include_archived=True) if name in ARCHIVABLE else wb.table(name)
        sort = ["id"] if "id" in frame.columns else list(frame.columns)
        tables[name] = frame.sort_values(sort).reset_index(drop=True)
    return tables


def test_restoring_a_backup_round_trips_every_row(demo_wb, tmp_path):
    demo_wb.add_insight(
        int(demo_wb.options()["id"].iloc[0]), int(demo_wb.criteria()["id"].iloc[0]), -2,
        note="Zoë Ñúñez — 研究者: <script>alert(1)</script>\nsecond line",
    )  # fmt: skip
    demo_wb.archive("contacts", int(demo_wb.contacts()["id"].iloc[0]))
    demo_wb.set_setting("source_reliability", {"interview": 1.0, "online-review": 0.25})
    before = _every_table(demo_wb)
    assert sum(len(t) for t in before.values()) > 50

    backup = backup_workbook(demo_wb, tmp_path / "backup.sqlite")
    # after the backup, the workbook changes: a new row, an edit, an archive
    demo_wb.add_option("Changed my mind")
    demo_wb.update_criterion(int(demo_wb.criteria()["id"].iloc[0]), weight=99.0)
    demo_wb.archive("options", int(demo_wb.options()["id"].iloc[0]))
    assert not _every_table(demo_wb)["options"].equals(before["options"])

    result = restore_workbook(backup, demo_wb.path)
    assert result.replaced_backup is not None and result.replaced_backup.exists()
    with open_workbook(demo_wb.path) as restored:
        after = _every_table(restored)
    assert after.keys() == before.keys()
    for name in before:
        pd.testing.assert_frame_equal(after[name], before[name], check_dtype=True, obj=name)
    # the open workbook sees the restored data too
    assert len(demo_wb.options(include_archived=True)) == len(before["options"])
