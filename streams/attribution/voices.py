"""Who speaks where in an entry: its sentences grouped by the person whose words they carry.

A `speaker:` filter on an entry asks for that person's own words, not for any word of an entry
in which the person also appears. A sentence is a person's when it holds a quote attributed to
them, or when it reports their speech ("…, X said", "according to X", "X complains that …",
"the minister explains"); the rest of the entry is the narrator's. Pure and built on the
attribution stage's own sentence splitter and phrase reader.

The enrich stage works them out once, with the blog's speaker memory for names and roles
(`MemoryNames`), and the entry carries them (`EnrichedEntry.voices`); the alert matcher reads
them there, and works them out itself only for entries of schema version 1.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

from schemas.events import EnrichedEntry, SpeakerRef, Voice
from streams.attribution.context import Paragraph
from streams.attribution.memory import SpeakerMemory
from streams.attribution.quotes import find_quotes, split_sentences
from streams.attribution.speech import speech_cue
from streams.attribution.tokens import Token, tokenize
from streams.core.text import name_keys, normalize_term

__all__ = ["MemoryNames", "SpeakerNames", "Voice", "entry_text", "voices"]


class SpeakerNames(Protocol):
    """The names and roles a blog's people answer to (`streams.alerts.directory` provides them)."""

    def keys(self, blog_id: str, ref: SpeakerRef) -> frozenset[str]: ...
    def roles(self, blog_id: str, person_id: str) -> frozenset[str]: ...


class MemoryNames:
    """`SpeakerNames` read from one blog's speaker memory: the names the alert matcher's
    directory gathers from the same memory (`streams.alerts.directory.SpeakerDirectory`)."""

    __slots__ = ("_memory",)

    def __init__(self, memory: SpeakerMemory) -> None:
        self._memory = memory

    def keys(self, blog_id: str, ref: SpeakerRef) -> frozenset[str]:
        names = {ref.id, ref.name}
        person = self._memory.persons.get(ref.id)
        if person is not None:
            names.update((person.name, person.surname, *person.names, *person.aliases))
        return _keys(frozenset(names))

    def roles(self, blog_id: str, person_id: str) -> frozenset[str]:
        person = self._memory.persons.get(person_id)
        if person is None:
            return frozenset()
        return frozenset(normalize_term(role) for role in person.roles if role)


_PARAGRAPH = re.compile(r"[^\n]+")
#: how far from a speech verb its subject may stand, in words
_REACH = 6
_AUX = frozenset(
    [
        "is",
        "was",
        "were",
        "are",
        "be",
        "being",
        "has",
        "had",
        "have",
        "will",
        "would",
        "also",
        "then",
        "now",
        "again",
    ]
)
_PRONOUNS = frozenset({"he", "she"})
#: a person's names as keys, worked out once per set of names rather than once per entry
_keys = lru_cache(maxsize=4096)(name_keys)
#: a word as the directory's keys hold it, folded once per word rather than once per sentence
_term = lru_cache(maxsize=16384)(normalize_term)


def entry_text(entry: EnrichedEntry) -> str:
    """The text alerts on an entry point into: the headline, a blank line, then the body."""
    return f"{entry.headline}\n\n{entry.body}" if entry.headline else entry.body


def _stops(tok: Token) -> bool:
    """A quotation or a punctuation mark ends the phrase a speech cue's subject is read from."""
    return tok.quote is not None or not tok.is_word


class _Reader:
    """Finds the people whose speech a sentence reports, among the entry's speakers."""

    def __init__(self, entry: EnrichedEntry, directory: SpeakerNames) -> None:
        people = {ref.id: ref for ref in entry.speakers}
        for quote in entry.quotes:
            if quote.speaker is not None:
                people.setdefault(quote.speaker.id, quote.speaker)
        self.people = list(people.values())
        self.keys = {ref.id: directory.keys(entry.blog_id, ref) for ref in self.people}
        self.roles = {ref.id: directory.roles(entry.blog_id, ref.id) for ref in self.people}
        self.last: SpeakerRef | None = self.people[0] if len(self.people) == 1 else None

    def _person(self, words: list[str], phrase: str) -> SpeakerRef | None:
        """The speaker named in `words` (nearest the verb first), or described by a role in
        `phrase` (the same words in text order)."""
        for word in words:
            if word in _PRONOUNS:
                return self.last
            key = _term(word)
            for ref in self.people:
                if key in self.keys[ref.id]:
                    return ref
        for ref in self.people:
            if any(role and role in phrase for role in self.roles[ref.id]):
                return ref
        return None

    def frames(self, tokens: list[Token]) -> list[SpeakerRef]:
        """The speakers whose speech the sentence reports, by the one speech detector
        (`speech.speech_cue`) and the words on either side of each cue."""
        words = [t.lower for t in tokens]
        found: list[SpeakerRef] = []
        for k in range(len(tokens)):
            cue = speech_cue(tokens, k)
            if cue is None:
                continue
            before: list[str] = []
            i = k - 1
            if cue == "asked":
                i -= 1
            while i >= 0 and len(before) < _REACH and not _stops(tokens[i]):
                if words[i] not in _AUX or before:
                    before.append(words[i])
                i -= 1
            after: list[str] = []
            j = k + 2 if cue == "according" else k + 1
            while j < len(tokens) and len(after) < _REACH and not _stops(tokens[j]):
                after.append(words[j])
                j += 1
            sides = (
                [(after, after)]
                if cue in ("according", "so")
                else [(before, before[::-1]), (after, after)]
            )
            for side, ordered in sides:
                ref = self._person(side, " ".join(ordered))
                if ref is not None:
                    if ref not in found:
                        found.append(ref)
                    break
        return found


def voices(
    entry: EnrichedEntry, directory: SpeakerNames, read: Sequence[Paragraph] = ()
) -> tuple[Voice, ...]:
    """The voices of `entry`, spans into `entry_text(entry)`; speakers first, narrator last.
    `read`: the paragraphs the attribution stage tokenised already (the same quotations,
    sentences and tokens; a paragraph not among them is read here)."""
    text = entry_text(entry)
    reader = _Reader(entry, directory)
    known = {p.text: p for p in read}
    sentences: list[tuple[int, int, list[SpeakerRef]]] = []
    for para in _PARAGRAPH.finditer(text):
        ptext = para.group(0)
        done = known.get(ptext)
        quotes = done.quotes if done is not None else find_quotes(ptext)
        bounds = done.bounds if done is not None else split_sentences(ptext, quotes)
        for start, end in bounds:
            # with nobody to name, no sentence reports anyone's speech: no need to read it
            if not reader.people:
                owners: list[SpeakerRef] = []
            elif done is not None:
                owners = reader.frames(done.sentence(start, end)[0])
            else:
                owners = reader.frames(tokenize(ptext[start:end], quotes, start))
            if owners:
                reader.last = owners[-1]
            sentences.append((para.start() + start, para.start() + end, owners))
    for quote in entry.quotes:
        if quote.speaker is None or not quote.text:
            continue
        at = text.find(quote.text)
        while at >= 0:
            for s, e, owners in sentences:
                if s < at + len(quote.text) and at < e and quote.speaker not in owners:
                    owners.append(quote.speaker)
            at = text.find(quote.text, at + 1)
    out: list[Voice] = []
    for ref in reader.people:
        spans = tuple((s, e) for s, e, owners in sentences if ref in owners)
        if spans:
            out.append(Voice(speaker=ref, spans=spans))
    narration = tuple((s, e) for s, e, owners in sentences if not owners)
    if narration:
        out.append(Voice(speaker=None, spans=narration))
    return tuple(out)
