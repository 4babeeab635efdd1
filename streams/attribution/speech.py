"""Speech frames of a sentence: who the words outside its quotations say is speaking.

A frame is a speech verb with its subject (before it: "Okafor said"; after it: "says the
minister"; across an apposition: "Tom Fairweather, the shadow housing secretary, said"; shared by a
second verb: "She described it as … and said …"), "according to X", "X is asked" (X answers next),
a possessive speech noun ("Lindqvist's verdict") or a translated "…”, so X.". A verb used as a
noun ("in a post"), in the passive ("he was told") or inside what another frame reports ("Okafor
complains that the council has condemned …") frames nothing. Colon introductions are in
`clauses`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from streams.attribution.clauses import subject_phrase
from streams.attribution.lexicon import QUOTE_PARTICLE, lexicon
from streams.attribution.mentions import BLOCKED, NOBODY, Mention, Resolved, Resolver
from streams.attribution.tokens import (
    DETERMINERS,
    POSSESSIVE_PRONOUNS,
    PRONOUNS,
    Token,
    apposition_open,
    phrase_after,
    phrase_before,
)

__all__ = ["Frame", "SpeechCue", "find_frames", "frame_for", "speech_cue"]

FrameKind = Literal["speech", "according", "asked", "noun"]

_BE = frozenset(["is", "was", "were", "been", "being", "be", "are", "am"])
#: words between a subject and its verb that keep the verb's voice readable: "is also asked"
_SKIP = (
    frozenset(["also", "then", "now", "again", "first", "later", "repeatedly", "not"])
    | frozenset(["has", "had", "have", "will", "would"])
    | _BE
)
_NOUN_MARKERS = DETERMINERS | frozenset(POSSESSIVE_PRONOUNS) | {"no", "any", "every", "such"}
_PREPOSITIONS = frozenset(["of", "in", "on", "at", "for", "from", "by", "with", "to", "into"])
_CONVERSATION_PARTNERS = frozenset(["with", "to", "about", "on"])
_COORDINATORS = frozenset(["and", "but", "then", "before", "&"])
_OF = frozenset(["for", "of"])
_ASK = frozenset(["ask", "asks", "asked", "asking"])
_APPOSITION_MARKS = frozenset([",", "–", "—"])
#: prepositions that open a place in an apposition: "Ray Hollis, 60, from Lowdham, said"
_PLACE_PREPOSITIONS = frozenset(["from", "in", "of", "near", "outside"])
#: what may stand between a quotation and the frame right after it
_BETWEEN = frozenset([",", "–", "—", "-", ")", "("])
#: nouns that report words when a name owns them: "Lindqvist's verdict", "Okafor's reply"
_SPEECH_NOUNS = frozenset(
    [
        *("verdict", "response", "reply", "reaction", "answer", "message", "words", "view"),
        *("assessment", "warning", "comments", "remarks", "statement", "claim", "promise"),
    ]
)
_CITED = frozenset(["quoted", "cited", "reported", "heard"])
#: words that open a clause standing as its sentence's subject: "That Lind announced it signals …"
_SUBJECT_CLAUSES = frozenset(["that", "whether", "dass", "ob"])
#: what is written and sent: in "the Trust's letter to Dana Reyes said" Reyes is its addressee
_WRITTEN = frozenset(
    [
        *("letter", "statement", "message", "email", "e-mail", "note", "memo", "report"),
        *("submission", "complaint", "post", "filing", "reply", "response", "petition"),
    ]
)
_ADDRESSED = frozenset(["to", "for", "addressed", "sent"])
_DOCUMENTS = frozenset(["statement", "letter", "post", "report", "spokesperson", "source"])
_FROM = frozenset(["from", "by", "of"])
#: words that may follow an inverted speaker: "…, said Okafor on Tuesday", "said X in a post"
_AFTER_SPEAKER = frozenset(
    [
        *("in", "on", "at", "during", "after", "before", "to", "of", "for", "from", "with"),
        *("and", "yesterday", "today", "tonight", "earlier", "later", "when", "while", "as"),
        "but",
    ]
)
_QUESTION_WORDS = frozenset(
    ["whether", "if", "about", "what", "how", "why", "when", "who", "where", "which"]
)
_COMPLEMENTIZERS = frozenset(["that", "whether"])
#: prepositions whose object stands before a verb without being its subject
_OBJECT_PREPOSITIONS = frozenset(
    ["to", "at", "with", "from", "near", "inside", "outside", "within", "among", "in", "on"]
)
#: words between a noun and such a preposition: "a source close to the inquiry"
_POST_MODIFIERS = frozenset(["close", "closest", "near", "linked", "loyal", "familiar", "based"])
#: how far after a quotation a verb may stand and still frame it: “…,” the minister said
_AFTER_QUOTE = 8


@dataclass(frozen=True, slots=True)
class Frame:
    """A reporting frame: the verb's token index and the speaker it names."""

    verb: int
    found: Resolved
    kind: FrameKind = "speech"
    start: int = -1  # where the speaker phrase starts (the verb's index when it follows)

    def opens_at(self) -> int:
        return self.verb if self.start < 0 else min(self.start, self.verb)


#: what a speech cue is: "according to X", "X is asked", a speech verb, "…", so X", "X's verdict"
SpeechCue = Literal["according", "asked", "verb", "so", "noun"]


def speech_cue(tokens: Sequence[Token], k: int) -> SpeechCue | None:
    """The one speech detector of the code base: what kind of speech cue `tokens[k]` is, if
    any. The rule reader's frames and the alert matcher's voices (`voices.py`) both ask it, so
    they agree on which words report speech ("defended the plan" does not, "spoke about" does)."""
    tok = tokens[k]
    if not tok.is_word:
        return None
    if tok.lower == "according" and k + 1 < len(tokens) and tokens[k + 1].lower == "to":
        return "according"
    if tok.lower == "asked" and _passive(tokens, k):
        return "asked"
    if _is_speech_verb(tokens, k):
        return "verb"
    if tok.lower == "so" and _so_attribution(tokens, k):
        return "so"
    if tok.possessive and k + 1 < len(tokens) and tokens[k + 1].lower in _SPEECH_NOUNS:
        return "noun"
    return None


def find_frames(tokens: Sequence[Token], resolver: Resolver) -> list[Frame]:
    """Every frame of a sentence, in order."""
    frames: list[Frame] = []
    for k, tok in enumerate(tokens):
        cue = speech_cue(tokens, k)
        if cue == "according":
            frames.append(Frame(k, _after(tokens, k + 1, resolver), "according"))
        elif cue == "asked":
            start, end = phrase_before(tokens, k)
            found = _resolve(tokens, start, end, resolver) if end > start else NOBODY
            frames.append(Frame(k, found, "asked", start))
        elif (
            cue == "verb" and not _reported(tokens, k, frames) and not in_subject_clause(tokens, k)
        ):
            frames.extend(_speech_frames(tokens, k, frames, resolver))
        elif cue == "so":
            frames.append(Frame(k, _after(tokens, k, resolver), "speech", k))
        elif cue == "noun" and not _reported(tokens, k, frames, that=False):
            found = resolver.resolve(Mention.of([tok]), create=False)  # "Lindqvist's verdict"
            frames.append(Frame(k + 1, found, "noun", k))
    return [f for f in frames if f.found.person is not None or f.found.blocked]


def in_subject_clause(tokens: Sequence[Token], k: int) -> bool:
    """Whether token k is inside a clause that opens its sentence as its subject: "That Lind
    announced the tariffs signals a “hard line”, says Okafor" (Lind reports nothing here)."""
    words = [i for i, t in enumerate(tokens) if t.is_word or t.quote is not None][:2]
    if not words or tokens[words[0]].lower not in _SUBJECT_CLAUSES or not tokens[words[0]].is_cap:
        return False
    if tokens[words[0]].lower == "that":
        # "That Lind announced …", "That he said …" open a clause; "That kind of talk …" is a
        # determiner and its noun
        nxt = tokens[words[1]] if len(words) > 1 else None
        if nxt is None or not (nxt.is_cap or nxt.lower in PRONOUNS):
            return False
    return not any(t.text == "," or t.quote is not None for t in tokens[:k])


def _so_attribution(tokens: Sequence[Token], k: int) -> bool:
    """`“…”, so the CDU leader.`: the German "so X" of translated tickers, which closes the
    sentence with its speaker."""
    if k < 2 or tokens[k - 1].text != "," or tokens[k - 2].quote is None:
        return False
    start, end = phrase_after(tokens, k)
    return end > start and all(not t.is_word and t.quote is None for t in tokens[end:])


def _reported(
    tokens: Sequence[Token], k: int, frames: Sequence[Frame], *, that: bool = True
) -> bool:
    """A verb inside what an earlier frame reports: "Okafor complains that the council has
    condemned the plan" is Okafor's complaint, not the council's words; with `that` false, no
    "that" is needed ("Stray said the minister's comments were …": the comments are reported)."""
    heard = [
        f for f in frames if f.kind != "noun" and (f.found.person is not None or f.found.blocked)
    ]
    if not heard:
        return False
    between = tokens[heard[-1].verb + 1 : k]
    introduced = not that or any(t.lower in _COMPLEMENTIZERS for t in between)
    return introduced and not any(t.quote is not None or t.text == "," for t in between)


def _passive(tokens: Sequence[Token], k: int) -> bool:
    i = k - 1
    while i >= 0 and tokens[i].is_word and not tokens[i].is_cap and tokens[i].lower in _SKIP:
        if tokens[i].lower in _BE:
            return True
        i -= 1
    return False


def _is_speech_verb(tokens: Sequence[Token], k: int) -> bool:
    lex = lexicon()
    low = tokens[k].lower
    conversation = low in lex.conversation_forms
    if low not in lex.speech_forms and not conversation:
        return False
    prev = tokens[k - 1] if k > 0 else None
    if prev is not None and (prev.lower in _NOUN_MARKERS or prev.lower in _PREPOSITIONS):
        return False  # "Fairweather's claim", "in a post", "secretary of state"
    if prev is not None and prev.possessive:
        return False
    if low != "asked" and _passive(tokens, k) and low.endswith(("ed", "told", "said")):
        return False  # "we are told", "he was warned"
    if low in _ASK:
        return _asks_question(tokens, k)
    nxt = tokens[k + 1] if k + 1 < len(tokens) else None
    needs = lex.particles.get(low)
    if needs:
        quoted = any(t.quote is not None for t in tokens[k + 1 :])
        return (nxt is not None and nxt.lower in needs) or (QUOTE_PARTICLE in needs and quoted)
    if conversation and nxt is not None and nxt.lower in _CONVERSATION_PARTNERS:
        return low.startswith(("speak", "spoke")) and nxt.lower == "about"  # "spoke about"
    return True


def _asks_question(tokens: Sequence[Token], k: int) -> bool:
    """ "asked whether …", "“…?” asked X": a question; "asked them to move back" is not."""
    if any(t.quote is not None for t in tokens[max(0, k - 5) : k]):
        return True  # "“Will the toll rise?” a reporter asked"
    return any(t.lower in _QUESTION_WORDS for t in tokens[k + 1 : k + 4])


def _speech_frames(
    tokens: Sequence[Token], k: int, earlier: list[Frame], resolver: Resolver
) -> list[Frame]:
    found, start = _subject(tokens, k, earlier, resolver)
    frames = [Frame(k, found, "speech", start)]
    if found.person is not None and start >= 2 and tokens[start - 1].lower in ("and", "&"):
        s, e = phrase_before(tokens, start - 1)  # "Lindqvist and Tremblay have announced"
        if e > s:
            other = _resolve(tokens, s, e, resolver)
            if other.person is not None and other.person is not found.person:
                frames.insert(0, Frame(k, other, "speech", s))
    return frames


def _subject(
    tokens: Sequence[Token], k: int, earlier: list[Frame], resolver: Resolver
) -> tuple[Resolved, int]:
    """The speaker a speech verb names, and where its phrase starts."""
    start, end = phrase_before(tokens, k)
    if end > start and (written := _writer(tokens, start, resolver)) is not None:
        return written, start
    if end > start and _object_of(tokens, start, end):
        return _owner(tokens, start, end, resolver)
    if end > start:
        return _resolve(tokens, start, end, resolver), start
    prev = _previous(tokens, k)
    ptok = tokens[prev] if prev >= 0 else None
    if ptok is None or ptok.quote is not None or ptok.text in ",:–—":
        inverted = _inverted(tokens, k, resolver)
        if inverted.person is not None:
            return inverted, k
    if ptok is not None and ptok.text in _APPOSITION_MARKS:
        found = _across_apposition(tokens, prev, k, resolver)
        if found is not None:
            return found
    if ptok is not None and ptok.lower == "as" and prev > 0 and tokens[prev - 1].lower in _CITED:
        s, e = phrase_before(tokens, prev - 1)  # "Nkemelu was quoted as saying …"
        if e > s:
            return _resolve(tokens, s, e, resolver), s
    participle = ptok is not None and ptok.text == "," and tokens[k].lower.endswith("ing")
    if ptok is not None and (ptok.lower in _COORDINATORS or participle):
        if earlier and earlier[-1].found.person is not None:
            return earlier[-1].found, k  # "She described it as … and said …"
        if participle:
            s, e = subject_phrase(tokens, prev)  # "She paid tribute …, saying: …"
            if e > s:
                return _resolve(tokens, s, e, resolver), s
    return NOBODY, k


def _object_of(tokens: Sequence[Token], start: int, end: int) -> bool:
    """A common-noun phrase after a preposition is not the verb's subject: "a source close to
    the inquiry said", "sources at the ministry said"."""
    if start < 2 or tokens[start - 1].lower not in _OBJECT_PREPOSITIONS:
        return False
    return not any(t.is_cap for t in tokens[start:end] if t.lower not in DETERMINERS)


def _owner(
    tokens: Sequence[Token], start: int, end: int, resolver: Resolver
) -> tuple[Resolved, int]:
    """The subject before "… close to the inquiry" / "… at the ministry": the phrase before the
    preposition, with the object as its complement ("a spokesperson at the ministry")."""
    j = start - 1
    if j > 0 and tokens[j - 1].lower in _POST_MODIFIERS:
        j -= 1
    s, e = phrase_before(tokens, j)
    if e <= s:
        return BLOCKED, start
    mention = Mention.of(tokens[s:e], tokens[start:end])
    return resolver.resolve(mention, create=True), s


def _previous(tokens: Sequence[Token], k: int) -> int:
    i = k - 1
    while i >= 0 and tokens[i].is_word and not tokens[i].is_cap and tokens[i].lower in _SKIP:
        i -= 1
    return i


def _inverted(tokens: Sequence[Token], k: int, resolver: Resolver) -> Resolved:
    """“…,” says Maria Okafor / …, said a spokeswoman for the Commission."""
    if tokens[k].lower not in lexicon().inverting_forms:
        return NOBODY  # "told reporters": the phrase after the verb is its object
    start, end = phrase_after(tokens, k)
    if end <= start or tokens[start].lower in PRONOUNS:
        return NOBODY
    if tokens[end - 1].possessive:
        return NOBODY  # "…, says the Bank's (well-flagged) rate rise has …": an owner, no speaker
    if (
        end + 1 < len(tokens)
        and tokens[end].text == ","
        and not any(t.is_cap for t in tokens[start:end])
    ):
        s, e = phrase_after(tokens, end)  # "said a teacher, Dana Reyes": the name
        if e > s and all(t.is_cap for t in tokens[s:e]):
            return _resolve(tokens, s, e, resolver)
    nxt = tokens[end] if end < len(tokens) else None
    if nxt is not None and nxt.is_word and not nxt.is_cap and nxt.lower not in _AFTER_SPEAKER:
        return NOBODY  # "…, said the government had lost control": a clause, not a speaker
    return _resolve(tokens, start, end, resolver)


def _across_apposition(
    tokens: Sequence[Token], comma: int, k: int, resolver: Resolver
) -> tuple[Resolved, int] | None:
    """`Derek Holt, 67, said` / `Their spokesperson, Alun Pryce, posted` / `X, responding, says`."""
    comma = _past_places(tokens, comma)
    opening = apposition_open(tokens, comma)
    if opening is not None:
        s, e = phrase_before(tokens, opening)
        inner_start, _ = phrase_before(tokens, comma)
        whole = inner_start == opening + 1 and comma > opening + 1  # a phrase, not a clause
        inner = _resolve(tokens, opening + 1, comma, resolver) if whole else NOBODY
        written = _writer(tokens, s, resolver) if e > s else None
        if written is not None:  # "the Trust's letter to Dana Reyes, the commissioner, said"
            return written, s
        outer = _resolve(tokens, s, e, resolver) if e > s else NOBODY
        if not (outer.person is not None and outer.method in ("name", "fuzzy")):
            head = _chain_head(tokens, opening, resolver)
            if head is not None:  # "Jo Reyes, chief of the lender, Harbour Capital, says"
                return head
        if inner.person is not None and inner.method in ("name", "fuzzy"):
            return inner, opening + 1
        if outer.person is not None or outer.blocked:
            return outer, s
        if inner.person is not None:
            return inner, opening + 1
    return None


def _chain_head(
    tokens: Sequence[Token], opening: int, resolver: Resolver
) -> tuple[Resolved, int] | None:
    """The person an apposition chain opens with, one apposition further back: in "Jo Reyes,
    chief executive of the lender, Harbour Capital, says" the company and the role describe
    Reyes, who speaks."""
    before = apposition_open(tokens, opening)
    if before is None:
        return None
    s, e = phrase_before(tokens, before)
    if e <= s:
        return None
    found = _resolve(tokens, s, e, resolver)
    if found.person is None or found.person.kind != "person" or found.method != "name":
        return None
    return found, s


def _writer(tokens: Sequence[Token], start: int, resolver: Resolver) -> Resolved | None:
    """Who wrote the letter the phrase at `start` is addressed by: "the Harbour Trust's letter
    to Dana Reyes said" is the Trust's, "a letter from the Trust to Reyes" too; a letter whose
    writer the sentence does not give is nobody's (BLOCKED), and never its addressee's. None when
    the phrase is no letter's addressee."""
    j = start - 1
    if j < 1 or tokens[j].lower not in _ADDRESSED:
        return None
    for d in range(j - 1, max(-1, j - 8), -1):
        tok = tokens[d]
        if not tok.is_word or tok.quote is not None:
            return None
        if tok.lower not in _WRITTEN:
            continue
        found = NOBODY
        if d >= 1 and tokens[d - 1].possessive and tokens[d - 1].is_word:
            s, e = phrase_before(tokens, d)  # "the Harbour Trust's letter"
            if e > s:
                found = _resolve(tokens, s, e, resolver)
        elif d + 1 < j and tokens[d + 1].lower in _FROM:
            s, e = phrase_after(tokens, d + 1)  # "a letter from the Harbour Trust to …"
            if e > s:
                found = _resolve(tokens, s, e, resolver)
        return found if found.person is not None else BLOCKED
    return None


def _past_places(tokens: Sequence[Token], comma: int) -> int:
    """The comma before the place an apposition chain ends with: in `Ray Hollis, 60, from
    Lowdham, North Wessex, said` the phrase before "said" is a place, and so is the one
    before it; the speaker stands before both."""
    for _ in range(3):
        opening = apposition_open(tokens, comma)
        if opening is None or not (
            _opens_place(tokens, opening)
            or (
                (before := apposition_open(tokens, opening)) is not None
                and _opens_place(tokens, before)
            )
        ):
            return comma
        comma = opening
    return comma


def _opens_place(tokens: Sequence[Token], mark: int) -> bool:
    """Whether the apposition opened at `mark` is a place: `, from Lowdham,`."""
    return mark + 1 < len(tokens) and tokens[mark + 1].lower in _PLACE_PREPOSITIONS


def _after(tokens: Sequence[Token], k: int, resolver: Resolver) -> Resolved:
    """The source after "according to": a phrase, or whoever issued the statement named."""
    start, end = phrase_after(tokens, k)
    if end > start:
        return _resolve(tokens, start, end, resolver)
    i = k + 1
    if i < len(tokens) and tokens[i].lower in DETERMINERS:
        i += 1
    # "according to a statement from the Rail Delivery Council"
    if i + 2 < len(tokens) and tokens[i].lower in _DOCUMENTS and tokens[i + 1].lower in _FROM:
        s, e = phrase_after(tokens, i + 1)
        if e > s:
            return _resolve(tokens, s, e, resolver)
    return NOBODY


def _resolve(tokens: Sequence[Token], start: int, end: int, resolver: Resolver) -> Resolved:
    """Resolve tokens[start:end] with its `for X` / `of X` complement.

    The complement may follow the phrase ("…, said a spokeswoman for the Commission") or the
    phrase may be the complement of a noun before it ("the leader of the council said").
    """
    complement: Sequence[Token] = ()
    if end < len(tokens) and tokens[end].lower in _OF:
        s, e = phrase_after(tokens, end)
        complement = tokens[s:e]
    elif start >= 2 and tokens[start - 1].lower in _OF:
        s, e = phrase_before(tokens, start - 1)
        if e > s and _takes_complement(tokens[e - 1]):
            start, end, complement = s, e, tokens[start:end]
    mention = Mention.of(tokens[start:end], complement)
    return resolver.resolve(mention, create=True)


def _takes_complement(tok: Token) -> bool:
    """A noun whose `of`/`for` phrase says whose it is: spokeswoman, leader, office."""
    lex = lexicon()
    low = tok.bare.lower()
    return low in lex.voices or lex.is_role(low) or (lex.is_person_noun(low) and not tok.is_cap)


def frame_for(q: int, tokens: Sequence[Token], frames: Sequence[Frame]) -> Frame | None:
    """The frame that reports the quotation at token q.

    A frame right after it ("“…,” Okafor said", "“…,” says X", "…”, according to X") comes
    first, then the last frame before it, then the first one after it.
    """
    for f in frames:
        between = tokens[q + 1 : f.opens_at()]
        if q < f.verb <= q + _AFTER_QUOTE and all(t.text in _BETWEEN for t in between):
            return f
    before = [f for f in frames if f.verb < q]
    if before:
        return before[-1]
    after = [f for f in frames if f.verb > q]
    return after[0] if after else None
