"""Reading one entry: its quotations, each with the speaker its frame names (if any).

Paragraphs are read in order (headline first), each after the learning pass has added the people
the entry introduces. A paragraph is one of:

- a headline: `X: "…"` gives X every quotation in it, else it is read like text;
- a `Q:` line (a question from the floor, no speaker) or an `A:` line (the person asked);
- a speaker line `Lindqvist: It is one of them.`;
- a quote block (`> ` lines, <blockquote>): the colon introduction before it ("He said:");
- an embedded post: its author from the byline (`— Name (@handle)`), unless the post itself
  quotes someone;
- text: sentences with their speech frames; a paragraph that opens with a quotation continues
  an open one ("continued") or follows a colon introduction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schemas.events import QuoteKind
from streams.attribution.clauses import colon_speaker, subject_phrase
from streams.attribution.context import Paragraph, ParaKind, Seen, Span, first_word
from streams.attribution.memory import Person, SpeakerMemory
from streams.attribution.mentions import (
    NOBODY,
    Mention,
    Resolved,
    Resolver,
    first_name_title,
)
from streams.attribution.methods import Method
from streams.attribution.people import learn_gender, learn_people, learn_subject
from streams.attribution.quotes import QuoteSpan, find_quotes
from streams.attribution.speech import Frame, find_frames, frame_for
from streams.attribution.tokens import Token, name_runs, tokenize
from streams.core.models import ParsedEntry

__all__ = ["EntryReader", "Found", "Paragraph", "read_entry"]

_QA = re.compile(r"^(Q|A|Question|Answer)\s*[:.]\s+", re.IGNORECASE)
_SPEAKER_LINE = re.compile(
    r"^([A-Z][\w\u00c0-\u024f’'.-]+(?:\s+[A-Z][\w\u00c0-\u024f’'.-]+){0,3})\s*:\s+(\S.*)$"
)
_BYLINE = re.compile(
    r"(?:^|\s)[—–-]{1,2}\s*(?P<name>[^()@\n—–]{2,80}?)\s*\(@[\w.]{1,60}\)(?P<rest>[^\n]{0,80})$"
)
_TRIM = " ,;:–—-"
_TITLE_BEFORE = frozenset(
    [
        "the",
        "in",
        "on",
        "to",
        "of",
        "newspaper",
        "paper",
        "daily",
        "weekly",
        "magazine",
        "broadcaster",
        "channel",
        "station",
        "programme",
        "program",
        "show",
        "network",
        "tabloid",
        "outlet",
        "podcast",
        "website",
        "portal",
        "radio",
        "agency",
    ]
)
_TITLE_SMALL = frozenset(["of", "the", "am", "and", "for", "de", "der", "die", "das", "la", "le"])


@dataclass(slots=True)
class Found:
    """A quotation of the entry and what reading it found."""

    text: str
    para: int
    kind: QuoteKind
    person: Person | None = None
    method: Method = "none"
    blocked: bool = False  # its frame names someone we do not track: no fallback
    standalone: bool = False  # the quotation is a sentence on its own
    continues: bool = False  # it opens a paragraph that continues an open quotation
    current: Person | None = None  # the entry's speaker when it was read
    introduced: Person | None = None  # the one person the entry had mentioned by then


class EntryReader:
    """Reads one entry's paragraphs into quotations and speakers."""

    def __init__(self, entry: ParsedEntry, memory: SpeakerMemory) -> None:
        self.entry = entry
        self.memory = memory
        self.resolver = Resolver(memory)
        self.found: list[Found] = []
        self.speakers: list[Person] = []
        self.current: Person | None = None
        self.colon: Resolved = NOBODY  # a colon introduction waiting for its quotation
        self.asked: Person | None = None
        self.open_quote = False  # the last paragraph ended inside a quotation

    # bookkeeping -------------------------------------------------------------------------------

    def speak(self, person: Person) -> None:
        if person not in self.speakers:
            self.speakers.append(person)
            self.resolver.speakers.append(person)
        self.current = person
        self.resolver.touch(person, subject=True)

    def add(self, found: Found) -> None:
        found.text = found.text.strip(_TRIM)
        if not found.text:
            return
        found.current = self.current
        if found.person is None and self.current is None and found.kind != "partial":
            found.introduced = self.introduced(only=True, known=True)
        self.found.append(found)
        if found.person is not None:
            self.speak(found.person)

    def introduced(self, *, only: bool = False, known: bool = False) -> Person | None:
        """The person the entry has introduced so far without a speech verb ("Riverside boss
        **Lena Voss** has been in front of the cameras."): the person of its most recent
        sentence that mentions one (the subject first, then the later mention), a full name
        that opened a sentence becoming a person unless `known`; with `only`, nobody unless the
        entry has mentioned exactly one person."""
        groups = [
            fitting
            for group in self.resolver.context.before(None)
            if (fitting := [s for s in group if _plausible(s, known=known)])
        ]
        if not groups:
            return None
        if (
            only
            and len({s.name if s.person is None else s.person.id for g in groups for s in g}) > 1
        ):
            return None
        best = max(groups[0], key=lambda s: (s.subject, s.at))
        if best.person is not None:
            return best.person
        person = self.memory.add(best.name)  # "**Kwame Asante** faced the press."
        self.resolver.context.adopt(best.name, person)
        return person

    def assign(self, found: Found, resolved: Resolved, method: Method | None = None) -> None:
        found.person = resolved.person
        found.blocked = resolved.blocked and resolved.person is None
        found.method = (method or resolved.method) if resolved.person is not None else "none"

    # paragraphs --------------------------------------------------------------------------------

    def paragraphs(self) -> list[Paragraph]:
        out: list[Paragraph] = []
        if self.entry.headline:
            out.append(Paragraph.of(self.entry.headline, "headline"))
        for p in self.entry.paragraphs:
            kind: ParaKind = "embed" if p.embed else "block" if p.quote_block else "text"
            out.append(Paragraph.of(p.text, kind))
        return out

    def read(self) -> None:
        paragraphs = self.paragraphs()
        self.resolver.context.paragraphs = paragraphs  # read once: the ranker's cues share them
        for para in paragraphs:
            learn_people(para.tokens, self.resolver, para.runs)
        for index, para in enumerate(paragraphs):
            self.resolver.context.enter(index)
            colon, self.colon = self.colon, NOBODY
            if para.kind == "headline":
                self.headline(para, index)
            elif para.kind in ("block", "embed"):
                self.block(para.text, index, colon, embed=para.kind == "embed")
            else:
                self.text(para, index, colon)

    def headline(self, para: Paragraph, index: int) -> None:
        text, quotes = para.text, para.quotes
        line = _SPEAKER_LINE.match(text)
        if line and quotes:
            name = line.group(1)
            found = self.named(name, create=self._in_body(name))
            if found.person is not None:
                for span in quotes:
                    self.add(Found(span.text, index, "headline", found.person, found.method))
                return
        self.sentences(para, index, headline=True)

    def _in_body(self, name: str) -> bool:
        """Whether the body of the entry writes `name` too: a headline `Voss: "…"` names a
        person new to the blog only then ("Reaction: "…"" names nobody)."""
        words = name.split()
        body = self.resolver.context.paragraphs[1:]
        return any(
            [t.bare for t in para.tokens[i : i + len(words)]] == words
            for para in body
            for i, tok in enumerate(para.tokens)
            if tok.bare == words[0]
        )

    def named(self, name: str, *, create: bool) -> Resolved:
        tokens = tokenize(name, [])
        if len(name_runs(tokens)) != 1:
            return NOBODY
        return self.resolver.resolve(Mention.of(tokens), create=create)

    def text(self, para: Paragraph, index: int, colon: Resolved) -> None:
        text, quotes = para.text, para.quotes
        qa = _QA.match(text)
        if qa:
            self.qa(text, qa, index)
            return
        line = _SPEAKER_LINE.match(text)
        if line and not quotes:
            found = self.named(line.group(1), create=len(line.group(1).split()) > 1)
            if found.person is not None:
                self.add(Found(line.group(2), index, "qa", found.person, "line"))
                return
        first = len(self.found)
        continues = self.open_quote and bool(quotes) and quotes[0].start == 0
        self.sentences(para, index, headline=False)
        self.open_quote = bool(quotes) and quotes[-1].open_ended
        mine = self.found[first:]
        if mine and continues:
            mine[0].continues = True
        if colon.person is not None and quotes and quotes[0].start == 0:
            for quote in mine:
                if quote.person is None and not quote.blocked:
                    self.assign(quote, colon, "colon")
                    self.speak(colon.person)

    def qa(self, text: str, qa: re.Match[str], index: int) -> None:
        if qa.group(1).lower().startswith("q"):
            return  # a question from the floor: nobody we attribute
        # "Two-goal hero **Kwame Asante** is up next." then Q:/A: — the answers are his
        person = self.asked or self.current or self.introduced()
        self.add(Found(text[qa.end() :], index, "qa", person, "answer" if person else "none"))

    def block(self, text: str, index: int, colon: Resolved, *, embed: bool) -> None:
        byline = _BYLINE.search(text)
        if byline is not None or embed:
            self.embedded(text, byline, index)
            return
        quotes = find_quotes(text)
        whole = len(quotes) == 1 and quotes[0].end - quotes[0].start >= len(text) - 2
        if quotes and not whole and colon.person is None:
            # a block that quotes someone inside it ("“…,” Lind said after …") is reported
            # text, read sentence by sentence like any paragraph
            self.sentences(Paragraph.of(text, "text"), index, headline=False)
            return
        body = quotes[0].text if whole else text
        found = Found(body, index, "block")
        if colon.person is not None:
            self.assign(found, colon, "colon")
        elif self.current is not None:
            found.person, found.method = self.current, "entry"
        elif colon.blocked:
            found.blocked = True  # "A few thoughts from our correspondent:"
        elif (person := self.introduced()) is not None:
            found.person, found.method = person, "introduced"  # "Boss X has been in front …"
        self.add(found)

    def embedded(self, text: str, byline: re.Match[str] | None, index: int) -> None:
        """A post: quotations inside it are read as text; otherwise it is its author's words."""
        author = self.named(_bare_byline(byline.group("name")), create=True) if byline else NOBODY
        body = text[: byline.start()].strip() if byline else text
        quotes = find_quotes(body)
        if quotes and not (len(quotes) == 1 and quotes[0].end - quotes[0].start >= len(body) - 2):
            self.sentences(Paragraph.of(body, "text"), index, headline=False)
            return
        found = Found(quotes[0].text if quotes else body, index, "block")
        if author.person is not None:
            found.person, found.method = author.person, "embed"
        self.add(found)

    # sentences ---------------------------------------------------------------------------------

    def sentences(self, para: Paragraph, index: int, *, headline: bool) -> None:
        for n, (start, end) in enumerate(para.bounds):
            tokens, runs = para.sentence(start, end)
            opening = first_word(tokens, 0)
            first = tokens[opening].start if opening >= 0 else -1
            self.resolver.context.enter(index, start, end, first)
            colon = self.sentence(tokens, runs, para.quotes, index, headline=headline)
            if n == len(para.bounds) - 1:
                self.colon = colon
        self.resolver.context.enter(index)

    def sentence(
        self,
        tokens: list[Token],
        runs: list[Span],
        quotes: list[QuoteSpan],
        index: int,
        *,
        headline: bool,
    ) -> Resolved:
        """Read one sentence; returns who its final colon introduces (for the next paragraph)."""
        mentioned = self.mention(tokens, runs)
        frames = find_frames(tokens, self.resolver)
        speakers = [f.found.person for f in frames if f.found.person is not None]
        learn_gender(tokens, [*mentioned, *speakers], self.resolver)
        for frame in frames:
            # "Fairweather's claim" reports words only through a quotation it frames
            if frame.found.person is not None and frame.kind != "noun":
                self.speak(frame.found.person)
                if frame.kind == "asked":
                    self.asked = frame.found.person
        colon = next((i for i, t in enumerate(tokens) if t.text == ":" and t.quote is None), None)
        introduced = NOBODY
        if colon is not None:
            before = [f.found for f in frames if f.verb < colon]
            introduced = colon_speaker(tokens, colon, before[-1] if before else None, self.resolver)
        standalone = sum(1 for t in tokens if t.is_word or t.quote is not None) == 1
        for q, tok in enumerate(tokens):
            if tok.quote is None or _is_title(quotes[tok.quote].text, tokens, q):
                continue
            span = quotes[tok.quote]
            kind: QuoteKind = "headline" if headline else _kind(span.text)
            found = Found(span.text, index, kind, standalone=standalone)
            self.attribute(found, q, tokens, frames, colon, introduced)
            self.add(found)
        ends_with_colon = colon is not None and colon == len(tokens) - 1
        return introduced if ends_with_colon else NOBODY

    def attribute(
        self,
        found: Found,
        q: int,
        tokens: list[Token],
        frames: list[Frame],
        colon: int | None,
        introduced: Resolved,
    ) -> None:
        frame = frame_for(q, tokens, frames)
        after_colon = colon is not None and colon < q
        if (
            colon is not None
            and after_colon
            and (frame is None or frame.verb < colon)
            and (introduced.person is not None)
        ):
            self.assign(found, introduced, "colon" if frame is None else None)
        elif frame is not None:
            self.assign(found, frame.found)

    def mention(self, tokens: list[Token], runs: list[Span]) -> list[Person]:
        """Known people named in the sentence, made the most recent of the entry; the one the
        sentence opens with ("Adebayo put it to the witness …", "The transport secretary
        arrived …") as its subject."""
        people: list[Person] = []
        subject = learn_subject(tokens, self.resolver, runs)
        if isinstance(subject, Person):
            people.append(subject)
        elif subject is not None:
            self.resolver.context.touch_name(subject, tokens[0].start)
        phrase = subject_phrase(tokens, len(tokens))
        opens, closes = _owned_subject(tokens, runs, *phrase)
        owned = (opens, closes) != phrase  # the phrase was the subject's owner
        named_subject = False
        for start, end in runs:
            name = " ".join(t.bare for t in tokens[start:end])
            person, _ = self.memory.by_name(name, fuzzy=end - start == 1)
            if (
                person is None
                and end - start == 1
                and start
                and first_name_title(tokens[start - 1])
            ):
                person = self.memory.by_first_name(name)  # "Dame Helena"
            if person is not None:
                is_subject = opens <= start and end <= closes
                named_subject = named_subject or is_subject
                owner = owned and phrase[0] <= start and end <= phrase[1]
                self.resolver.touch(person, tokens[start].start, subject=is_subject, owner=owner)
                people.append(person)
        if not named_subject and closes > opens:
            holder = self.resolver.known_role(Mention.of(tokens[opens:closes]))
            if holder is not None:
                self.resolver.touch(holder, tokens[opens].start, subject=True)
        return people

    # after reading -----------------------------------------------------------------------------

    def first_subject(self) -> None:
        """An entry with no speech frame whose first sentence's subject spoke in the entry
        before reports that person's position ("The EU trade commissioner would be …")."""
        if self.speakers or not self.memory.last_speakers:
            return
        offset = 1 if self.entry.headline else 0
        body = [
            (i + offset, p)
            for i, p in enumerate(self.entry.paragraphs)
            if not p.quote_block and not p.embed
        ]
        if not body:
            return
        index, paragraph = body[0]
        text = paragraph.text
        quotes = find_quotes(text)
        tokens = tokenize(text, quotes)
        self.resolver.context.enter(index)
        start, end = subject_phrase(tokens, len(tokens))
        if end <= start:
            return
        found = self.resolver.resolve(Mention.of(tokens[start:end]), create=False)
        if found.person is not None and found.person.id in self.memory.last_speakers:
            self.speak(found.person)


def _owned_subject(tokens: list[Token], runs: list[Span], opens: int, closes: int) -> Span:
    """ "Okonjo's strike partner Luca Ferrante went off": the subject is the name the
    possessive's phrase ends with, not its owner."""
    if closes <= opens or not tokens[closes - 1].possessive:
        return opens, closes
    j = closes
    while j < len(tokens) and tokens[j].is_word and not tokens[j].is_cap and j - closes < 3:
        j += 1
    run = next((r for r in runs if r[0] == j), None)
    return run if run is not None and j > closes else (opens, closes)


def _plausible(seen: Seen, *, known: bool) -> bool:
    """A mention that may be the entry's speaker: a person, or a full name not yet one."""
    if seen.person is None:
        return not known
    return seen.person.kind == "person"


def _is_title(text: str, tokens: list[Token], q: int) -> bool:
    """`told the “Rheinische Post”`: a newspaper or programme title in quotation marks."""
    words = text.split()
    if not 1 <= len(words) <= 5 or q == 0 or tokens[q - 1].lower not in _TITLE_BEFORE:
        return False
    return all(w[:1].isupper() or w.lower() in _TITLE_SMALL for w in words)


def _bare_byline(name: str) -> str:
    """`Alun Pryce MP` -> `Alun Pryce`: post-nominal letters are not part of the name."""
    words = name.split()
    while len(words) > 1 and words[-1].isupper():
        words.pop()
    return " ".join(words)


def _kind(text: str) -> QuoteKind:
    return "direct" if len(text.split()) >= 4 or text.rstrip()[-1:] in ".!?" else "partial"


def read_entry(entry: ParsedEntry, memory: SpeakerMemory) -> EntryReader:
    """Read `entry` against `memory` (which it updates with the people it learns)."""
    reader = EntryReader(entry, memory)
    reader.read()
    reader.first_subject()
    return reader
