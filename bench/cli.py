"""Start-up time of the command line: `liveblog --help` in a fresh interpreter.

The CLI imports each command's dependencies inside the command, so the help costs Python, Typer
and Rich only; the target is under 0.5 s. The baseline is a bare `python -c pass` measured in the
same run, so the figure can be read on any machine.

    python -m bench cli [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def _median(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench cli", description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    here = Path(sys.executable).parent / "liveblog"
    liveblog = str(here) if here.exists() else shutil.which("liveblog") or "liveblog"
    bare = _median([sys.executable, "-c", "pass"], args.runs)
    helps = _median([liveblog, "--help"], args.runs)
    print(f"python -c pass:   {bare:.3f} s (median of {args.runs})")
    print(
        f"liveblog --help:  {helps:.3f} s (median of {args.runs}; "
        f"{'under' if helps < 0.5 else 'OVER'} the 0.5 s target)"
    )
    return 0
