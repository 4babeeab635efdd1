"""Stage throughput on one core: parse -> attribute -> enrich, against a JSON-only baseline.

A synthetic stream is made from the seed's entry blocks, repeated over many blog ids (so per-blog
state is exercised the way a busy worker holds it). Each record is a raw entry as JSON bytes, as it
would arrive from the raw topic. The baseline decodes and re-encodes the same JSON; the pipeline
decodes, runs every stage and encodes the enriched entry. A second pass over the same stream
times each step on its own (decode, parse, attribute, enrich, the per-blog state, encode) and
prints each one's share.

A long blog's memory fills up with people (up to `Settings.max_speakers`, 200 by default) while
the seed names only eight, so a last table times the stages on the seed's entries with 10, 50,
100 and 200 people already in each blog's memory (learned as a blog learns them: a name, a role,
a descriptor, promoted), and prints the ratio of 200 to 10: how much more an entry costs late in
a long blog than early. The people are made-up names the seed never mentions, as most of a long
blog's people go unmentioned in any one entry.
"""

from __future__ import annotations

import argparse
import random
import resource
import string
import time
from datetime import UTC, date, datetime
from pathlib import Path

from connectors.sources.files import BlogMeta, FileSource
from schemas.codec import decode, encode
from schemas.events import RawEntry
from streams.attribution.memory import SpeakerMemory
from streams.attribution.stage import attribute
from streams.pipeline.chain import BlogState, process
from streams.pipeline.enrich import enrich
from streams.pipeline.parse import parse

SEED = Path(__file__).resolve().parent.parent / "seeds" / "focus-guterres-lavrov.txt"
NOW = datetime(2022, 4, 26, 12, 0, tzinfo=UTC)


def seed_entries() -> list[RawEntry]:
    """The seed's blocks as raw entries, in order: what every synthetic stream replays."""
    source = FileSource(
        SEED,
        BlogMeta("seed", date(2022, 4, 26), "Europe/Berlin"),
        max_bytes=10**7,
        max_entry_chars=10**6,
        fetched_at=NOW,
    )
    return list(source)


def stream(n: int, entries_per_blog: int) -> list[bytes]:
    """`n` raw entries as JSON, blog after blog, each blog replaying the seed's blocks in order."""
    template = seed_entries()
    out: list[bytes] = []
    blog = 0
    while len(out) < n:
        for seq in range(min(entries_per_blog, n - len(out))):
            raw = template[seq % len(template)]
            out.append(encode(raw.model_copy(update={"blog_id": f"blog-{blog:05d}", "seq": seq})))
        blog += 1
    return out


def baseline(records: list[bytes]) -> float:
    start = time.perf_counter()
    for data in records:
        encode(decode(RawEntry, data))
    return time.perf_counter() - start


def pipeline(records: list[bytes]) -> float:
    states: dict[str, BlogState] = {}
    start = time.perf_counter()
    for data in records:
        raw = decode(RawEntry, data)
        entry, states[raw.blog_id] = process(raw, states.get(raw.blog_id) or BlogState())
        encode(entry)
    return time.perf_counter() - start


def split(records: list[bytes]) -> dict[str, float]:
    """Seconds spent in each step of `pipeline`, timed around each call (the stages as
    `chain.process` runs them; `chain` is the per-blog state kept between them)."""
    clock = time.perf_counter
    spent = dict.fromkeys(("decode", "parse", "attribute", "enrich", "chain", "encode"), 0.0)
    states: dict[str, BlogState] = {}
    for data in records:
        t0 = clock()
        raw = decode(RawEntry, data)
        t1 = clock()
        state = states.get(raw.blog_id) or BlogState()
        t2 = clock()
        parsed, parse_state = parse(raw, state.parse)
        t3 = clock()
        attribution, memory = attribute(parsed, state.memory)
        t4 = clock()
        entry = enrich(parsed, attribution, memory)
        t5 = clock()
        states[raw.blog_id] = BlogState(parse=parse_state, memory=memory)
        t6 = clock()
        encode(entry)
        t7 = clock()
        spent["decode"] += t1 - t0
        spent["parse"] += t3 - t2
        spent["attribute"] += t4 - t3
        spent["enrich"] += t5 - t4
        spent["chain"] += (t2 - t1) + (t6 - t5)
        spent["encode"] += t7 - t6
    return spent


#: roles and descriptors the made-up people of a long blog's memory are learned with
_ROLES = ("minister", "spokeswoman", "chief executive", "senator", "mayor", "coach")
_DESCRIPTORS = ("54-year-old", "labour mp", "veteran striker", "former envoy")


def crowded_memory(people: int, rng: random.Random) -> SpeakerMemory:
    """A blog's memory holding `people` made-up people, learned as the stages learn them."""
    memory = SpeakerMemory()

    def word(n: int) -> str:
        return "".join(rng.choice(string.ascii_lowercase) for _ in range(n)).title()

    while len(memory.persons) < people:
        person = memory.add(f"{word(6)} {word(8)}", role=rng.choice(_ROLES))
        memory.learn_descriptor(person, rng.choice(_DESCRIPTORS))
        memory.promote(person)
    return memory


def crowded(records: list[bytes], sizes: tuple[int, ...], blogs: int) -> dict[int, float]:
    """Seconds per entry of `records` (one blog's entries) replayed as `blogs` blogs whose
    memory starts with each number of people in `sizes`."""
    raws = [decode(RawEntry, data) for data in records]
    out: dict[int, float] = {}
    for size in sizes:
        start_memory = crowded_memory(size, random.Random(size))
        start = time.perf_counter()
        for _ in range(blogs):
            state = BlogState(memory=start_memory.clone())
            for raw in raws:
                entry, state = process(raw, state)
                encode(entry)
        out[size] = (time.perf_counter() - start) / (blogs * len(raws))
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench pipeline", description=__doc__)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--per-blog", type=int, default=35, help="entries per blog id")
    parser.add_argument(
        "--crowded-blogs", type=int, default=20, help="blogs per memory size in the last table"
    )
    args = parser.parse_args(argv)
    records = stream(args.entries, args.per_blog)
    size = sum(len(r) for r in records)
    print(
        f"stream: {len(records)} raw entries, {size / 1e6:.1f} MB of JSON, "
        f"{len(records) // args.per_blog} blog ids"
    )
    base = baseline(records)
    full = pipeline(records)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"baseline (decode + encode JSON): {len(records) / base:12,.0f} entries/s  ({base:.2f} s)"
    )
    print(f"pipeline (all stages):          {len(records) / full:12,.0f} entries/s  ({full:.2f} s)")
    print(
        f"ratio pipeline/baseline: {base / full:.3f} (the stages cost {full / base:.1f}x the JSON)"
    )
    spent = split(records)
    total = sum(spent.values())
    print(
        "per stage: "
        + ", ".join(
            f"{name} {secs:.2f} s ({secs / total:.0%}, {secs / len(records) * 1e6:.0f} µs/entry)"
            for name, secs in spent.items()
        )
    )
    print(f"peak RSS: {rss:.0f} MiB")
    sizes = (10, 50, 100, 200)
    per_entry = crowded(records[: args.per_blog], sizes, args.crowded_blogs)
    print(
        f"by people in the memory ({args.crowded_blogs} blogs of the seed's {args.per_blog} "
        "entries each): "
        + ", ".join(f"{n} people {secs * 1e6:,.0f} µs/entry" for n, secs in per_entry.items())
    )
    print(
        f"ratio 200 people/10 people: {per_entry[200] / per_entry[10]:.2f} "
        "(the time per entry late in a long blog against early)"
    )
    return 0
