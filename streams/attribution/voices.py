"""Who speaks where in an entry: its sentences grouped by the person whose words they carry.

A `speaker:` filter on an entry asks for that person's own words, not for any word of an entry
in which the person also appears. A sentence is a person's when it holds a quote attributed to
them, or when it reports their speech ("…, X said", "according to X", "X complains that …",
"the minister explains"); the rest of the entry is the narrator's. Pure and built on the
attribution stage's own sentence splitter and phrase reader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from schemas.events import EnrichedEntry, SpeakerRef
from streams.attribution.lexicon import lexicon
from streams.attribution.quotes import find_quotes, split_sentences
from streams.core.text import normalize_term

__all__ = ["SpeakerNames", "Voice", "entry_text", "voices"]


class SpeakerNames(Protocol):
    """The names and roles a blog's people answer to (`streams.alerts.directory` provides them)."""

    def keys(self, blog_id: str, ref: SpeakerRef) -> frozenset[str]: ...
    def roles(self, blog_id: str, person_id: str) -> frozenset[str]: ...


_PARAGRAPH = re.compile(r"[^\n]+")
_TOKEN = re.compile(r"[\w\u00c0-\u024f]+(?:[-’'.][\w\u00c0-\u024f]+)*|\x00+|[^\w\s]")
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


@dataclass(frozen=True, slots=True)
class Voice:
    """The spans of an entry's text that carry one person's words (`speaker` None: narration)."""

    speaker: SpeakerRef | None
    spans: tuple[tuple[int, int], ...]


def entry_text(entry: EnrichedEntry) -> str:
    """The text alerts on an entry point into: the headline, a blank line, then the body."""
    return f"{entry.headline}\n\n{entry.body}" if entry.headline else entry.body


def _is_speech(words: list[str], k: int) -> bool:
    lex = lexicon()
    low = words[k]
    nxt = words[k + 1] if k + 1 < len(words) else ""
    if low == "according":
        return nxt == "to"
    if low == "asked":
        return k > 0 and words[k - 1] in ("is", "was", "were", "being")
    if low in lex.conversation_forms:
        if low.startswith("call"):
            return nxt == "for"
        if low.startswith("point"):
            return nxt == "out"
        return nxt not in ("with", "to", "about", "on")
    return low in lex.speech_forms


def _stops(token: str) -> bool:
    return token.startswith("\x00") or (len(token) == 1 and not token.isalnum())


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
            key = normalize_term(word)
            for ref in self.people:
                if key in self.keys[ref.id]:
                    return ref
        for ref in self.people:
            if any(role and role in phrase for role in self.roles[ref.id]):
                return ref
        return None

    def frames(self, tokens: list[str]) -> list[SpeakerRef]:
        words = [t.lower() for t in tokens]
        found: list[SpeakerRef] = []
        for k, word in enumerate(words):
            if _stops(word) or not _is_speech(words, k):
                continue
            before: list[str] = []
            i = k - 1
            if word == "asked":
                i -= 1
            while i >= 0 and len(before) < _REACH and not _stops(words[i]):
                if words[i] not in _AUX or before:
                    before.append(words[i])
                i -= 1
            after: list[str] = []
            j = k + 2 if word == "according" else k + 1
            while j < len(words) and len(after) < _REACH and not _stops(words[j]):
                after.append(words[j])
                j += 1
            sides = (
                [(after, after)]
                if word == "according"
                else [(before, before[::-1]), (after, after)]
            )
            for side, ordered in sides:
                ref = self._person(side, " ".join(ordered))
                if ref is not None:
                    if ref not in found:
                        found.append(ref)
                    break
        return found


def _tokens(text: str, start: int, end: int, quotes: list[tuple[int, int]]) -> list[str]:
    masked = list(text[start:end])
    for qs, qe in quotes:
        for i in range(max(qs, start), min(qe, end)):
            masked[i - start] = "\x00"
    return _TOKEN.findall("".join(masked))


def voices(entry: EnrichedEntry, directory: SpeakerNames) -> tuple[Voice, ...]:
    """The voices of `entry`, spans into `entry_text(entry)`; speakers first, narrator last."""
    text = entry_text(entry)
    reader = _Reader(entry, directory)
    sentences: list[tuple[int, int, list[SpeakerRef]]] = []
    for para in _PARAGRAPH.finditer(text):
        ptext = para.group(0)
        quotes = find_quotes(ptext)
        marks = [(q.start, q.end) for q in quotes]
        for start, end in split_sentences(ptext, quotes):
            owners = reader.frames(_tokens(ptext, start, end, marks))
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
            out.append(Voice(ref, spans))
    narration = tuple((s, e) for s, e, owners in sentences if not owners)
    if narration:
        out.append(Voice(None, narration))
    return tuple(out)
