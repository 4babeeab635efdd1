"""Word lists the attribution and enrichment stages read: generic English, no blog's names.

The lists live in `streams/data/*.txt` so that users can read and extend them; they are loaded
once per process. Nothing here knows a person: only kinds of words (speech verbs, role nouns,
organisation heads, titles, places).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["PARTICLES", "QUOTE_PARTICLE", "Lexicon", "lexicon"]

#: the `+"` particle of en/speech_verbs.txt: the verb counts when a quotation follows it
QUOTE_PARTICLE = '"'
#: lower-case name particles, part of the name they stand in: "Ursula von der Leyen", "Pedro de
#: la Cruz", "Mohammed bin Salman"; the surname is the last word with the particles before it
PARTICLES = frozenset(
    [
        *("von", "van", "der", "den", "de", "del", "della", "da", "di", "du", "la", "le"),
        *("al", "el", "bin", "ibn", "dos", "das", "ter", "ten", "zu", "af", "y"),
    ]
)
_PERSON_SUFFIX = re.compile(r"(?:ist|ian|year-old)$")


def _lines(name: str, lang: str = "") -> list[str]:
    data = resources.files("streams.attribution").joinpath("data")
    text = (data.joinpath(lang) if lang else data).joinpath(name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _words(name: str) -> frozenset[str]:
    return frozenset(w for line in _lines(name) for w in line.split())


@dataclass(frozen=True)
class Lexicon:
    """The loaded word lists, lower-cased unless said otherwise."""

    speech_forms: frozenset[str]
    conversation_forms: frozenset[str]  # forms that are not speech before "with"/"to"
    inverting_forms: frozenset[str]  # forms whose subject may follow them: “…,” says X
    particles: dict[str, frozenset[str]]  # form -> words one of which must follow it
    roles: frozenset[str]
    titles: dict[str, str | None]
    title_roles: dict[str, str]  # abbreviated titles and the role they stand for: gov -> governor
    stopwords: frozenset[str]
    places: frozenset[str]  # as written (case-sensitive)
    demonyms: frozenset[str]  # as written
    place_words: frozenset[str]  # single tokens of multi-word places, as written
    single_places: tuple[str, ...]  # one-word places, for fuzzy matching of misspellings
    stopwords_cap: frozenset[str]  # the stopwords capitalised, as they start sentences
    org_words: frozenset[str]  # head words of organisation names, as written
    org_heads: dict[str, str]  # head noun -> the first noun of its line (its kind)
    voices: frozenset[str]
    person_nouns: frozenset[str]
    groups: frozenset[str]

    def is_role(self, word: str) -> bool:
        return word.lower() in self.roles

    def is_group(self, word: str) -> bool:
        """A plural noun for several people: `ministers`, `councils`, `officials`."""
        low = word.lower()
        if low in self.groups:
            return True
        if len(low) > 3 and low.endswith("s") and not low.endswith(("ss", "us", "is")):
            single = low[:-1]
            return single in self.roles or single in self.person_nouns
        return False

    def is_person_noun(self, word: str) -> bool:
        low = word.lower()
        return (
            low in self.person_nouns
            or bool(_PERSON_SUFFIX.search(low))
            or word in self.demonyms
            or low.endswith(("man", "woman"))
        )

    def org_kind(self, word: str) -> str | None:
        """The kind of organisation `word` heads (`force` -> `police`), or None."""
        return self.org_heads.get(word.lower())


@dataclass(frozen=True)
class _Speech:
    speech: frozenset[str]
    conversation: frozenset[str]
    inverting: frozenset[str]
    particles: dict[str, frozenset[str]]


def _speech(lines: list[str]) -> _Speech:
    speech: set[str] = set()
    conversation: set[str] = set()
    inverting: set[str] = set()
    particles: dict[str, frozenset[str]] = {}
    for line in lines:
        words = line.split()
        if words[0].endswith("?"):
            continue  # the language reading's only
        needs = frozenset(w[1:] for w in words if w.startswith("+"))
        lemma, *rest = [w for w in words if not w.startswith("+")]
        forms = [lemma.rstrip("!~"), *rest]
        (conversation if "!" in lemma else speech).update(forms)
        if "~" in lemma:
            inverting.update(forms)
        if needs:
            particles.update(dict.fromkeys(forms, needs))
    return _Speech(frozenset(speech), frozenset(conversation), frozenset(inverting), particles)


@cache
def lexicon() -> Lexicon:
    """The process-wide lexicon."""
    verbs = _speech(_lines("speech_verbs.txt", "en"))  # the language reading's list too
    roles = {w.replace("-", " ") for line in _lines("roles.txt") for w in line.split()}
    titles: dict[str, str | None] = {}
    title_roles: dict[str, str] = {}
    for line in _lines("titles.txt"):
        word, gender, *role = line.split()
        titles[word] = None if gender == "-" else gender
        if role:
            title_roles[word] = role[0]
    places: set[str] = set()
    demonyms: set[str] = set()
    for line in _lines("countries.txt"):
        country, _, dems = line.partition("|")
        places.add(country)
        demonyms.update(d for d in dems.split(",") if d)
    places.update(_lines("cities.txt"))
    place_words = {w for p in places for w in p.split() if len(p.split()) > 1}
    org_heads = {w: line.split()[0] for line in _lines("organisations.txt") for w in line.split()}
    stop = _words("stopwords.txt")
    return Lexicon(
        speech_forms=verbs.speech,
        conversation_forms=verbs.conversation,
        inverting_forms=verbs.inverting,
        particles=verbs.particles,
        roles=frozenset(roles),
        titles=titles,
        title_roles=title_roles,
        stopwords=stop,
        places=frozenset(places),
        demonyms=frozenset(demonyms),
        place_words=frozenset(place_words),
        single_places=tuple(sorted(p for p in places if " " not in p and len(p) >= 5)),
        stopwords_cap=frozenset(w.capitalize() for w in stop),
        org_words=_words("org_words.txt"),
        org_heads=org_heads,
        voices=_words("voices.txt"),
        person_nouns=_words("people_nouns.txt"),
        groups=_words("groups.txt"),
    )
