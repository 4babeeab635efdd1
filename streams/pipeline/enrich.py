"""The enrich stage: people, organisations and places mentioned in an entry, and its keywords.

Pure: `enrich(entry, attribution, memory) -> EnrichedEntry`. People come from the speaker memory
(everyone the attribution stage resolved) and from titled names; places from the gazetteer in
`streams/data`; organisations from acronyms and organisation words; keywords by frequency of
content words and capitalised phrases, without stopwords.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from rapidfuzz import fuzz, process

from schemas.events import EnrichedEntry, Entity, SpeakerRef
from streams.attribution.language import language as _language
from streams.attribution.lexicon import _lines, lexicon
from streams.attribution.memory import SpeakerMemory, fold
from streams.attribution.stage import Attribution
from streams.core.models import ParsedEntry

__all__ = ["enrich"]

_ORG_WORDS = "|".join(sorted(lexicon().org_words))
_ORG = re.compile(
    rf"\b(?:the\s+)?((?:[A-Z][\w&-]+\s+){{0,4}}(?:{_ORG_WORDS})(?:\s+(?:of|for)\s+(?:the\s+)?"
    rf"(?:[A-Z][\w-]+\s*){{1,3}})?)"
)
_ACRONYM = re.compile(r"\b([A-Z]{2,6})\b")
_WORD = re.compile(r"[A-Za-z\u00c0-\u024f][\w\u00c0-\u024f'’-]+")
_NOT_ACRONYM = {"GMT", "BST", "UTC", "CET", "CEST", "PM", "AM", "OK", "TV", "PK", "Q", "A"}
_MAX_KEYWORDS = 8


@cache
def _keyword_stops() -> frozenset[str]:
    return frozenset(w for line in _lines("keyword_stopwords.txt") for w in line.split())


_CAPITALISED = re.compile(r"\b[A-Z\u00c0-\u00de][\w\u00c0-\u024f]{4,}\b")
#: rapidfuzz ratio at which an unknown capitalised word is taken for a known place ("Mariupiol")
_PLACE_FUZZY = 90.0


@cache
def _place_pattern() -> re.Pattern[str]:
    """Every known place in one alternation, longest first, matched as whole words."""
    names = sorted(lexicon().places, key=lambda p: (-len(p), p))
    return re.compile(rf"(?<![\w-])(?:{'|'.join(re.escape(n) for n in names)})(?![\w-])")


@cache
def _never_keywords() -> frozenset[str]:
    """Speech verbs, role words and nationalities: never an entry's keywords."""
    lex = lexicon()
    return frozenset(
        {*lex.speech_forms, *lex.conversation_forms, *lex.roles, *(fold(d) for d in lex.demonyms)}
    )


def _places(text: str) -> list[str]:
    lex = lexicon()
    found = sorted(set(_place_pattern().findall(text)))
    known = set(found) | lex.stopwords_cap
    for m in _CAPITALISED.finditer(text):
        word = m.group(0)
        if word in known or word in lex.demonyms or word.lower() in lex.stopwords:
            continue
        match = process.extractOne(
            word, lex.single_places, scorer=fuzz.ratio, score_cutoff=_PLACE_FUZZY
        )
        if match is not None and match[0] not in found:
            found.append(match[0])
    # a longer place hides the shorter one inside it ("New York" over "York")
    return [p for p in found if not any(p != q and p in q for q in found)]


def _people(text: str, attribution: Attribution, memory: SpeakerMemory) -> dict[str, SpeakerRef]:
    """Everyone the attribution resolved, and known people named (or misspelt) in the text."""
    people = {ref.id: ref for ref in [*attribution.speakers, *attribution.mentioned]}
    words = f" {' '.join(fold(w) for w in _WORD.findall(text))} "
    for person in memory.persons.values():
        # surnames may have several words: "von der Leyen"
        if person.id not in people and f" {fold(person.surname)} " in words:
            people[person.id] = person.ref()
    for m in _CAPITALISED.finditer(text):
        found, fuzzy = memory.by_name(m.group(0))
        if found is not None and fuzzy and found.id not in people:
            people[found.id] = found.ref()
    return people


def _orgs(text: str, places: set[str]) -> list[str]:
    found: list[str] = []
    for m in _ORG.finditer(text):
        words = m.group(1).split()
        while words and words[0].lower() in lexicon().stopwords:
            words.pop(0)  # "The Red Cross" at a sentence start is "Red Cross"
        name = " ".join(words)
        if not name or name in lexicon().org_words:
            continue
        if name not in found and name not in places:
            found.append(name)
    for m in _ACRONYM.finditer(text):
        name = m.group(1)
        if name not in _NOT_ACRONYM and name not in places and not any(name in f for f in found):
            found.append(name)
    return found


def _keywords(text: str, exclude: set[str], language: str | None) -> list[str]:
    stops = _keyword_stops() | (_language(language).stopwords if language else frozenset())
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for i, m in enumerate(_WORD.finditer(text)):
        word = m.group(0).lower().replace("’", "'").strip("'-")
        if len(word) < 4 or word in stops or fold(word) in exclude or word.isdigit():
            continue
        counts[word] += 1
        first.setdefault(word, i)
    ranked = sorted(counts, key=lambda w: (-counts[w], first[w]))
    return ranked[:_MAX_KEYWORDS]


def enrich(entry: ParsedEntry, attribution: Attribution, memory: SpeakerMemory) -> EnrichedEntry:
    """The entry as it goes onto the entries topic: attributed and tagged."""
    text = "\n".join([entry.headline or "", entry.body])
    entities: list[Entity] = []
    people = _people(text, attribution, memory)
    for ref in people.values():
        known = memory.persons.get(ref.id)
        kind = "org" if known is not None and known.kind == "org" else "person"
        entities.append(Entity(text=ref.name, type=kind, id=ref.id))
    places = _places(text)
    entities.extend(Entity(text=p, type="place") for p in places)
    entities.extend(Entity(text=o, type="org") for o in _orgs(text, set(places)))
    exclude = {fold(w) for e in entities for w in e.text.split()}
    exclude.update(_never_keywords())
    exclude.update(fold(w) for w in _CAPITALISED.findall(text) if memory.by_name(w)[0] is not None)
    for person in memory.persons.values():
        exclude.update(fold(n) for n in person.names)
        exclude.add(fold(person.surname))
    return EnrichedEntry(
        entry_id=entry.entry_id,
        blog_id=entry.blog_id,
        seq=entry.seq,
        published_at=entry.published_at,
        printed_time=entry.printed_time,
        headline=entry.headline,
        body=entry.body,
        speakers=tuple(attribution.speakers),
        quotes=tuple(attribution.quotes),
        entities=tuple(entities),
        keywords=tuple(_keywords(text, exclude, attribution.language)),
        version=entry.version,
        source=entry.source,
        language=entry.language or attribution.language,
    )
