"""``python -m benchmarks [--quick] [--only NAME ...] [--json FILE]``: time the workbook at scale.

Every line is a figure next to a baseline measured in the same run, and their
ratio. ``--quick`` uses smaller sizes and fewer runs (under a minute).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
import traceback

#: Benchmark modules in the order they run; each has ``run(quick) -> list[dict]``.
MODULES = ["startup", "notebooks", "open", "save", "compare", "report", "hub", "app", "suite"]


def _seconds(value: float) -> str:
    if value < 1e-3:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1e3:.1f} ms"
    return f"{value:.2f} s"


def _figure(r: dict, key: str) -> str:
    """A measurement as a time, or as MB for rows with ``"unit": "bytes"``."""
    return f"{r[key] / 2**20:.0f} MB" if r.get("unit") == "bytes" else _seconds(r[key])


def markdown_table(results: list[dict]) -> str:
    lines = ["| benchmark | time | baseline | ratio | what is compared |", "|---|---:|---:|---:|---|"]
    for r in results:
        lines.append(
            f"| {r['name']} | {_figure(r, 'seconds')} | {_figure(r, 'baseline_seconds')} "
            f"| {r['ratio']:.2f}× | {r['note']} |"
        )
    return "\n".join(lines)


def machine() -> str:
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer runs (under a minute)")
    parser.add_argument("--only", nargs="+", choices=MODULES, metavar="NAME", help=f"run only these: {MODULES}")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args(argv)

    print(f"Career Workbook benchmarks{' (quick)' if args.quick else ''} on {machine()}", flush=True)
    results: list[dict] = []
    failed: list[str] = []
    started = time.perf_counter()
    for name in args.only or MODULES:
        t0 = time.perf_counter()
        try:
            module = importlib.import_module(f".bench_{name}", __package__)
            rows = module.run(quick=args.quick)
        except Exception:  # noqa: BLE001 - one broken benchmark must not hide the others' figures
            traceback.print_exc()
            failed.append(name)
            print(f"  {name}: FAILED", flush=True)
            continue
        for r in rows:
            print(
                f"  {r['name']:<45} {_figure(r, 'seconds'):>10}   baseline {_figure(r, 'baseline_seconds'):>10}"
                f"   ratio {r['ratio']:6.2f}×",
                flush=True,
            )
        print(f"  ({name} took {time.perf_counter() - t0:.0f} s)", flush=True)
        results.extend(rows)
    print(f"\nAll done in {time.perf_counter() - started:.0f} s.\n")
    print(markdown_table(results))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"machine": machine(), "quick": args.quick, "results": results}, fh, indent=2)
    if failed:
        print(f"\nFailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    over = [r["name"] for r in results if "OVER BUDGET" in r["note"]]
    if over:
        print(f"\nOver budget: {', '.join(over)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
