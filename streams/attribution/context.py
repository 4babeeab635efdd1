"""One entry as the reader sees it: its paragraphs, and whom it has mentioned so far, where and how.

A `Paragraph` holds its quotations, tokens, name runs and sentences, found once. The
`EntryContext` serves the resolver three things:

- pronouns: "she said" is the most recent fitting person mentioned earlier in the same entry
  (by name, as the subject of any verb, or as a speaker) before anybody from earlier entries;
  mentions are kept with their paragraph, sentence and offset, so that a name after the pronoun
  ("“No,” she said, turning to Okafor") is not its referent;
- the entry's people: everyone the entry names anywhere, headline and body alike, for "the
  minister said" when the entry has exactly one person with a role;
- evidence for names: a capitalised word that opens a sentence is a new person only when the entry
  also writes it capitalised mid-sentence (`first` and `mid_caps`).
"""

from __future__ import annotations

import sys
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from streams.attribution.memory import Person, SpeakerMemory
from streams.attribution.quotes import QuoteSpan, find_quotes, split_sentences
from streams.attribution.tokens import Token, name_runs, tokenize

__all__ = ["END", "EntryContext", "ParaKind", "Paragraph", "Seen", "Span", "first_word"]

#: the offset of a mention whose place in its sentence is not known: after all of its words
END = sys.maxsize
Span = tuple[int, int]
ParaKind = Literal["headline", "text", "block", "embed"]


@dataclass(frozen=True, slots=True)
class Seen:
    """One mention of a person: paragraph, sentence start and offset, and whether the person is
    the subject of their clause (opens it, or speaks in it); or of a full name that opened a
    sentence with nothing yet to say it is a person ("Naomi Okafor put it to the witness …")."""

    person: Person | None  # None: a full name that may yet turn out to be a person (`name`)
    para: int
    sentence: int
    at: int
    subject: bool
    name: str = ""
    owner: bool = False  # owns the subject of its sentence: "Okonjo's partner Ferrante"


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of the entry as the reader sees it: its quotations, tokens, name runs and
    sentences, found once for the learning pass and the reading alike."""

    text: str
    kind: ParaKind
    quotes: list[QuoteSpan] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)
    runs: list[Span] = field(default_factory=list)  # name runs of the tokens
    bounds: list[Span] = field(default_factory=list)  # sentences, as text offsets
    starts: list[int] = field(default_factory=list)  # the token each sentence starts at

    @classmethod
    def of(cls, text: str, kind: ParaKind) -> Paragraph:
        quotes = find_quotes(text)
        tokens = tokenize(text, quotes)
        bounds = split_sentences(text, quotes)
        starts = [bisect_left(tokens, start, key=_start) for start, _ in bounds]
        return cls(text, kind, quotes, tokens, name_runs(tokens), bounds, starts)

    def sentence(self, start: int, end: int) -> tuple[list[Token], list[Span]]:
        """The tokens and name runs of the sentence at text[start:end] (neither quotations nor
        name runs cross a sentence's end)."""
        first = bisect_left(self.tokens, start, key=_start)
        last = bisect_left(self.tokens, end, key=_start)
        runs = [(s - first, e - first) for s, e in self.runs if first <= s and e <= last]
        return self.tokens[first:last], runs


def _start(token: Token) -> int:
    return token.start


class EntryContext:
    """The people one entry has mentioned so far, and where the reader is."""

    def __init__(self) -> None:
        self.local: list[Person] = []  # this entry's people, most recent first
        self.mentioned: list[Person] = []
        self.seen: list[Seen] = []
        self.para = 0
        self.sentence = 0
        self.end = END  # where the current sentence ends
        self.first = -1  # offset of the word the current sentence opens with, -1 if none
        self.paragraphs: list[Paragraph] = []
        self._people: list[Person] | None = None
        self._mid_caps: frozenset[str] | None = None

    def enter(self, para: int, start: int = 0, end: int = END, first: int = -1) -> None:
        """The reader is now in paragraph `para`, in the sentence text[start:end] whose first
        word stands at offset `first` (-1 outside sentences: speaker lines, blocks, bylines)."""
        self.para, self.sentence, self.end, self.first = para, start, end, first

    def touch(
        self, person: Person, at: int | None = None, *, subject: bool = False, owner: bool = False
    ) -> None:
        """`person` is mentioned at offset `at` of the current sentence (None: at its end)."""
        if person in self.local:
            self.local.remove(person)
        self.local.insert(0, person)
        if person not in self.mentioned:
            self.mentioned.append(person)
            person.mentions += 1
        where = self.end if at is None else at
        self.seen.append(Seen(person, self.para, self.sentence, where, subject, "", owner))

    def touch_name(self, name: str, at: int) -> None:
        """A full name that opens the current sentence at offset `at` but is nobody yet."""
        self.seen.append(Seen(None, self.para, self.sentence, at, True, name))

    def adopt(self, name: str, person: Person) -> None:
        """The name noted by `touch_name` turned out to be `person`."""
        for i, seen in enumerate(self.seen):
            if seen.person is None and seen.name == name:
                self.seen[i] = Seen(person, seen.para, seen.sentence, seen.at, seen.subject)
        if person not in self.local:
            self.local.insert(0, person)
        if person not in self.mentioned:
            self.mentioned.append(person)
            person.mentions += 1

    def before(self, at: int | None) -> list[list[Seen]]:
        """Mentions before offset `at` of the current paragraph (None: before the current
        sentence's end), grouped by sentence, the most recent sentence first."""
        limit = (self.para, self.end if at is None else at)
        groups: dict[Span, list[Seen]] = {}
        for seen in self.seen:
            if (seen.para, seen.at) < limit:
                groups.setdefault((seen.para, seen.sentence), []).append(seen)
        return [groups[key] for key in sorted(groups, reverse=True)]

    def in_headline(self) -> bool:
        """Whether the reader is in the entry's headline."""
        paragraphs = self.paragraphs
        return self.para < len(paragraphs) and paragraphs[self.para].kind == "headline"

    def initial(self, token: Token) -> bool:
        """Whether `token` is the word its sentence opens with (a headline's first word too)."""
        return self.first >= 0 and token.start == self.first

    def mid_caps(self) -> frozenset[str]:
        """Capitalised words the entry writes somewhere other than at a sentence's start."""
        if self._mid_caps is None:
            caps: set[str] = set()
            for text in self.paragraphs:
                opening = {first_word(text.tokens, start) for start in text.starts}
                caps.update(
                    tok.bare for i, tok in enumerate(text.tokens) if tok.is_cap and i not in opening
                )
            self._mid_caps = frozenset(caps)
        return self._mid_caps

    def people(self, memory: SpeakerMemory) -> list[Person]:
        """The people the entry names anywhere (after its people have been learned), in order."""
        if self._people is None:
            found: list[Person] = []
            for text in self.paragraphs:
                for start, end in text.runs:
                    name = " ".join(t.bare for t in text.tokens[start:end])
                    person, _ = memory.by_name(name, fuzzy=False)
                    if person is not None and person.kind == "person" and person not in found:
                        found.append(person)
            self._people = found
        return self._people


def first_word(tokens: Sequence[Token], start: int) -> int:
    """The index of the word a sentence starting at token `start` opens with, when only marks
    stand before it (`(Engineer …`, `– Engineer …`); -1 when a quotation comes first."""
    i = start
    while i < len(tokens) and not tokens[i].is_word and tokens[i].quote is None:
        i += 1
    return i if i < len(tokens) and tokens[i].is_word else -1
