"""Memory of a long replay: 1,000,000 entries over 10,000 blogs through the embedded runner.

The entries are the seed's blocks (as `bench.pipeline` makes them), generated one at a time and
passed through JSON as they would arrive from the raw topic, so the stream itself holds nothing.
The blogs are interleaved, entry `i` going to blog `i % blogs`, the way a worker following many
live blogs sees them: every blog has its state from early on, and what grows later is what grows
per entry (a blog's speaker memory, parse state, the runner's counters), not the number of blogs.

`--fresh-names` renames the seed's people in every entry (Guterres, Lavrov, ... with a suffix of
letters per entry), so each entry brings new people and a blog's speaker memory fills up to its
limit (`--max-speakers`, `Settings.max_speakers`); a huge limit shows what an unbounded memory
would cost.

Every `--every` entries it prints the resident set (VmRSS), its peak (VmHWM) and the mean size
of a blog's state as JSON (what a Kafka checkpoint holds); at the end, how much the peak grew
between 20 % of the run (200,000 of 1,000,000 entries; `--mark`) and its end.
"""

from __future__ import annotations

import argparse
import gc
import re
import resource
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from pydantic import BaseModel

from bench.pipeline import seed_entries
from schemas.codec import decode, encode
from schemas.events import RawEntry
from streams.attribution.memory import DEFAULT_LIMIT, SpeakerMemory
from streams.runtime.embedded.runner import EmbeddedRunner

#: the peak may grow at most this much between 20 % of the run and its end
GROWTH_LIMIT = 0.20


#: the seed's people, renamed in each entry by `--fresh-names`
_SEED_SURNAMES = re.compile(r"\b(Guterres|Lavrov|Putin|Zelenskyj)")


def _letters(n: int) -> str:
    """`n` written in the letters a-z (0 is "a", 26 is "ba"): a name suffix without digits."""
    out = ""
    while True:
        n, digit = divmod(n, 26)
        out = chr(ord("a") + digit) + out
        if n == 0:
            return out


def entries(n: int, blogs: int, *, fresh_names: bool = False) -> Iterator[RawEntry]:
    """`n` raw entries over `blogs` interleaved blogs, each replaying the seed's blocks in order;
    made one at a time and decoded from JSON, as from the raw topic. `fresh_names`: the seed's
    people are renamed in each entry ("Guterresab" in entry 1), so every entry names new people."""
    template = seed_entries()
    for i in range(n):
        seq = i // blogs
        raw = template[seq % len(template)]
        update: dict[str, object] = {"blog_id": f"blog-{i % blogs:05d}", "seq": seq}
        if fresh_names:
            update["raw"] = _SEED_SURNAMES.sub(rf"\1{_letters(seq)}", raw.raw)
        data = encode(raw.model_copy(update=update))
        yield decode(RawEntry, data)


class _Discard:
    """A sink that counts what it is given and keeps nothing."""

    def __init__(self) -> None:
        self.records = 0

    def write(self, records: Sequence[BaseModel]) -> None:
        self.records += len(records)

    def close(self) -> None:
        pass


def _status() -> dict[str, float]:
    """VmRSS and VmHWM of this process in MiB (from /proc; the peak from getrusage elsewhere)."""
    found: dict[str, float] = {}
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    found[key] = int(value.split()[0]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    found.setdefault("VmHWM", peak)
    found.setdefault("VmRSS", peak)
    return found


def _state_sizes(runner: EmbeddedRunner) -> tuple[float, int, float]:
    """Mean JSON size of a blog's state, the largest, and the mean people in a memory."""
    sizes = [len(state.model_dump_json()) for state in runner.states.values()]
    people = [len(state.memory.persons) for state in runner.states.values()]
    if not sizes:
        return 0.0, 0, 0.0
    return sum(sizes) / len(sizes), max(sizes), sum(people) / len(people)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench memory", description=__doc__)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--blogs", type=int, default=10_000)
    parser.add_argument("--every", type=int, default=None, help="report interval (entries/10)")
    parser.add_argument(
        "--fresh-names", action="store_true", help="new people in every entry (fills memories)"
    )
    parser.add_argument(
        "--max-speakers", type=int, default=DEFAULT_LIMIT, help="people a blog's memory keeps"
    )
    parser.add_argument(
        "--mark", type=int, default=None, help="growth measured from here (entries/5)"
    )
    args = parser.parse_args(argv)
    every = args.every or max(1, args.entries // 10)
    mark = args.mark or args.entries // 5  # 200,000 of 1,000,000
    sink = _Discard()
    runner = EmbeddedRunner(
        [sink],
        clock=lambda: datetime(2022, 4, 26, 12, tzinfo=UTC),
        memory=SpeakerMemory(limit=args.max_speakers),
    )
    names = "new people in every entry" if args.fresh_names else "the seed's people"
    print(
        f"replay: {args.entries:,} entries over {args.blogs:,} interleaved blogs (the seed's "
        f"blocks, {names}; memory limit {args.max_speakers:,} people), report every {every:,}; "
        f"start {_status()['VmRSS']:.0f} MiB"
    )
    print(
        f"{'entries':>10} {'entries/s':>10} {'VmRSS MiB':>10} {'VmHWM MiB':>10} "
        f"{'state B':>8} {'max B':>8} {'people':>7}"
    )
    at_mark: float | None = None
    start = time.perf_counter()
    stream = entries(args.entries, args.blogs, fresh_names=args.fresh_names)
    for done, raw in enumerate(stream, start=1):
        runner.handle(raw)
        if done % every == 0 or done == args.entries:
            runner.flush()
            gc.collect()
            status = _status()
            mean, largest, people = _state_sizes(runner)
            rate = done / (time.perf_counter() - start)
            print(
                f"{done:>10,} {rate:>10,.0f} {status['VmRSS']:>10.1f} {status['VmHWM']:>10.1f} "
                f"{mean:>8,.0f} {largest:>8,} {people:>7.1f}",
                flush=True,
            )
            if at_mark is None and done >= mark:
                at_mark = status["VmHWM"]
    runner.close()
    end = _status()["VmHWM"]
    assert at_mark is not None
    growth = (end - at_mark) / at_mark
    verdict = "ok" if growth < GROWTH_LIMIT else "TOO MUCH"
    print(
        f"peak RSS {at_mark:.1f} MiB at {mark:,} entries, {end:.1f} MiB at {args.entries:,}: "
        f"growth {growth:+.1%} (limit {GROWTH_LIMIT:.0%}: {verdict}); "
        f"{len(runner.states):,} blog states, {runner.stats.dead_letters} dead letters, "
        f"{sink.records:,} records written"
    )
    return 0 if growth < GROWTH_LIMIT else 1
