"""Matching cost against the number of subscriptions: 10, 1,000 and 10,000 on the same stream.

The stream is the seed's entries (run through the pipeline once, then matched many times). The
first 10 subscriptions are realistic ones on the seed's people and words; the others are made
up of words, phrases, speakers and blogs that the stream does not contain, as most of a large
subscriber base's filters are for any one entry. Every run gives the same alerts; what is
measured is how the cost of an entry grows with the subscriptions that do not match it: one
Aho-Corasick pass plus the candidates' boolean checks should not grow at all.

    python -m bench match [--subs 10,1000,10000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import random
import string
import time
from datetime import UTC, datetime
from pathlib import Path

from connectors.sources.files import FileSource
from schemas.events import EnrichedEntry, Subscription
from streams.alerts.matching import Matcher
from streams.cli.replay import build_meta, raw_items
from streams.runtime.embedded.runner import EmbeddedRunner

SEED = Path(__file__).resolve().parent.parent / "seeds" / "focus-guterres-lavrov.txt"
NOW = datetime(2022, 4, 26, 12, 0, tzinfo=UTC)

REAL = [
    "speaker:lavrov (veto OR ceasefire)",
    "speaker:guterres veto",
    '"security council"',
    "ukraine russia -speaker:guterres",
    "mariupol OR mariupiol kind:entry",
    "speaker:guterres (war OR crisis)",
    '"human rights" OR investigators',
    "nato west",
    "taliban OR afghanistan",
    "multilateralism lang:en",
]


def entries() -> list[EnrichedEntry]:
    meta = build_meta(SEED, blog=None, date=None, tz=None, order=None)
    source = FileSource(SEED, meta, max_bytes=10**7, max_entry_chars=10**6, fetched_at=NOW)
    runner = EmbeddedRunner([])
    out = [r for item in raw_items(source, source.blocks()) for r in runner.handle(item)]
    return [r for r in out if isinstance(r, EnrichedEntry)]


def _word(rng: random.Random) -> str:
    return "q" + "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(5, 9)))


def made_up(n: int, rng: random.Random) -> list[str]:
    """Filters in every shape of the language, over words no entry contains."""
    out = []
    for i in range(n):
        a, b, c = _word(rng), _word(rng), _word(rng)
        shape = i % 6
        if shape == 0:
            out.append(f"{a} {b}")
        elif shape == 1:
            out.append(f"speaker:{a} ({b} OR {c})")
        elif shape == 2:
            out.append(f'"{a} {b}" -{c}')
        elif shape == 3:
            out.append(f"blog:{a}-* {b}")
        elif shape == 4:
            out.append(f"({a} OR {b}) kind:quote lang:en")
        else:
            out.append(f"speaker:{a}")
    return out


def measure(
    stream: list[EnrichedEntry], filters: list[str], rounds: int
) -> tuple[float, float, int]:
    """(build seconds, best seconds per entry, hits per pass)."""
    t0 = time.perf_counter()
    matcher = Matcher(Subscription(id=f"s{i}", filter=f) for i, f in enumerate(filters))
    hits = len([h for e in stream for h in matcher.match_entry(e)])  # builds the automaton
    build = time.perf_counter() - t0
    best = float("inf")
    for _ in range(rounds):
        passes = 0
        t0 = time.perf_counter()
        while True:
            for entry in stream:
                matcher.match_entry(entry)
            passes += 1
            took = time.perf_counter() - t0
            if took >= 0.5:
                break
        best = min(best, took / (passes * len(stream)))
    return build, best, hits


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench match")
    parser.add_argument("--subs", default="10,1000,10000", help="subscription counts")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (best is kept)")
    args = parser.parse_args(argv)
    counts = [int(c) for c in args.subs.split(",")]
    stream = entries()
    quotes = sum(len(e.quotes) for e in stream)
    rng = random.Random(42)
    extra = made_up(max(counts), rng)
    print(f"stream: {len(stream)} entries, {quotes} quotes (each entry and quote is matched)")
    print(f"{'subscriptions':>13} {'build s':>9} {'µs/entry':>10} {'entries/s':>10} {'hits':>5}")
    results: dict[int, float] = {}
    for n in counts:
        filters = REAL[: min(n, len(REAL))] + extra[: max(n - len(REAL), 0)]
        build, per_entry, hits = measure(stream, filters, args.rounds)
        results[n] = per_entry
        print(f"{n:>13,} {build:>9.3f} {per_entry * 1e6:>10.1f} {1 / per_entry:>10,.0f} {hits:>5}")
    if 10 in results and 10_000 in results:
        print(f"ratio 10,000 : 10 = {results[10_000] / results[10]:.2f} (target <= 1.5)")
    return 0
