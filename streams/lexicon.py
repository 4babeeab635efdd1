"""Word lists the attribution and enrichment stages read: generic English, no blog's names.

The lists live in `streams/data/*.txt` so that users can read and extend them; they are loaded
once per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["Lexicon", "lexicon"]


def _lines(name: str) -> list[str]:
    text = resources.files("streams").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@dataclass(frozen=True)
class Lexicon:
    """The loaded word lists, lower-cased unless said otherwise."""

    speech_forms: frozenset[str]
    conversation_forms: frozenset[str]  # forms that need no "with"/"to" after them to be speech
    roles: frozenset[str]
    titles: dict[str, str | None]
    stopwords: frozenset[str]
    places: frozenset[str]  # as written (case-sensitive)
    demonyms: frozenset[str]  # as written
    place_words: frozenset[str]  # single tokens of multi-word places, as written
    single_places: tuple[str, ...]  # one-word places, for fuzzy matching of misspellings
    stopwords_cap: frozenset[str]  # the stopwords capitalised, as they start sentences
    org_words: frozenset[str]  # head words of organisation names, as written


@cache
def lexicon() -> Lexicon:
    """The process-wide lexicon."""
    speech: set[str] = set()
    conversation: set[str] = set()
    for line in _lines("speech_verbs.txt"):
        lemma, *forms = line.split()
        target = conversation if lemma.endswith("!") else speech
        target.update([lemma.rstrip("!"), *forms])
    roles = {w.replace("-", " ") for line in _lines("roles.txt") for w in line.split()}
    titles: dict[str, str | None] = {}
    for line in _lines("titles.txt"):
        word, gender = line.split()
        titles[word] = None if gender == "-" else gender
    stop = {w for line in _lines("stopwords.txt") for w in line.split()}
    places: set[str] = set()
    demonyms: set[str] = set()
    for line in _lines("countries.txt"):
        country, _, dems = line.partition("|")
        places.add(country)
        demonyms.update(d for d in dems.split(",") if d)
    places.update(_lines("cities.txt"))
    place_words = {w for p in places for w in p.split() if len(p.split()) > 1}
    return Lexicon(
        speech_forms=frozenset(speech),
        conversation_forms=frozenset(conversation),
        roles=frozenset(roles),
        titles=titles,
        stopwords=frozenset(stop),
        places=frozenset(places),
        demonyms=frozenset(demonyms),
        place_words=frozenset(place_words),
        single_places=tuple(sorted(p for p in places if " " not in p and len(p) >= 5)),
        stopwords_cap=frozenset(w.capitalize() for w in stop),
        org_words=frozenset(w for line in _lines("org_words.txt") for w in line.split()),
    )
