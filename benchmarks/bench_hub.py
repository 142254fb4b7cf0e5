"""A career centre on one machine: 20 people starting their servers and saving insights at once.

A real JupyterHub on loopback with the deployment's configuration (``deploy/jupyterhub``), the
harness of the hub test (``tests/hub/harness.py``): throw-away system users, servers started through
the hub's REST API, code run in a kernel of each person's own server.

Baseline, measured first in the same run: one person alone on the hub (server start; kernel start
with ``open_workbook()``; 200 saves; memory). The start alone is the median of five people starting
one after another, each alone on the hub: the hub learns that a server is up by asking it after
random waits of up to 0.2, 0.4, 0.8, 1.6, 3.2 s, then 5 s, so a single start alone varies by a second
or two with the waits it happened to draw. Then 20 other people at the same time: every server
started at once, every kernel started at once, then every kernel saving 200 insights in a tight loop
from the same moment (the worst case: nobody thinks between two saves). Save latency is timed inside the kernels
around ``wb.add_insight``; memory is the resident memory of everything running as that person
(single-user server and kernel). Bounded: a fixed number of people and saves, every wait has a
timeout, and the hub, the servers and the users are removed at the end, also on failure.

Needs root, ``useradd``, ``configurable-http-proxy`` and the environment of
``deploy/jupyterhub/install.sh``; without them it says why and measures nothing (no rows).
"""

from __future__ import annotations

import importlib.util
import json
import os
import pwd
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from . import row

_HARNESS = Path(__file__).resolve().parents[1] / "tests" / "hub" / "harness.py"

OPEN = """
import json, time
from workbook import open_workbook
wb = open_workbook()
option = wb.add_option("Bench path")
criterion = wb.add_criterion("Pay", 2.0)
wb.add_insight(option, criterion, 0, note="warm-up")
"""

SAVES = """
time.sleep(max(0.0, {start_at} - time.time()))  # every kernel starts saving at the same moment
seconds = []
for i in range({saves}):
    t0 = time.perf_counter()
    wb.add_insight(option, criterion, i % 5 - 2, confidence="high", note=f"Zoë said so, save {{i}}")
    seconds.append(time.perf_counter() - t0)
assert len(wb.insights()) == {saves} + 1
print(json.dumps(seconds))
"""


def _harness():
    spec = importlib.util.spec_from_file_location("career_workbook_hub_harness", _HARNESS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _processes_of(user: str):
    uid = pwd.getpwnam(user).pw_uid
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    yield entry
            except OSError:
                continue


def _pss(proc: Path) -> int:
    """A process's proportional share of memory, in bytes (0 once it is gone)."""
    try:
        for line in (proc / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def rss_of_user(user: str) -> int:
    """Memory (bytes) of every process running as ``user``: its proportional share (PSS).

    A page shared by several processes (a server forked from the pre-started one shares its imports
    with every other server) counts for each of them in part; the resident size would count it whole
    in each.
    """
    return sum(_pss(entry) for entry in _processes_of(user))


def pss_of_tree(processes, pid: int) -> int:
    """PSS (bytes) of ``pid`` and every process under it."""
    return sum(_pss(Path(f"/proc/{found}")) for found in [pid, *(child for child, _ in processes.descendants(pid))])


def cpu_of_user(user: str) -> float:
    """CPU seconds (user + system) used so far by every process running as ``user``.

    With the children each process waited for (a program a server runs while it starts).
    """
    ticks = 0
    for entry in _processes_of(user):
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            ticks += sum(int(field) for field in fields[11:15])  # utime, stime, cutime, cstime
        except (OSError, ValueError, IndexError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_of_tree(processes, pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid`` and every process under it, with the children
    each one waited for (a program that ran and ended, such as a folder's preparation)."""
    ticks = 0
    for found in [pid, *(child for child, _ in processes.descendants(pid))]:
        try:
            fields = Path(f"/proc/{found}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += sum(int(field) for field in fields[11:15])
        except (OSError, ValueError, IndexError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


#: The crowd's p95 start may take this many times one start alone (issue 21).
START_BUDGET_RATIO = 5.0

#: How many people start alone, one after another, for the baseline of a start.
SOLO_STARTS = 5


def stop_server(hub, user: str, timeout: float = 60) -> None:
    """Stop ``user``'s server and wait until none of their processes is left."""
    hub.api("DELETE", f"/users/{user}/server")
    deadline = time.monotonic() + timeout
    while any(True for _ in _processes_of(user)) or hub.api("GET", f"/users/{user}", expect=200).json()["servers"]:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{user}'s server did not stop within {timeout} s")
        time.sleep(0.1)


def open_workbook_in_kernel(hub, user: str, retried: list | None = None) -> tuple[str, float]:
    """A new kernel on the person's server with their workbook open; seconds from the request.

    A kernel that never answers (one of twenty started at once can lose a port race, see the README)
    is stopped and another one started, once; the time counts both, and ``retried`` notes the person.
    """
    t0 = time.perf_counter()
    kernel = hub.start_kernel(user)
    try:
        hub.execute(user, kernel, OPEN)
    except (TimeoutError, RuntimeError):  # HubError is a RuntimeError
        if retried is None:
            raise
        retried.append(user)
        hub.stop_kernel(user, kernel)
        kernel = hub.start_kernel(user)
        hub.execute(user, kernel, OPEN)
    return kernel, time.perf_counter() - t0


def _row(name: str, value: float, baseline: float, note: str, unit: str | None = None) -> dict:
    result = row(name, value, baseline, note)
    if unit:  # the harness prints "bytes" as MB instead of as a time
        result["unit"] = unit
    return result


def _parallel(function, items):
    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        return list(pool.map(function, items))


def measure(people: int, saves: int) -> dict:
    harness = _harness()
    figures: dict = {"people": people, "saves": saves, "load": os.getloadavg()[0]}
    with harness.Hub() as hub:
        alone = [f"solo{i}" for i in range(SOLO_STARTS)]
        names = [*alone, *(f"p{i:02d}" for i in range(people))]
        hub.start(people=names)
        alone, crowd = [f"{hub.tag}{n}" for n in alone], [f"{hub.tag}{n}" for n in names[SOLO_STARTS:]]
        solo = alone[-1]

        # Baseline: one person alone (the median of a few, one after another; the last one goes on).
        seconds, cpu = [], []
        for person in alone:
            seconds.append(hub.start_server(person))
            cpu.append(cpu_of_user(person))
            if person != solo:
                stop_server(hub, person)
        figures["solo_starts"] = seconds
        figures["solo_start"], figures["solo_start_cpu"] = float(np.median(seconds)), float(np.median(cpu))
        figures["solo_server_rss"] = rss_of_user(solo)
        kernel, figures["solo_open"] = open_workbook_in_kernel(hub, solo)
        figures["solo_open_cpu"] = cpu_of_user(solo) - figures["solo_start_cpu"]
        figures["solo_saves"] = json.loads(hub.execute(solo, kernel, SAVES.format(saves=saves, start_at=0)))
        figures["solo_rss"] = rss_of_user(solo)
        hub.stop_kernel(solo, kernel)
        hub.api("DELETE", f"/users/{solo}/server")

        # Everyone at once.
        before = cpu_of_tree(harness.processes, hub.process.pid)
        t0 = time.perf_counter()
        figures["starts"] = _parallel(hub.start_server, crowd)
        figures["all_started"] = time.perf_counter() - t0
        figures["crowd_cpu"] = (cpu_of_tree(harness.processes, hub.process.pid) - before) / people
        figures["retried"] = []
        opened = _parallel(lambda u: open_workbook_in_kernel(hub, u, figures["retried"]), crowd)
        kernels = {u: kernel for u, (kernel, _) in zip(crowd, opened, strict=True)}
        figures["opens"] = [seconds for _, seconds in opened]
        start_at = time.time() + 2.0
        code = SAVES.format(saves=saves, start_at=start_at)
        outputs = _parallel(lambda u: hub.execute(u, kernels[u], code, timeout=300), crowd)
        figures["all_saved"] = time.time() - start_at
        figures["saves_all"] = [s for out in outputs for s in json.loads(out)]
        figures["rss"] = [rss_of_user(u) for u in crowd]
        hub_pid = hub.process.pid
        figures["hub_rss"] = pss_of_tree(harness.processes, hub_pid) - sum(figures["rss"])
    return figures


def run(quick: bool = False) -> list[dict]:
    people, saves = (5, 50) if quick else (20, 200)
    reason = _harness().missing_prerequisites()
    if reason:
        print(f"  hub: skipped, {reason}", flush=True)
        return []
    f = measure(people, saves)
    starts, opens = np.array(f["starts"]), np.array(f["opens"])
    saved, solo_saves = np.array(f["saves_all"]), np.array(f["solo_saves"])
    rss = np.array(f["rss"], dtype=float)
    crowd = f"{people} at once"
    cores = os.cpu_count() or 1
    rows = [
        _row(f"hub: server start p50 ({crowd})", float(np.percentile(starts, 50)), f["solo_start"],
            f"REST API start until ready, vs one person alone (median of {SOLO_STARTS}); load average before: "
            f"{f['load']:.1f}"),
        _row(f"hub: server start p95 ({crowd})", float(np.percentile(starts, 95)), f["solo_start"],
            f"all {people} ready after {f['all_started']:.1f} s; one start costs {f['solo_start_cpu']:.2f} CPU-s: "
            f"{people} need {people * f['solo_start_cpu'] / cores:.1f} s of {cores} cores; everything the hub ran "
            f"for the {people} (hub, proxy, servers, folder preparation): {f['crowd_cpu']:.2f} CPU-s a start; alone: "
            + " ".join(f"{t:.1f}" for t in f["solo_starts"]) + " s; "
            + f"budget {START_BUDGET_RATIO:g}×: "
            + ("ok" if np.percentile(starts, 95) <= START_BUDGET_RATIO * f["solo_start"] else "OVER BUDGET")),
        _row(f"hub: kernel start + open workbook p50 ({crowd})", float(np.percentile(opens, 50)), f["solo_open"],
            f"new kernel, import workbook, open_workbook(), first save; {f['solo_open_cpu']:.1f} CPU-s alone"
            + (f"; {len(f['retried'])} kernel(s) never answered and were started again" if f["retried"] else "")),
        _row(f"hub: save latency p50 ({crowd})", float(np.percentile(saved, 50)), float(np.percentile(solo_saves, 50)),
            f"{people} × {saves} wb.add_insight in a tight loop at once vs {saves} alone"),
        _row(f"hub: save latency p99 ({crowd})", float(np.percentile(saved, 99)), float(np.percentile(solo_saves, 99)),
            f"every save of all {people} done in {f['all_saved']:.1f} s"),
        _row(f"hub: memory per person, mean ({crowd})", rss.mean(), f["solo_rss"],
            "PSS (shared pages in part) of their server and kernel vs alone; the server without a kernel: "
            f"{f['solo_server_rss'] / 2**20:.0f} MB",
             unit="bytes"),
        _row(f"hub: memory per person, max ({crowd})", rss.max(), f["solo_rss"],
            f"hub, proxy and services: {f['hub_rss'] / 2**20:.0f} MB", unit="bytes"),
    ]  # fmt: skip
    return rows
