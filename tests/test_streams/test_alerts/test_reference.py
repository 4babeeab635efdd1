"""The matcher (index, word sets, prechecks, bounds) gives the hits of the plain evaluation."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from schemas.events import EnrichedEntry, Quote, SpeakerRef, Subscription, Voice
from streams.alerts.directory import SpeakerDirectory
from streams.alerts.matching import Hit, Matcher
from streams.alerts.reference import HitKey, reference_hits
from streams.attribution.voices import voices

WHEN = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
PEOPLE = [
    SpeakerRef(id="okafor", name="Maria Okafor"),
    SpeakerRef(id="bello", name="Tunde Bello"),
    SpeakerRef(id="nowak", name="Ewa Nowak"),
]
WORDS = [
    "rent",
    "rents",
    "ceasefire",
    "cease-fire",
    "budget",
    "strike",
    "strikes",
    "tram",
    "café",
    "U.N.",
    "council",
    "security",
    "housing",
    "policy",
    "Berlin",
]
PHRASES = ["rent cap", "security council", "cease fire", "housing policy"]
BLOGS = ["city-live", "city-news", "sport-live"]
CUES = ["said", "warned", "told reporters", "according to"]


def _sentence(rng: random.Random) -> str:
    words = rng.sample(WORDS, k=rng.randint(2, 5))
    if rng.random() < 0.3:
        words.insert(rng.randint(0, len(words)), rng.choice(PHRASES))
    return " ".join(words).capitalize() + rng.choice([".", "!", "?"])


def _entry(rng: random.Random, n: int) -> EnrichedEntry:
    blog = rng.choice(BLOGS)
    speakers = rng.sample(PEOPLE, k=rng.randint(0, 2))
    parts: list[str] = []
    quotes: list[Quote] = []
    for _ in range(rng.randint(1, 4)):
        roll = rng.random()
        if speakers and roll < 0.35:
            person = rng.choice(speakers)
            text = _sentence(rng)
            parts.append(f"“{text}” {person.name.split()[-1]} {rng.choice(CUES[:2])}.")
            quotes.append(
                Quote(
                    quote_id=f"q{n}-{len(quotes)}",
                    entry_id=f"e{n}",
                    blog_id=blog,
                    published_at=WHEN,
                    text=text,
                    speaker=person,
                    confidence=0.9,
                    method="name",
                )
            )
        elif speakers and roll < 0.6:
            person = rng.choice(speakers)
            cue = rng.choice(CUES)
            name = person.name.split()[-1]
            said = f"According to {name}, " if cue == "according to" else f"{name} {cue} "
            parts.append(said + _sentence(rng).lower())
        else:
            parts.append(_sentence(rng))
    return EnrichedEntry(
        entry_id=f"e{n}",
        blog_id=blog,
        seq=n,
        published_at=WHEN,
        printed_time="12:00",
        headline=_sentence(rng) if rng.random() < 0.3 else None,
        body=" ".join(parts),
        speakers=tuple(speakers),
        quotes=tuple(quotes),
        language=rng.choice(["en", "en-GB", "de", None]),
    )


def _atom(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.45:
        return rng.choice(WORDS)
    if roll < 0.6:
        return f'"{rng.choice(PHRASES)}"'
    if roll < 0.8:
        person = rng.choice(PEOPLE)
        name = rng.choice([person.name.split()[-1], person.id, f'"{person.name}"'])
        return f"speaker:{name}"
    if roll < 0.88:
        return f"kind:{rng.choice(['quote', 'entry'])}"
    if roll < 0.95:
        return rng.choice([f"blog:{rng.choice(BLOGS)}", "blog:city-*", "blog:*-live"])
    return f"lang:{rng.choice(['en', 'de', 'en-gb'])}"


def _filter(rng: random.Random) -> str:
    parts = [_atom(rng)]
    for _ in range(rng.randint(0, 2)):
        shape = rng.random()
        if shape < 0.5:
            parts.append(_atom(rng))
        elif shape < 0.75:
            parts.append(f"({_atom(rng)} OR {_atom(rng)})")
        else:
            parts.append(f"-{_atom(rng)}")
    return " ".join(parts)


def _key(hit: Hit) -> HitKey:
    return (
        hit.subscription_id,
        hit.document.kind,
        hit.document.quote_id,
        hit.speaker.id if hit.speaker else None,
        tuple((m.term, m.start, m.end) for m in hit.matches),
    )


@pytest.fixture(name="subscriptions")
def fixture_subscriptions() -> list[Subscription]:
    rng = random.Random(14)
    out: list[Subscription] = []
    while len(out) < 400:
        expression = _filter(rng)
        if expression.startswith("-"):
            continue
        out.append(Subscription(id=f"s{len(out):03d}", filter=expression))
    return out


class TestAgainstReference:
    @pytest.mark.parametrize("seed", [1, 2, 3])
    def test_same_hits_as_the_plain_evaluation(
        self, subscriptions: list[Subscription], seed: int
    ) -> None:
        """On random entries, every hit (subscription, document, speaker, matches) agrees."""
        rng = random.Random(seed)
        matcher = Matcher(subscriptions)
        total = 0
        for n in range(40):
            entry = _entry(rng, n)
            fast = sorted(_key(h) for h in matcher.match_entry(entry))
            plain = sorted(reference_hits(subscriptions, entry, matcher.directory))
            assert fast == plain, entry.body
            total += len(fast)
        assert total > 40  # the random filters do match: the comparison is not vacuous

    @pytest.mark.parametrize("seed", [4, 5])
    def test_carried_voices_as_the_plain_evaluation(
        self, subscriptions: list[Subscription], seed: int
    ) -> None:
        """Entries that carry their voices (here reshuffled among the entry's people, so that
        they are not what the matcher would work out) give the hits of the plain evaluation."""
        rng = random.Random(seed)
        matcher = Matcher(subscriptions)
        total = 0
        for n in range(40):
            entry = _entry(rng, n)
            people = [*entry.speakers, None]
            carried = tuple(
                Voice(speaker=rng.choice(people), spans=v.spans)
                for v in voices(entry, SpeakerDirectory())
            )
            entry = entry.model_copy(update={"voices": carried})
            fast = sorted(_key(h) for h in matcher.match_entry(entry))
            plain = sorted(reference_hits(subscriptions, entry, matcher.directory))
            assert fast == plain, entry.body
            total += len(fast)
        assert total > 40

    def test_alone_as_with_all_the_others(self, subscriptions: list[Subscription]) -> None:
        """A subscription gives the same hits matched alone as among hundreds of others."""
        rng = random.Random(5)
        entries = [_entry(rng, n) for n in range(25)]
        together = Matcher(subscriptions)
        every = {_key(h) for e in entries for h in together.match_entry(e)}
        for sub in subscriptions[:60]:
            alone = Matcher([sub])
            mine = {_key(h) for e in entries for h in alone.match_entry(e)}
            assert mine == {k for k in every if k[0] == sub.id}, sub.filter

    @pytest.mark.parametrize(
        "body",
        [
            "The cease‑fire in the Straße holds.",  # a non-breaking hyphen; ß
            "A rent-™ deal: “Cease-fire now,” said Okafor. ½-time rent-cap.",  # ™, ½
            "A café cease-fire, “rent-cap talks”, Berlin – rent cap.",  # every character alike
        ],
    )
    def test_hyphens_joined_as_the_plain_evaluation(self, body: str) -> None:
        """Words joined by hyphens are found as the plain evaluation finds them, in text whose
        characters fold alike (the words joined are read off the fold) and in text whose do not
        (it is folded again with hyphens joined)."""
        filters = ["ceasefire", '"cease fire"', "rentcap", '"rent cap"', "strasse", "fire", "tm"]
        filters.append("renttm")  # "rent-™" is no word joined by a hyphen: ™ is no letter
        subs = [Subscription(id=f"s{i}", filter=f) for i, f in enumerate(filters)]
        quote = body.split("“")[1].split("”")[0] if "“" in body else None
        entry = EnrichedEntry(
            entry_id="e1",
            blog_id="city-live",
            seq=1,
            published_at=WHEN,
            printed_time="12:00",
            headline=None,
            body=body,
            speakers=(PEOPLE[0],),
            quotes=(
                Quote(
                    quote_id="q1",
                    entry_id="e1",
                    blog_id="city-live",
                    published_at=WHEN,
                    text=quote,
                    speaker=PEOPLE[0],
                    confidence=0.9,
                    method="name",
                ),
            )
            if quote
            else (),
        )
        matcher = Matcher(subs)
        fast = sorted(_key(h) for h in matcher.match_entry(entry))
        assert fast == sorted(reference_hits(subs, entry, matcher.directory))
        assert len(fast) >= 2
