"""`python -m bench NAME [ARGS]`: run the benchmark module `bench/NAME.py` (its `main(argv)`)."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import bench
from streams.core.native import status


def main() -> int:
    names = sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_")
    )
    if len(sys.argv) < 2 or sys.argv[1] not in names:
        print(f"usage: python -m bench {{{'|'.join(names)}}} [ARGS]", file=sys.stderr)
        return 2
    module = importlib.import_module(f"bench.{sys.argv[1]}")
    # the stages' code: compiled by mypyc, or its Python source (LIVEBLOG_NATIVE=0 asks for it)
    print(f"stages: {status()}", flush=True)
    result: int = module.main(sys.argv[2:])
    return result


if __name__ == "__main__":
    sys.exit(main())
