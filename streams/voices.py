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

from schemas.events import EnrichedEntry, SpeakerRef
from streams.directory import SpeakerDirectory
from streams.filters.text import normalize_term
from streams.frames import NounPhrase, Token, noun_phrase_after, noun_phrase_before, tokenize
from streams.lexicon import lexicon
from streams.quotes import find_quotes, split_sentences

__all__ = ["Voice", "entry_text", "voices"]

_PARAGRAPH = re.compile(r"[^\n]+")


@dataclass(frozen=True, slots=True)
class Voice:
    """The spans of an entry's text that carry one person's words (`speaker` None: narration)."""

    speaker: SpeakerRef | None
    spans: tuple[tuple[int, int], ...]


def entry_text(entry: EnrichedEntry) -> str:
    """The text alerts on an entry point into: the headline, a blank line, then the body."""
    return f"{entry.headline}\n\n{entry.body}" if entry.headline else entry.body


def _is_speech(tokens: list[Token], k: int) -> bool:
    lex = lexicon()
    low = tokens[k].lower
    nxt = tokens[k + 1].lower if k + 1 < len(tokens) else ""
    if low in lex.speech_forms:
        return True
    if low == "according":
        return nxt == "to"
    if low == "asked":
        return k > 0 and tokens[k - 1].lower in ("is", "was", "were", "being")
    if low in lex.conversation_forms:
        if low.startswith("call"):
            return nxt == "for"
        if low.startswith("point"):
            return nxt == "out"
        return nxt not in ("with", "to", "about", "on")
    return False


class _Reader:
    def __init__(self, entry: EnrichedEntry, directory: SpeakerDirectory) -> None:
        people = {ref.id: ref for ref in entry.speakers}
        for quote in entry.quotes:
            if quote.speaker is not None:
                people.setdefault(quote.speaker.id, quote.speaker)
        self.people = list(people.values())
        self.keys = {ref.id: directory.keys(entry.blog_id, ref) for ref in self.people}
        self.roles = {ref.id: directory.roles(entry.blog_id, ref.id) for ref in self.people}
        self.last: SpeakerRef | None = self.people[0] if len(self.people) == 1 else None

    def resolve(self, np: NounPhrase) -> SpeakerRef | None:
        if not np:
            return None
        if np.pronoun:
            return self.last if np.pronoun != "they" else None
        words = {normalize_term(w) for w in np.name}
        if words:
            for ref in self.people:
                if words & self.keys[ref.id]:
                    return ref
        role = normalize_term(" ".join(np.role))
        if role:
            head = role.split()[-1]
            for ref in self.people:
                for known in self.roles[ref.id]:
                    if known == role or (known.split()[-1:] == [head] and role in known):
                        return ref
        return None

    def frames(self, tokens: list[Token]) -> list[SpeakerRef]:
        found: list[SpeakerRef] = []
        for k, tok in enumerate(tokens):
            if not tok.is_word or not _is_speech(tokens, k):
                continue
            after = k + 1 if tok.lower == "according" else k
            candidates = (
                [noun_phrase_after(tokens, after)]
                if tok.lower == "according"
                else [noun_phrase_before(tokens, k), noun_phrase_after(tokens, k)]
            )
            for np in candidates:
                ref = self.resolve(np)
                if ref is not None:
                    if ref not in found:
                        found.append(ref)
                    break
        return found


def voices(entry: EnrichedEntry, directory: SpeakerDirectory) -> tuple[Voice, ...]:
    """The voices of `entry`, spans into `entry_text(entry)`; speakers first, narrator last."""
    text = entry_text(entry)
    reader = _Reader(entry, directory)
    sentences: list[tuple[int, int, list[SpeakerRef]]] = []
    for para in _PARAGRAPH.finditer(text):
        ptext = para.group(0)
        quotes = find_quotes(ptext)
        for start, end in split_sentences(ptext, quotes):
            inside = [q for q in quotes if q.start >= start and q.end <= end]
            tokens = tokenize(ptext[start:end], inside, offset=start)
            owners = reader.frames(tokens)
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
