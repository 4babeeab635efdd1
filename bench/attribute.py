"""The attribute stage alone, per entry: the speaker ranker against the rule reader alone.

The rule reader was the whole attribute stage before the ranker; the ranker runs it, reads the
entry once more with the language data, and scores every quotation's candidates. Both run on the
same parsed stream in the same process (the seed's entries over many blog ids, and, when
`../shared/eval/dev` is present, the real articles of the development set), so the ratio holds
on a busy machine. The first call to each language's word data is made before timing.
"""

from __future__ import annotations

import argparse
import time

from bench.pipeline import stream
from schemas.codec import decode
from schemas.events import RawEntry
from streams.attribution.language import language
from streams.attribution.memory import SpeakerMemory
from streams.attribution.stage import attribute
from streams.core.models import ParsedEntry, ParseState
from streams.pipeline.parse import parse


def parsed_stream(n: int, per_blog: int) -> list[ParsedEntry]:
    out: list[ParsedEntry] = []
    states: dict[str, ParseState] = {}
    for data in stream(n, per_blog):
        raw = decode(RawEntry, data)
        entry, states[raw.blog_id] = parse(raw, states.get(raw.blog_id) or ParseState())
        out.append(entry)
    return out


def run(entries: list[ParsedEntry], *, rules_only: bool) -> float:
    memories: dict[str, SpeakerMemory] = {}
    start = time.perf_counter()
    for entry in entries:
        memory = memories.get(entry.blog_id) or SpeakerMemory()
        _, memories[entry.blog_id] = attribute(entry, memory, rules_only=rules_only)
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench attribute", description=__doc__)
    parser.add_argument("--entries", type=int, default=5_000)
    parser.add_argument("--per-blog", type=int, default=35, help="entries per blog id")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts")
    args = parser.parse_args(argv)
    entries = parsed_stream(args.entries, args.per_blog)
    for code in ("en", "de"):  # load the word data outside the timing
        lang = language(code)
        lang.is_common_word("Warmup")
        lang.is_noun("Warmup")
    rules = min(run(entries, rules_only=True) for _ in range(args.repeat))
    ranker = min(run(entries, rules_only=False) for _ in range(args.repeat))
    n = len(entries)
    print(f"stream: {n} parsed entries of the seed over {n // args.per_blog} blog ids")
    print(f"rule reader alone:  {n / rules:9,.0f} entries/s  {rules / n * 1e6:7.0f} µs/entry")
    print(f"ranker (full stage): {n / ranker:8,.0f} entries/s  {ranker / n * 1e6:7.0f} µs/entry")
    print(f"ratio ranker/rules:  {ranker / rules:.2f}x the time per entry")
    return 0
