"""Peak memory of a 500-person round (open, deliver, close, digest); prints a table.

Run: .venv/bin/python -m benchmarks.memory
"""

from __future__ import annotations

import asyncio
import tempfile
import tracemalloc
from datetime import timedelta
from pathlib import Path

from benchmarks.conftest import make_team


async def measure(size: int, directory: Path) -> tuple[int, int]:
    tracemalloc.start()
    ripple, sender, clock = await make_team(directory / f"m{size}.db", size)
    await ripple.tick()
    await ripple.drain(limit=size)
    clock.advance(timedelta(days=4))
    await ripple.tick()
    await ripple.drain(limit=size)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    await ripple.store.close()
    assert len(sender.delivered) >= size
    return current, peak


def main() -> None:
    print(f"{'people':>8} {'held after (KiB)':>18} {'peak (KiB)':>12}")
    with tempfile.TemporaryDirectory() as scratch:
        for size in (50, 500, 2000):
            current, peak = asyncio.run(measure(size, Path(scratch)))
            print(f"{size:>8} {current // 1024:>18} {peak // 1024:>12}")


if __name__ == "__main__":
    main()
