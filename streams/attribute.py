"""The attribution stage: who said what, from the text and the blog's speaker memory.

Pure: `attribute(entry, memory) -> (Attribution, memory)`. The memory that comes back is a new
object; the one passed in is not changed.

Order of work for one entry:
1. find quotations (headline, paragraphs, `> ` blocks, Q/A lines) and split sentences around them;
2. learn people from appositions ("Russian Foreign Minister Sergey Lavrov", "X, the minister");
3. read each sentence's reporting frame: speech verbs with their subject on either side,
   "according to X", "X is asked", colon introductions; resolve each subject to a person by name,
   surname, role, descriptor or pronoun (misspellings by fuzzy match);
4. give quotes without a frame the speaker of the quote before them (continuity), the entry's
   current speaker, or the blog's most salient speaker, each with a lower confidence;
5. update salience so that the next entry's "he says" finds the right person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from schemas.events import Quote, QuoteKind, SpeakerRef, stable_id
from streams.frames import (
    PRONOUNS,
    NounPhrase,
    Token,
    classify,
    noun_phrase_after,
    noun_phrase_before,
    tokenize,
)
from streams.lexicon import lexicon
from streams.memory import Person, SpeakerMemory
from streams.models import ParsedEntry
from streams.quotes import QuoteSpan, find_quotes, split_sentences

__all__ = ["Attribution", "attribute"]

_AGE = re.compile(r"\b(\d{1,3})-year-old\b")
_QA = re.compile(r"^(Q|A|Question|Answer)\s*[:.]\s+", re.IGNORECASE)
_SPEAKER_LINE = re.compile(
    r"^([A-Z][\w\u00c0-\u024f’'.-]+(?:\s+[A-Z][\w\u00c0-\u024f’'.-]+){0,2})\s*:\s+(.+)$"
)
_EMBED_BYLINE = re.compile(
    r"[—–-]\s*([A-Z][\w\u00c0-\u024f.-]+(?:\s+[A-Z][\w\u00c0-\u024f.-]+){0,3})\s*\(@\w+\)"
)
_TRIM = " ,;:–—-"

# confidence by how the speaker was found
CONFIDENCE = {
    "name": 0.95,
    "fuzzy": 0.85,
    "role": 0.9,
    "pronoun": 0.8,
    "descriptor": 0.75,
    "continuity": 0.7,
    "entry": 0.65,
    "salience": 0.55,
}


@dataclass(slots=True)
class _Quote:
    span: QuoteSpan
    para: int
    order: int
    kind: QuoteKind
    speaker: Person | None = None
    confidence: float = 0.0
    method: str = ""


@dataclass(slots=True)
class _Frame:
    verb: int  # token index
    person: Person
    method: str
    how: str  # "after" (Q, says X), "before" (X says ... Q), "final" (..., X said.)


@dataclass(slots=True)
class Attribution:
    """What the stage found in one entry."""

    speakers: list[SpeakerRef] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    mentioned: list[SpeakerRef] = field(default_factory=list)


class _Resolver:
    """Resolves phrases to people against the memory and the entry's own context."""

    def __init__(self, memory: SpeakerMemory) -> None:
        self.memory = memory
        self.local: list[Person] = []  # this entry's people, most recent first
        self.mentioned: list[Person] = []

    def touch(self, person: Person) -> None:
        if person in self.local:
            self.local.remove(person)
        self.local.insert(0, person)
        if person not in self.mentioned:
            self.mentioned.append(person)
            person.mentions += 1

    def salient(self, gender: str | None = None) -> Person | None:
        for person in self.local:
            if gender is None or person.gender in (None, gender):
                return person
        return self.memory.most_salient(gender)

    def resolve(self, np: NounPhrase, *, create: bool) -> tuple[Person | None, str]:
        if not np:
            return None, ""
        if np.pronoun:
            if np.pronoun == "they":
                return None, ""
            gender = PRONOUNS[np.pronoun]
            person = self.salient(gender)
            if person is not None and person.gender is None and gender:
                person.gender = gender  # type: ignore[assignment]
            return person, "pronoun"
        role = " ".join(np.role)
        if np.name:
            name = " ".join(_leading_run(np))
            person, fuzzy = self.memory.by_name(name)
            if person is None:
                for token in np.name:  # "Guterres Moscow": any known surname among the tokens
                    person, fuzzy = self.memory.by_name(token)
                    if person is not None:
                        break
            if person is None and create:
                person = self.memory.add(
                    name, role=_role_text(np) or None, gender=_title_gender(np)
                )
                fuzzy = False
            if person is not None and not fuzzy and len(name.split()) > len(person.name.split()):
                self.memory.add(name)  # the fullest name the blog uses becomes canonical
            if person is not None and role and _has_role_head(np.role):
                self.memory.learn_role(person, _role_text(np))
            return person, ("fuzzy" if fuzzy else "name") if person else ""
        if role and _has_role_head(np.role):
            person = self.memory.by_role(role)
            if person is not None:
                return person, "role"
            return None, ""
        descriptor = " ".join(np.descriptor)
        if descriptor and np.determiner in ("the", None) and _is_descriptor(np):
            person = self.memory.by_descriptor(descriptor)
            if person is None and np.determiner == "the":
                person = self.salient()
                if person is not None:
                    self.memory.learn_descriptor(person, descriptor)
            return person, "descriptor" if person else ""
        return None, ""


def _leading_run(np: NounPhrase) -> list[str]:
    return np.name[:3]


def _role_text(np: NounPhrase) -> str:
    lex = lexicon()
    words = [w for w in np.role if w.lower() not in lex.titles or w.lower() in lex.roles]
    return " ".join(words)


def _has_role_head(words: list[str]) -> bool:
    return bool(words) and words[-1].lower() in lexicon().roles


def _title_gender(np: NounPhrase) -> str | None:
    titles = lexicon().titles
    for word in np.role:
        gender = titles.get(word.lower().rstrip("."))
        if gender:
            return gender
    return None


def _is_descriptor(np: NounPhrase) -> bool:
    lex = lexicon()
    words = np.descriptor
    if any(_AGE.search(w.lower()) for w in words):
        return True
    return len(words) == 1 and words[0] in lex.demonyms


def _is_speech(tokens: list[Token], k: int) -> bool:
    lex = lexicon()
    low = tokens[k].lower
    if low in lex.speech_forms:
        return True
    if low in lex.conversation_forms:
        nxt = tokens[k + 1].lower if k + 1 < len(tokens) else ""
        if low.startswith("call"):
            return nxt == "for"
        if low.startswith("point"):
            return nxt == "out"
        return nxt not in ("with", "to", "about", "on") or (
            low.startswith("speak") and nxt == "about"
        )
    return False


class _EntryAttributor:
    def __init__(self, entry: ParsedEntry, memory: SpeakerMemory) -> None:
        self.entry = entry
        self.memory = memory
        self.resolver = _Resolver(memory)
        self.quotes: list[_Quote] = []
        self.speakers: list[Person] = []
        self.current: Person | None = None  # the entry's speaker so far
        self.colon_speaker: Person | None = None

    def speak(self, person: Person) -> None:
        if person not in self.speakers:
            self.speakers.append(person)
        self.current = person
        self.resolver.touch(person)

    # ---------------------------------------------------------------------------------------

    def run(self) -> Attribution:
        paragraphs: list[tuple[str, bool, bool, bool]] = []  # text, quote block, embed, headline
        if self.entry.headline:
            paragraphs.append((self.entry.headline, False, False, True))
        paragraphs.extend((p.text, p.quote_block, p.embed, False) for p in self.entry.paragraphs)
        for text, _, _, _ in paragraphs:
            self.learn(text)
        for index, (text, block, embed, headline) in enumerate(paragraphs):
            if embed:
                self.embedded(text, index)
            elif block:
                self.block(text, index)
            else:
                self.paragraph(text, index, headline)
        self.continuity()
        self.first_subject(paragraphs)
        return self.finish()

    # learning ----------------------------------------------------------------------------------

    def learn(self, text: str) -> None:
        """People introduced with their role: `Russian Foreign Minister Sergey Lavrov`,
        `Maria Okafor, the minister for housing,`, `Okafor, 54,`."""
        quotes = find_quotes(text)
        tokens = tokenize(text, quotes)
        lex = lexicon()
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.is_word and (tok.lower in lex.roles or tok.lower.rstrip(".") in lex.titles):
                # extend to the last role word of the run, then read a name right after it
                j = i
                while (
                    j + 1 < len(tokens)
                    and tokens[j + 1].is_word
                    and (
                        tokens[j + 1].lower in lex.roles
                        or (tokens[j + 1].is_cap and tokens[j + 1].lower in lex.titles)
                    )
                ):
                    j += 1
                name: list[Token] = []
                k = j + 1
                while k < len(tokens) and len(name) < 3 and _name_like(tokens[k]):
                    name.append(tokens[k])
                    k += 1
                if name:
                    role_np = noun_phrase_before(tokens, j + 1)
                    phrase = classify([*role_np.tokens, *name])
                    if phrase.name:
                        self.resolver.resolve(phrase, create=True)
                    i = k
                    continue
                i = j
            elif tok.is_cap and _name_like(tok):
                # Name, [the] role phrase,   /   Name, 54,
                name = [tok]
                k = i + 1
                while k < len(tokens) and len(name) < 3 and _name_like(tokens[k]):
                    name.append(tokens[k])
                    k += 1
                if k + 1 < len(tokens) and tokens[k].text == "," and len(name) >= 1:
                    after = tokens[k + 1 :]
                    age = after[0].text if after and after[0].text.isdigit() else None
                    if age and len(after) > 1 and after[1].text == ",":
                        np = classify(name)
                        person, _ = self.resolver.resolve(np, create=len(name) > 1)
                        if person is not None:
                            self.memory.learn_descriptor(person, f"{age}-year-old")
                    else:
                        role = _apposition_role(after)
                        if role and len(name) > 1:
                            person = self.memory.add(" ".join(t.text for t in name), role=role)
                            self.resolver.touch(person)
                i = k
                continue
            i += 1

    # reading -----------------------------------------------------------------------------------

    def paragraph(self, text: str, index: int, headline: bool) -> None:
        qa = _QA.match(text)
        if qa:
            if qa.group(1).lower().startswith("q"):
                return  # a question from the floor: not a speaker's words
            self.add_quote(
                QuoteSpan(qa.end(), len(text), text[qa.end() :]),
                index,
                "qa",
                self.current,
                "continuity",
                CONFIDENCE["entry"],
            )
            return
        quotes = find_quotes(text)
        line = _SPEAKER_LINE.match(text)
        if line and not quotes and not headline:
            np = classify(tokenize(line.group(1), []))
            person, method = self.resolver.resolve(np, create=False)
            if person is not None and method in ("name", "fuzzy"):
                self.speak(person)
                self.add_quote(
                    QuoteSpan(line.start(2), len(text), line.group(2)),
                    index,
                    "qa",
                    person,
                    method,
                    CONFIDENCE[method],
                )
                return
        for start, end in split_sentences(text, quotes):
            self.sentence(text, start, end, quotes, index, headline)

    def sentence(
        self, text: str, start: int, end: int, quotes: list[QuoteSpan], index: int, headline: bool
    ) -> None:
        inside = [q for q in quotes if q.start >= start and q.end <= end]
        tokens = tokenize(text[start:end], inside, offset=start)
        frames = self.frames(tokens)
        for frame in frames:
            self.speak(frame.person)
        quote_tokens = [i for i, t in enumerate(tokens) if t.quote is not None]
        for qi in quote_tokens:
            span = inside[tokens[qi].quote or 0]
            kind: QuoteKind = "headline" if headline else _kind(span.text)
            chosen = _frame_for(qi, tokens, frames)
            if chosen is not None:
                self.add_quote(
                    span,
                    index,
                    kind,
                    chosen.person,
                    chosen.method,
                    CONFIDENCE.get(chosen.method, 0.8) - (0.05 if chosen.how == "final" else 0),
                )
            else:
                self.add_quote(span, index, kind, None, "", 0.0)
        # "He said:" at the end of a sentence introduces the next quote block
        stripped = text[start:end].rstrip()
        self.colon_speaker = frames[-1].person if frames and stripped.endswith(":") else None

    def frames(self, tokens: list[Token]) -> list[_Frame]:
        frames: list[_Frame] = []
        n = len(tokens)
        for k, tok in enumerate(tokens):
            if tok.quote is not None or not tok.is_word:
                continue
            low = tok.lower
            np: NounPhrase | None = None
            how = "before"
            if low == "according" and k + 1 < n and tokens[k + 1].lower == "to":
                np = noun_phrase_after(tokens, k + 1)
                how = "final" if k > 0 else "before"
            elif low == "asked" and k > 0 and tokens[k - 1].lower in ("is", "was", "were", "being"):
                np = noun_phrase_before(tokens, k - 1)
            elif _is_speech(tokens, k):
                np = noun_phrase_before(tokens, k)
                person = None
                if np:
                    person, _ = self.resolver.resolve(np, create=False)
                prev = _prev_significant(tokens, k)
                if person is None and (prev is None or not prev.is_word):
                    after = noun_phrase_after(tokens, k)
                    if after:
                        np, how = after, "after"
                elif prev is not None and prev.quote is None and np:
                    # "…, Lavrov said." at a sentence's end reports the whole sentence
                    how = "final" if _ends_sentence(tokens, k) else "before"
            elif tok.text == ":" and k + 1 < n and tokens[k + 1].quote is not None:
                np = noun_phrase_before(tokens, k)
                if np and np.pronoun is None and not np.name and not np.role:
                    np = None
            if not np:
                continue
            person, method = self.resolver.resolve(
                np,
                create=bool(np.name),
            )
            if person is None:
                continue
            if how == "before" and any(t.quote is not None for t in tokens[k + 1 :]) is False:
                how = "final" if any(t.quote is not None for t in tokens[:k]) else "before"
            frames.append(_Frame(k, person, method, how))
        return frames

    def block(self, text: str, index: int) -> None:
        person = self.colon_speaker or self.current
        method = "colon" if self.colon_speaker else "continuity"
        quotes = find_quotes(text)
        body = (
            quotes[0].text
            if len(quotes) == 1 and quotes[0].end - quotes[0].start >= len(text) - 2
            else text
        )
        self.add_quote(
            QuoteSpan(0, len(text), body),
            index,
            "block",
            person,
            method,
            0.9 if self.colon_speaker else CONFIDENCE["entry"],
        )
        self.colon_speaker = None

    def embedded(self, text: str, index: int) -> None:
        byline = _EMBED_BYLINE.search(text)
        person = None
        body = text
        if byline:
            np = classify(tokenize(byline.group(1), []))
            person, _ = self.resolver.resolve(np, create=True)
            body = text[: byline.start()].strip()
        if person is not None:
            self.speak(person)
        self.add_quote(
            QuoteSpan(0, len(text), body), index, "block", person, "embed", 0.9 if person else 0.0
        )

    def add_quote(
        self,
        span: QuoteSpan,
        para: int,
        kind: QuoteKind,
        person: Person | None,
        method: str,
        confidence: float,
    ) -> None:
        text = span.text.strip(_TRIM)
        if not text:
            return
        span = QuoteSpan(span.start, span.end, text, span.open_ended)
        self.quotes.append(_Quote(span, para, len(self.quotes), kind, person, confidence, method))
        if person is not None:
            self.speak(person)

    # after reading -----------------------------------------------------------------------------

    def continuity(self) -> None:
        """Quotes without a frame: the quote before, the quote after in the paragraph, the entry's
        speaker, else the blog's most salient speaker."""
        for i, q in enumerate(self.quotes):
            if q.speaker is not None or (q.kind == "block" and q.method == "embed"):
                continue
            before = next((p for p in reversed(self.quotes[:i]) if p.speaker), None)
            after = next((p for p in self.quotes[i + 1 :] if p.speaker and p.para == q.para), None)
            if before is not None and q.para - before.para <= 1:
                q.speaker, q.method, q.confidence = (
                    before.speaker,
                    "continuity",
                    CONFIDENCE["continuity"],
                )
            elif after is not None:
                q.speaker, q.method, q.confidence = (
                    after.speaker,
                    "continuity",
                    CONFIDENCE["continuity"] - 0.05,
                )
            elif self.current is not None:
                q.speaker, q.method, q.confidence = self.current, "entry", CONFIDENCE["entry"]
            else:
                person = self.memory.most_salient()
                if person is not None and person.id in self.memory.last_speakers:
                    q.speaker, q.method, q.confidence = person, "salience", CONFIDENCE["salience"]
            if q.speaker is not None and q.speaker not in self.speakers:
                self.speakers.append(q.speaker)

    def first_subject(self, paragraphs: list[tuple[str, bool, bool, bool]]) -> None:
        """An entry with no speech verb whose first sentence's subject is someone who has spoken
        in this blog reports that person's position ("The minister would favour ...")."""
        if self.speakers:
            return
        body = [p for p in paragraphs if not p[3] and not p[1]]
        if not body:
            return
        text = body[0][0]
        tokens = tokenize(text, find_quotes(text))
        k = 0
        while (
            k < len(tokens)
            and tokens[k].is_word
            and (
                tokens[k].is_cap
                or tokens[k].lower in lexicon().roles
                or tokens[k].lower == "the"
                or tokens[k].lower in ("foreign", "prime", "deputy", "former")
            )
        ):
            k += 1
        if k == 0:
            return
        np = noun_phrase_before(tokens, k)
        person, _ = self.resolver.resolve(np, create=False)
        if person is not None and person.spoke:
            self.speak(person)

    def finish(self) -> Attribution:
        # a headline quote that repeats a body quote adds nothing
        body = [q for q in self.quotes if q.kind != "headline"]
        kept = [
            q
            for q in self.quotes
            if q.kind != "headline"
            or not any(fuzz.ratio(q.span.text, b.span.text) >= 80 for b in body)
        ]
        result = Attribution()
        for person in self.speakers:
            person.spoke = True
            result.speakers.append(person.ref())
        for n, q in enumerate(kept):
            speaker = q.speaker if q.confidence >= 0.0 else None
            if speaker is not None:
                speaker.quotes += 1
            result.quotes.append(
                Quote(
                    quote_id=stable_id(self.entry.entry_id, n, q.span.text),
                    entry_id=self.entry.entry_id,
                    blog_id=self.entry.blog_id,
                    published_at=self.entry.published_at,
                    text=q.span.text,
                    speaker=speaker.ref() if speaker else None,
                    kind=q.kind,
                    confidence=round(q.confidence, 3) if speaker else 0.0,
                    method=q.method or "none",
                )
            )
        for person in reversed(self.resolver.mentioned):
            if person not in self.speakers:
                self.memory.promote(person)
        for person in reversed(self.speakers):
            self.memory.promote(person)
        if self.speakers:
            self.memory.last_speakers = [p.id for p in self.speakers]
        result.mentioned = [p.ref() for p in self.resolver.mentioned]
        return result


def _name_like(tok: Token) -> bool:
    from streams.frames import _is_name_token

    return _is_name_token(tok)


def _apposition_role(after: list[Token]) -> str | None:
    lex = lexicon()
    words: list[str] = []
    for tok in after[:8]:
        if tok.text in (",", ".", ";", ")") or tok.quote is not None:
            break
        if tok.lower in lex.speech_forms:
            break
        words.append(tok.text)
    while words and words[0].lower() in ("the", "a", "an"):
        words.pop(0)
    if not words or not any(w.lower() in lex.roles for w in words):
        return None
    return " ".join(words)


def _prev_significant(tokens: list[Token], k: int) -> Token | None:
    from streams.frames import ADVERBS

    i = k - 1
    while i >= 0 and tokens[i].is_word and tokens[i].lower in ADVERBS:
        i -= 1
    return tokens[i] if i >= 0 else None


def _ends_sentence(tokens: list[Token], k: int) -> bool:
    rest = [t for t in tokens[k + 1 :] if t.is_word]
    return len(rest) <= 3 and not any(t.quote is not None for t in tokens[k + 1 :])


def _frame_for(qi: int, tokens: list[Token], frames: list[_Frame]) -> _Frame | None:
    if not frames:
        return None
    # a verb right after the quote: “…,” says X / “…,” X said
    for f in frames:
        if (
            f.verb > qi
            and not any(t.quote is not None for t in tokens[qi + 1 : f.verb])
            and (f.verb - qi <= 8)
        ):
            return f
    before = [f for f in frames if f.verb < qi and f.how in ("before", "after")]
    if before:
        return before[-1]
    final = [f for f in frames if f.verb > qi]
    if final:
        return final[0]
    return frames[-1]


def _kind(text: str) -> QuoteKind:
    return "direct" if len(text.split()) >= 4 or text.rstrip()[-1:] in ".!?" else "partial"


def attribute(entry: ParsedEntry, memory: SpeakerMemory) -> tuple[Attribution, SpeakerMemory]:
    """Speakers and quotes of `entry`; returns a new memory."""
    working = memory.model_copy(deep=True)
    result = _EntryAttributor(entry, working).run()
    return result, working
