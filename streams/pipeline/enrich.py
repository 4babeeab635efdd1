"""The enrich stage: people, organisations and places mentioned in an entry, its keywords, and
who speaks where in it (its voices, `streams.attribution.voices`, for the alert matcher).

Pure: `enrich(entry, attribution, memory) -> EnrichedEntry`. People come from the speaker memory
(everyone the attribution stage resolved) and from titled names; places from the gazetteer in
`streams/data`; organisations from acronyms and organisation words; keywords by frequency of
content words and capitalised phrases, without stopwords.

The text is read once (`_Reading`: its words and its capitalised words) and every tagger works
on that reading; the gazetteer and the organisation words are searched with Aho-Corasick
automata, a word's keyword form and a misspelt place are worked out once per process, and a name
is looked up in the speaker memory once per entry however often it appears.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Container
from dataclasses import dataclass, field
from functools import cache, lru_cache

import ahocorasick
from rapidfuzz import fuzz, process

from schemas.events import EnrichedEntry, Entity, SpeakerRef
from streams.attribution.language import language as _language
from streams.attribution.lexicon import _lines, lexicon
from streams.attribution.memory import Person, SpeakerMemory, fold
from streams.attribution.stage import Attribution
from streams.attribution.voices import MemoryNames, voices
from streams.core.models import ParsedEntry

__all__ = ["enrich"]

_ORG_WORDS = "|".join(sorted(lexicon().org_words))
_ORG = re.compile(
    rf"\b(?:the\s+)?((?:[A-Z][\w&-]+\s+){{0,4}}(?:{_ORG_WORDS})(?:\s+(?:of|for)\s+(?:the\s+)?"
    rf"(?:[A-Z][\w-]+\s*){{1,3}})?)"
)
#: `\b[A-Z]{2,6}\b` and `\b[A-Z\u00c0-\u00de][\w\u00c0-\u024f]{4,}\b` written to open with a
#: character class, which lets the regex engine skip to the candidates' first letters
_ACRONYM = re.compile(r"[A-Z](?<![\w][A-Z])[A-Z]{1,5}\b")
_CAPITALISED = re.compile(r"[A-Z\u00c0-\u00de](?<=\b[A-Z\u00c0-\u00de])[\w\u00c0-\u024f]{4,}\b")
_WORD = re.compile(r"[A-Za-z\u00c0-\u024f][\w\u00c0-\u024f'’-]+")
_NOT_ACRONYM = {"GMT", "BST", "UTC", "CET", "CEST", "PM", "AM", "OK", "TV", "PK", "Q", "A"}
_MAX_KEYWORDS = 8
#: a character no organisation name holds (`_ORG` matches only word characters, "&", "-" and
#: whitespace)
_OUTSIDE_ORG = re.compile(r"[^\w&\s-]")
#: rapidfuzz ratio at which an unknown capitalised word is taken for a known place ("Mariupiol")
_PLACE_FUZZY = 90.0


@cache
def _keyword_stops() -> frozenset[str]:
    return frozenset(w for line in _lines("keyword_stopwords.txt") for w in line.split())


@lru_cache(maxsize=64)
def _stops_for(code: str | None) -> frozenset[str]:
    """The keyword stopwords with those of the entry's language (`code` as the entry has it)."""
    return _keyword_stops() | (_language(code).stopwords if code else frozenset())


def _automaton(words: frozenset[str]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, word)
    automaton.make_automaton()
    return automaton


@cache
def _place_automaton() -> ahocorasick.Automaton:
    """Every known place, found anywhere in a text; `_known_places` keeps whole words."""
    return _automaton(lexicon().places)


@cache
def _org_automaton() -> ahocorasick.Automaton:
    """The organisation head words, found anywhere in a text (where `_ORG` can match)."""
    return _automaton(lexicon().org_words)


@cache
def _never_keywords() -> frozenset[str]:
    """Speech verbs, role words and nationalities: never an entry's keywords."""
    lex = lexicon()
    return frozenset(
        {*lex.speech_forms, *lex.conversation_forms, *lex.roles, *(fold(d) for d in lex.demonyms)}
    )


def _in_run(ch: str) -> bool:
    """A word character or a hyphen (`[\\w-]`): what a place name may not touch."""
    return ch.isalnum() or ch == "_" or ch == "-"


@dataclass(slots=True)
class _Reading:
    """One reading of an entry's text that every tagger below shares."""

    text: str
    memory: SpeakerMemory
    words: list[str] = field(init=False)  # `_WORD` tokens, in order
    capitalised: list[str] = field(init=False)  # `_CAPITALISED` tokens, in order
    _names: dict[str, tuple[Person | None, bool]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.words = _WORD.findall(self.text)
        self.capitalised = _CAPITALISED.findall(self.text)

    def by_name(self, name: str) -> tuple[Person | None, bool]:
        """`memory.by_name(name)`, asked once per entry."""
        found = self._names.get(name)
        if found is None:
            found = self._names[name] = self.memory.by_name(name)
        return found


def _known_places(text: str) -> list[str]:
    """The gazetteer's places in `text` as whole words (not touching `[\\w-]`), leftmost first,
    the longest where several start at one place, none overlapping the one before."""
    hits: list[tuple[int, int, str]] = []
    last = len(text) - 1
    for end, name in _place_automaton().iter(text):
        start = end - len(name) + 1
        if (start > 0 and _in_run(text[start - 1])) or (end < last and _in_run(text[end + 1])):
            continue
        hits.append((start, -len(name), name))
    hits.sort()
    out: list[str] = []
    reached = 0
    for start, minus_length, name in hits:
        if start >= reached:
            out.append(name)
            reached = start - minus_length
    return out


@lru_cache(maxsize=16384)
def _fuzzy_place(word: str) -> str | None:
    """The one-word place `word` misspells, if any."""
    match = process.extractOne(
        word, lexicon().single_places, scorer=fuzz.ratio, score_cutoff=_PLACE_FUZZY
    )
    return None if match is None else match[0]


def _places(reading: _Reading) -> list[str]:
    lex = lexicon()
    found = sorted(set(_known_places(reading.text)))
    known = set(found)
    for word in reading.capitalised:
        if (
            word in known
            or word in lex.stopwords_cap
            or word in lex.demonyms
            or word.lower() in lex.stopwords
        ):
            continue
        match = _fuzzy_place(word)
        if match is not None and match not in found:
            found.append(match)
    # a longer place hides the shorter one inside it ("New York" over "York")
    return [p for p in found if not any(p != q and p in q for q in found)]


def _people(reading: _Reading, attribution: Attribution) -> dict[str, SpeakerRef]:
    """Everyone the attribution resolved, and known people named (or misspelt) in the text."""
    people = {ref.id: ref for ref in [*attribution.speakers, *attribution.mentioned]}
    memory = reading.memory
    persons = memory.persons
    if any(pid not in people for pid in persons):
        words = f" {' '.join(map(fold, reading.words))} "
        # surnames may have several words ("von der Leyen"): the people whose surname (or its
        # first word) is a word of the text, in the order of `persons`
        for pid in memory.with_surname_in(set(words.split(" "))):
            person = persons[pid]
            if pid not in people and f" {fold(person.surname)} " in words:
                people[pid] = person.ref()
    for word in reading.capitalised:
        found, fuzzy = reading.by_name(word)
        if found is not None and fuzzy and found.id not in people:
            people[found.id] = found.ref()
    return people


def _org_span(text: str) -> tuple[int, int] | None:
    """Where `_ORG` can match in `text`: from the start of the stretch of organisation-name
    characters holding the first head word to the end of the one holding the last; None without
    a head word."""
    first = last = -1
    for end, word in _org_automaton().iter(text):
        start = end - len(word) + 1
        if first < 0 or start < first:
            first = start
        last = max(last, end + 1)
    if first < 0:
        return None
    size = len(text)
    before = _OUTSIDE_ORG.search(text[::-1], size - first)  # the text backwards from `first`
    after = _OUTSIDE_ORG.search(text, last)
    return (
        size - before.start() if before is not None else 0,
        after.start() if after is not None else size,
    )


def _orgs(reading: _Reading, places: set[str]) -> list[str]:
    text = reading.text
    found: list[str] = []
    span = _org_span(text)
    if span is not None:
        stopwords, org_words = lexicon().stopwords, lexicon().org_words
        for m in _ORG.finditer(text, *span):
            words = m.group(1).split()
            while words and words[0].lower() in stopwords:
                words.pop(0)  # "The Red Cross" at a sentence start is "Red Cross"
            name = " ".join(words)
            if not name or name in org_words:
                continue
            if name not in found and name not in places:
                found.append(name)
    for name in _ACRONYM.findall(text):
        if name not in _NOT_ACRONYM and name not in places and not any(name in f for f in found):
            found.append(name)
    return found


@lru_cache(maxsize=65536)
def _keyword_form(token: str, code: str | None) -> tuple[str, str] | None:
    """A `_WORD` token as a keyword and its fold, or None for a word that is never one in an
    entry of language `code` (short, a stopword, a number, a speech verb, a role)."""
    word = token.lower().replace("’", "'").strip("'-")
    if len(word) < 4 or word in _stops_for(code) or word.isdigit():
        return None
    folded = fold(word)
    return None if folded in _never_keywords() else (word, folded)


def _keywords(
    words: list[str], exclude: set[str], names: Container[str], language: str | None
) -> list[str]:
    """The most frequent content words, the earlier first on a tie; none of `exclude` and no
    name or surname of anyone in the memory (`names`, asked of the folded word).

    Each distinct token is looked at once, in order of first appearance, so the counts hold the
    words in the order they first appear and a stable sort keeps that order on a tie.
    """
    counts: dict[str, int] = {}
    for token, n in Counter(words).items():
        form = _keyword_form(token, language)
        if form is None or form[1] in exclude or form[1] in names:
            continue
        counts[form[0]] = counts.get(form[0], 0) + n
    return sorted(counts, key=counts.__getitem__, reverse=True)[:_MAX_KEYWORDS]


def enrich(entry: ParsedEntry, attribution: Attribution, memory: SpeakerMemory) -> EnrichedEntry:
    """The entry as it goes onto the entries topic: attributed and tagged."""
    body = entry.body
    reading = _Reading("\n".join([entry.headline or "", body]), memory)
    entities: list[Entity] = []
    people = _people(reading, attribution)
    for ref in people.values():
        known = memory.persons.get(ref.id)
        kind = "org" if known is not None and known.kind == "org" else "person"
        entities.append(Entity(text=ref.name, type=kind, id=ref.id))
    places = _places(reading)
    entities.extend(Entity(text=p, type="place") for p in places)
    entities.extend(Entity(text=o, type="org") for o in _orgs(reading, set(places)))
    exclude = {fold(w) for e in entities for w in e.text.split()}
    exclude.update(fold(w) for w in reading.capitalised if reading.by_name(w)[0] is not None)
    enriched = EnrichedEntry(
        entry_id=entry.entry_id,
        blog_id=entry.blog_id,
        seq=entry.seq,
        published_at=entry.published_at,
        printed_time=entry.printed_time,
        headline=entry.headline,
        body=body,
        speakers=tuple(attribution.speakers),
        quotes=tuple(attribution.quotes),
        entities=tuple(entities),
        keywords=tuple(
            _keywords(reading.words, exclude, memory.name_forms(), attribution.language)
        ),
        version=entry.version,
        source=entry.source,
        language=entry.language or attribution.language,
    )
    found = voices(enriched, MemoryNames(memory), attribution.paragraphs)
    return enriched.model_copy(update={"voices": found})
