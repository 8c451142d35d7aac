"""What one Ripple process costs at rest, and what drawing trend charts adds; prints a table.

Run: .venv/bin/python -m benchmarks.footprint

- A cold `ripple serve` (SQLite, production with RIPPLE_ALLOW_SQLITE) until /readyz
  answers: its resident memory.
- A fresh process drawing the same 8-week, three-series chart (with a gap) as a digest
  carries: the time of the first drawing (matplotlib imports then), of later ones, and the
  memory it adds.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.cli import ripple_command, ripple_env, run_ripple, sqlite_url
from tests.http.test_app import free_port

DRAW = r"""
import json, resource, time
from adapters.charts import render_chart
from bot.outgoing import TrendChart, TrendSeries

def rss_kib():
    with open("/proc/self/status") as status:
        return next(int(l.split()[1]) for l in status if l.startswith("VmRSS"))

weeks = tuple(f"2026-W{w}" for w in range(36, 44))
series = tuple(
    TrendSeries(signal=s, label=s, points=(3.1, 3.4, None, 3.8, 3.6, 3.9, 4.1, 3.7), low=1, high=5)
    for s in ("workload", "energy")
) + (TrendSeries(signal="real_rest", label="rest", points=(0.2, 0.3, None, 0.4, 0.3, 0.5, 0.4, 0.3), low=0, high=1),)
before = rss_kib()
times, size = [], 0
for i in range(6):
    chart = TrendChart(title=f"Recent check-ins {i}", periods=weeks, series=series, alt_text="a", gap_label="g")
    start = time.perf_counter()
    size = len(render_chart(chart))
    times.append(time.perf_counter() - start)
print(json.dumps({"before": before, "after": rss_kib(), "first": times[0], "warm": sorted(times[1:])[2], "bytes": size}))
"""


def serve_rss(directory: Path) -> int:
    env = ripple_env(database_url=sqlite_url(directory / "r.db"))
    assert run_ripple("migrate", cwd=directory, env=env).returncode == 0
    port = free_port()
    process = subprocess.Popen(
        ripple_command("serve", "--port", str(port)),
        cwd=directory,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        status = Path(f"/proc/{process.pid}/status").read_text()
        return next(
            int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")
        )
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        rss = serve_rss(Path(scratch))
    drawn = json.loads(
        subprocess.run(
            [sys.executable, "-c", DRAW], capture_output=True, text=True, check=True
        ).stdout
    )
    print(f"{'what':<44} {'value':>12}")
    print(f"{'idle ripple serve, resident memory':<44} {rss / 1024:>9.0f} MiB")
    print(
        f"{'memory added by drawing charts':<44} {(drawn['after'] - drawn['before']) / 1024:>9.0f} MiB"
    )
    print(f"{'first chart in a process':<44} {drawn['first']:>10.2f} s")
    print(f"{'later chart (median of 5)':<44} {drawn['warm']:>10.2f} s")
    print(f"{'chart PNG size':<44} {drawn['bytes'] / 1024:>8.0f} KiB")


if __name__ == "__main__":
    main()
