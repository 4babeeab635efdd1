"""Matching cost per entry with 10, 1,000 and 10,000 subscriptions, realistic and best case.

The stream is the seed and the blogs of `tests/fixtures/blogs` (and the dev live blogs of
`../shared/eval/dev/liveblogs/text` when they are there: read at run time, never copied), run
through the pipeline once, then matched many times. Each entry and each of its quotes is matched.

Realistic subscriptions are drawn (seeded random, so every run has the same ones) from the words
and people of that same text, as a subscriber base following these blogs would write them. The
words are the stream's words of four letters or more, less common function words, each distinct
word as likely as any other (a subscriber names a topic, not a frequent word); phrases are two
such words side by side in the text; speakers are the people the pipeline found, by surname or
full name; blogs are the stream's blog ids. The mix, in shares of the subscriptions:

     3 %  one word                              budget
    22 %  two words                             budget vote
    15 %  a phrase                              "security council"
    10 %  an OR-group (2-3 words) and a word    (veto OR ceasefire OR sanctions) council
     3 %  a speaker                             speaker:guterres
    12 %  a speaker and a word                  speaker:guterres veto
     5 %  a speaker and an OR-group             speaker:lavrov (nato OR west)
     5 %  two words and an exclusion            ukraine russia -belarus
     5 %  a phrase without a speaker            "human rights" -speaker:guterres
     5 %  kind: with an OR-group and a word     (veto OR ceasefire) council kind:quote
    10 %  blog: (an id, or a prefix with *)     blog:budget-day vote, blog:cup-* (goal OR penalty)
     5 %  a speaker's quotes in a language      speaker:guterres kind:quote lang:en

Single words, lone speakers and bare OR-groups are kept few: with 10,000 filters over the
vocabulary of 27 blogs they alone would alert dozens of subscribers per entry (the first draft of
this mix gave 75 alerts per entry); this mix gives about 9 at 10,000 subscriptions, printed with
the figures.

The best case is the old benchmark's: the seed's 10 realistic filters and then filters over
words, phrases, speakers and blogs no entry contains. For both, the 10,000-subscription cost per
entry against the 10-subscription cost is the ratio that must stay near 1 (target <= 1.5), and
every alert of the realistic runs is checked against the plain evaluation of
`streams.alerts.reference` (every subscription on every document, no index).

The entries carry their voices, as the pipeline makes them (`EnrichedEntry.voices`); the column
`version 1 µs` matches the same entries as records of schema version 1, without voices, which the
matcher works out for an entry when a `speaker:` filter could hold on it (`voices computed`: the
share of entries for which it did).

Times are CPU time of this process (`time.process_time`), best of `--rounds`, so that other work
on the machine inflates them less; compare the ratios of one run.

    python -m bench match [--subs 10,1000,10000] [--rounds 5] [--check 10000]
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
import string
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from connectors.sources.files import FileSource
from schemas.events import EnrichedEntry, Subscription
from streams.alerts.matching import Matcher
from streams.alerts.reference import HitKey, reference_hits
from streams.attribution.voices import Voice, entry_text, voices
from streams.cli.replay import build_meta, raw_items
from streams.runtime.embedded.runner import EmbeddedRunner

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "focus-guterres-lavrov.txt"
FIXTURES = ROOT / "tests" / "fixtures" / "blogs"
DEV = ROOT.parent / "shared" / "eval" / "dev" / "liveblogs" / "text"
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

#: function words of English and German that no one subscribes to
_COMMON = frozenset(
    re.findall(
        r"\w+",
        """
    that with have this from they will would said been were there their what about which when
    more also than them some could into only other over such after most very where just those
    then these like your says told tell here while being does made make many much well even
    because before should still first last year years time people according think going know
    says want back dass nicht sich eine einen einem einer auch nach wird sind oder aber wenn
    noch sein seine ihre ihren haben hatte wurde werden wird beim mehr schon
    """,
    )
)
_WORDS = re.compile(r"[^\W\d_]{4,}")


def _replay(path: Path) -> list[EnrichedEntry]:
    meta = build_meta(path, blog=None, date=None, tz=None, order=None)
    source = FileSource(path, meta, max_bytes=10**7, max_entry_chars=10**6, fetched_at=NOW)
    runner = EmbeddedRunner([])
    out = [r for item in raw_items(source, source.blocks()) for r in runner.handle(item)]
    return [r for r in out if isinstance(r, EnrichedEntry)]


def entries() -> list[EnrichedEntry]:
    """The seed's entries, then the fixture blogs', then the dev live blogs' (when present)."""
    paths = [SEED, *sorted(FIXTURES.glob("*.txt"))]
    if DEV.is_dir():
        paths.extend(sorted(DEV.glob("*.txt")))
    out: list[EnrichedEntry] = []
    for path in paths:
        out.extend(_replay(path))
    return out


class Vocabulary:
    """The words, phrases, people and blogs of a stream, to draw subscriptions from."""

    def __init__(self, stream: list[EnrichedEntry]) -> None:
        counts: Counter[str] = Counter()
        pairs: Counter[tuple[str, str]] = Counter()
        people: set[str] = set()
        for entry in stream:
            for line in re.split(r"[.!?;:,\n“”\"()]+", entry_text(entry)):
                found = [w.lower() for w in _WORDS.findall(line)]
                kept = [w for w in found if w not in _COMMON]
                counts.update(kept)
                pairs.update(
                    (a, b) for a, b in itertools.pairwise(found) if a in kept and b in kept
                )
            for ref in (*entry.speakers, *(q.speaker for q in entry.quotes if q.speaker)):
                words = [w for w in re.findall(r"[^\W\d_]+", ref.name) if len(w) > 2]
                if words:
                    people.add(words[-1].lower())
                    if len(words) > 1:
                        people.add(" ".join(words).lower())
        self.words = sorted(counts)
        self.phrases = sorted(f"{a} {b}" for a, b in pairs)
        self.people = sorted(people)
        self.blogs = sorted({e.blog_id for e in stream})

    def word(self, rng: random.Random) -> str:
        return rng.choice(self.words)

    def group(self, rng: random.Random) -> str:
        return "(" + " OR ".join(self.word(rng) for _ in range(rng.randint(2, 3))) + ")"

    def phrase(self, rng: random.Random) -> str:
        return f'"{rng.choice(self.phrases)}"'

    def speaker(self, rng: random.Random) -> str:
        name = rng.choice(self.people)
        return f'speaker:"{name}"' if " " in name else f"speaker:{name}"

    def blog(self, rng: random.Random) -> str:
        blog = rng.choice(self.blogs)
        if "-" in blog and rng.random() < 0.5:
            return f"blog:{blog.split('-')[0]}-*"
        return f"blog:{blog}"


#: (share, maker) of each shape of the realistic mix (the table of the module docstring)
_MIX: list[tuple[int, Callable[[Vocabulary, random.Random], str]]] = [
    (3, lambda v, r: v.word(r)),
    (22, lambda v, r: f"{v.word(r)} {v.word(r)}"),
    (15, lambda v, r: v.phrase(r)),
    (10, lambda v, r: f"{v.group(r)} {v.word(r)}"),
    (3, lambda v, r: v.speaker(r)),
    (12, lambda v, r: f"{v.speaker(r)} {v.word(r)}"),
    (5, lambda v, r: f"{v.speaker(r)} {v.group(r)}"),
    (5, lambda v, r: f"{v.word(r)} {v.word(r)} -{v.word(r)}"),
    (5, lambda v, r: f"{v.phrase(r)} -{v.speaker(r)}"),
    (5, lambda v, r: f"{v.group(r)} {v.word(r)} kind:{r.choice(['quote', 'entry'])}"),
    (10, lambda v, r: f"{v.blog(r)} {v.word(r) if r.random() < 0.5 else v.group(r)}"),
    (5, lambda v, r: f"{v.speaker(r)} kind:quote lang:{r.choice(['en', 'de'])}"),
]


def realistic(n: int, vocabulary: Vocabulary, rng: random.Random) -> list[str]:
    """`n` filters in the shares of the realistic mix, drawn from the stream's own text."""
    shares = [share for share, _ in _MIX]
    makers = [maker for _, maker in _MIX]
    return [rng.choices(makers, shares)[0](vocabulary, rng) for _ in range(n)]


def _word(rng: random.Random) -> str:
    return "q" + "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(5, 9)))


def made_up(n: int, rng: random.Random) -> list[str]:
    """Filters in every shape of the language, over words no entry contains (the best case)."""
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


def _key(hit: object) -> HitKey:
    from streams.alerts.matching import Hit

    assert isinstance(hit, Hit)
    doc = hit.document
    return (
        hit.subscription_id,
        doc.kind,
        doc.quote_id,
        hit.speaker.id if hit.speaker else None,
        tuple((m.term, m.start, m.end) for m in hit.matches),
    )


def check(stream: list[EnrichedEntry], subs: list[Subscription], limit: int) -> tuple[int, int]:
    """(entries checked, hits) after comparing the matcher with the plain evaluation on the
    first `limit` entries; an AssertionError names the first entry that differs."""
    matcher = Matcher(subs)
    hits = 0
    for entry in stream[:limit]:
        fast = sorted(_key(h) for h in matcher.match_entry(entry))
        plain = sorted(reference_hits(subs, entry, matcher.directory))
        assert fast == plain, f"matcher and reference differ on {entry.blog_id}/{entry.entry_id}"
        hits += len(fast)
    return min(limit, len(stream)), hits


@dataclass(frozen=True)
class Figures:
    """One row of a table: CPU seconds per entry, as the pipeline makes the entries (their voices
    carried) and as records of schema version 1 (voices worked out by the matcher)."""

    build: float
    per_entry: float
    old: float
    alerts: int
    voiced: int  # records of version 1 whose voices matching had to compute


def _best(run: Callable[[], None], size: int, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        passes = 0
        t0 = time.process_time()
        while True:
            run()
            passes += 1
            took = time.process_time() - t0
            if took >= 0.5:
                break
        best = min(best, took / (passes * size))
    return best


def measure(stream: list[EnrichedEntry], filters: list[str], rounds: int) -> Figures:
    """The figures of one set of filters on the stream."""
    t0 = time.process_time()
    matcher = Matcher(Subscription(id=f"s{i}", filter=f) for i, f in enumerate(filters))
    alerts = len([h for e in stream for h in matcher.match_entry(e)])
    build = time.process_time() - t0
    old = [e.model_copy(update={"voices": None, "schema_version": 1}) for e in stream]
    called: list[EnrichedEntry] = []

    def counted(entry: EnrichedEntry) -> Callable[[], tuple[Voice, ...]]:
        def compute() -> tuple[Voice, ...]:
            called.append(entry)
            return voices(entry, matcher.directory)

        return compute

    for entry in old:
        matcher.match_entry(entry, counted(entry))

    def carried() -> None:
        for entry in stream:
            matcher.match_entry(entry)

    def computed() -> None:
        for entry in old:
            matcher.match_entry(entry)

    return Figures(
        build,
        _best(carried, len(stream), rounds),
        _best(computed, len(stream), rounds),
        alerts,
        len(called),
    )


def _table(
    name: str, stream: list[EnrichedEntry], lists: dict[int, list[str]], rounds: int
) -> dict[int, Figures]:
    print(f"\n{name}")
    print(
        f"{'subscriptions':>13} {'build s':>8} {'µs/entry':>9} {'entries/s':>10} "
        f"{'alerts/entry':>12} {'version 1 µs':>13} {'voices computed':>16}"
    )
    results: dict[int, Figures] = {}
    for n, filters in lists.items():
        row = results[n] = measure(stream, filters, rounds)
        print(
            f"{n:>13,} {row.build:>8.2f} {row.per_entry * 1e6:>9.1f} {1 / row.per_entry:>10,.0f} "
            f"{row.alerts / len(stream):>12.2f} {row.old * 1e6:>13.1f} "
            f"{row.voiced / len(stream):>15.0%}"
        )
    if 10 in results and 10_000 in results:
        big, small = results[10_000], results[10]
        print(
            f"ratio 10,000 : 10 = {big.per_entry / small.per_entry:.2f} (target <= 1.5; "
            f"{big.per_entry * 1e6:.1f} µs per entry, target <= 50); records of version 1 "
            f"{big.old / small.old:.2f}"
        )
    return results


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench match")
    parser.add_argument("--subs", default="10,1000,10000", help="subscription counts")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (best is kept)")
    parser.add_argument(
        "--check", type=int, default=10_000, help="entries checked against the plain evaluation"
    )
    args = parser.parse_args(argv)
    counts = [int(c) for c in args.subs.split(",")]
    stream = entries()
    quotes = sum(len(e.quotes) for e in stream)
    blogs = len({e.blog_id for e in stream})
    chars = sum(len(entry_text(e)) for e in stream) / len(stream)
    print(
        f"stream: {len(stream)} entries of {blogs} blogs ({chars:.0f} characters each on "
        f"average), {quotes} quotes; each entry and each quote is matched"
        + ("" if DEV.is_dir() else " (no dev live blogs here)")
    )
    vocabulary = Vocabulary(stream)
    mix = realistic(max(counts), vocabulary, random.Random(42))
    print(
        f"realistic mix from {len(vocabulary.words):,} words, {len(vocabulary.phrases):,} "
        f"phrases, {len(vocabulary.people)} speaker names, {len(vocabulary.blogs)} blogs"
    )
    for f in mix[:12]:
        print(f"  {f}")
    real = _table("realistic subscriptions", stream, {n: mix[:n] for n in counts}, args.rounds)
    extra = made_up(max(counts), random.Random(42))
    _table(
        "best case (10 real, the rest on words no entry contains)",
        stream,
        {n: REAL[: min(n, len(REAL))] + extra[: max(n - len(REAL), 0)] for n in counts},
        args.rounds,
    )
    subs = [Subscription(id=f"s{i}", filter=f) for i, f in enumerate(mix)]
    t0 = time.process_time()
    checked, hits = check(stream, subs, args.check)
    print(
        f"\ncheck: the {len(subs):,} realistic subscriptions on {checked} entries give the same "
        f"{hits:,} alerts as the plain evaluation ({time.process_time() - t0:.1f} s)"
    )
    return 0 if real else 1
