"""Mentions and speech cues of one entry, read with the entry's language data.

This is the language-driven reading the speaker ranker (`ranker.py`) takes its candidates from.
It works from word lists (`language.py`, `data/<lang>/`) rather than English syntax, so the same
code reads `"…," said Brenner`, `„…“, sagte Brenner`, `laut Brenner`, `Brenner zufolge`,
`according to Brenner` and `Brenner said:`.

- A **mention** is a phrase that can name a speaker: a name (a run of capitalised words that are
  not ordinary words of the language, with particles and initials), a role phrase ("the prime
  minister", "der CDU-Politiker"), an organisation ("the police", "die Staatsanwaltschaft",
  "FBI"), or a subject pronoun. Each is resolved against the blog's speaker memory.
- A **cue** ties a mention to speech: a speech verb with its subject after it (inversion after a
  quotation) or before it, a source preposition ("according to", "laut", "so") or postposition
  ("zufolge"), or a colon that introduces what follows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from streams.attribution.context import Paragraph
from streams.attribution.language import Language
from streams.attribution.lexicon import lexicon
from streams.attribution.memory import Person, SpeakerMemory, fold
from streams.attribution.people import kind_before
from streams.attribution.people import post_nominal as _post_nominal
from streams.attribution.quotes import QuoteSpan
from streams.attribution.speech import in_subject_clause
from streams.attribution.tokens import Token

__all__ = ["Cue", "CueKind", "Doc", "Mention", "MentionKind", "Sentence", "read_doc"]

MentionKind = Literal["name", "surname", "role", "org", "pronoun"]
CueKind = Literal["verb_after", "verb_before", "source", "colon"]

#: lower-case particles inside names: "Ursula von der Leyen", "Mohammed bin Salman"
_PARTICLES = frozenset(
    [
        *("von", "van", "der", "den", "de", "del", "della", "da", "di", "du", "la", "le"),
        *("al", "el", "bin", "ibn", "dos", "ter", "ten", "zu", "af"),
    ]
)
#: how far (in tokens) a speech verb's subject may stand from it
_SUBJECT_AFTER = 4
_SUBJECT_BEFORE = 8
#: how much further a subject may stand when an apposition with a place lies between
_APPOSITION = 6
_CLAUSE_STOPS = frozenset([";", "(", ")", "–", "—"])
#: words that may stand between a speech verb and its subject: "said also Lind", "sagte dann Lind"
_FILLERS = frozenset(
    [
        *("also", "then", "later", "again", "now", "today", "once", "earlier", "recently", "on"),
        *("auch", "dann", "noch", "nun", "jetzt", "zudem", "bereits", "außerdem", "später"),
        *("damals", "gegenüber", "heute", "gestern", "am", "im", "zuletzt", "kürzlich", "einst"),
        "wiederum",
    ]
)
#: auxiliaries between a subject and its verb: "Reyes (SNP) is asking"
_AUXILIARIES = _FILLERS | frozenset(
    [
        *("is", "was", "are", "were", "been", "has", "had", "have", "will", "would"),
        *("ist", "war", "hat", "hatte", "wird"),
    ]
)
#: emphasis marks a name may stand in ("**Korin** says")
_MARKUP = frozenset(["*", "**", "_", "__"])
#: speech verbs whose object follows them: the subject stands before ("Lind told the BBC")
_OBJECT_VERBS = frozenset(
    [
        *("told", "tells", "tell", "telling", "asked", "asks", "ask", "informed", "urged"),
        *("warned", "reminded", "assured", "thanked", "wrote"),
        # verbs whose object is the person spoken of: "Lind accused Dana Okafor of …"
        *("accused", "accuses", "accuse", "criticised", "criticized", "criticises"),
        *("criticizes", "praised", "praises", "hailed", "hails", "condemned", "condemns"),
        *("slammed", "slams", "blasted", "blasts", "lashed", "thanks", "thank", "urges"),
    ]
)
#: a mention right after these is a place or an outlet, not a speaker
_PLACE_PREPS = frozenset(
    ["in", "from", "at", "near", "across", "outside", "inside", "aus", "nach", "bei", "im"]
)
_OBJECT_PREPS = frozenset(
    [
        *("to", "told", "with", "for", "against", "by", "about", "than", "mit", "gegenüber"),
        *("an", "über", "für", "gegen", "von", "vom", "zum", "zur"),
    ]
)
#: what is written and sent, and the prepositions of its writer: "a letter from the Trust"
_WRITTEN = frozenset(
    [
        *("letter", "statement", "message", "email", "note", "memo", "report", "submission"),
        *("brief", "schreiben", "erklärung", "mitteilung", "stellungnahme", "bericht"),
    ]
)
_AUTHOR_PREPS = frozenset(["from", "by", "von", "vom", "des", "der"])
#: determiners of somebody unnamed: "a teacher said", "one protester shouted", "eine Anwohnerin"
_INDEFINITE = frozenset(
    ["a", "an", "one", "another", "ein", "eine", "einer", "einem", "einen", "eines"]
)
#: role words of those who speak for somebody else: their principal is the speaker
_VOICES = ("spokes", "sprecher", "pressesprecher")
#: words that open what a speech verb reports
_COMPLEMENTIZERS = frozenset(["that", "whether", "if", "dass", "ob", "wie", "weil"])
#: titles that give a gender
_TITLE_GENDER = {
    "mr": "m",
    "mrs": "f",
    "ms": "f",
    "miss": "f",
    "sir": "m",
    "dame": "f",
    "lord": "m",
    "lady": "f",
    "herr": "m",
    "frau": "f",
    "herrn": "m",
}


#: words that join a role to what it is a role of: "Spitzenkandidat der CDU", "head of Acme"
_COMPLEMENT_LINKS = frozenset(["der", "des", "von", "of", "at", "for"])
#: English articles: a speech verb after one is a noun ("on a call", "the statement"); German
#: writes such nouns capitalised, apart from the verbs ("Das teilte Roth mit" is speech)
_ARTICLES = frozenset(["a", "an", "the"])


def _noun_use(tokens: Sequence[Token], k: int, lang: Language) -> bool:
    """Whether the speech word at k is a noun: an English article before it, perhaps with a
    lower-case modifier between that is no role ("on a background call"; "the minister said"
    is a verb)."""
    if k > 0 and tokens[k - 1].lower in _ARTICLES:
        return True
    if k < 2 or tokens[k - 2].lower not in _ARTICLES:
        return False
    between = tokens[k - 1]
    return (
        between.is_word
        and not between.is_cap
        and lang.role_head(between.bare) is None
        and lang.org_head(between.bare) is None
        and between.lower not in lang.pronouns
    )


#: first-person subjects: the writer's own verbs ("I ask", "wir fragen") name no speaker
_FIRST_PERSON = frozenset(["i", "we", "ich", "wir"])
#: plural subject pronouns (English; the German "sie" is also "she")
_PLURAL = frozenset(["they"])
_AND = frozenset(["and", "und"])
#: a contracted pronoun and verb: "he’s", "she'd", "they’ll"
_CONTRACTED = re.compile(r"^(\w+)[’'](?:s|d|ll|re|ve|m)$")
#: initials whose lower-case form is as frequent as this are everyday words ("the US")
_ACRONYM_ZIPF = 5.0
#: "Lind and his colleagues": the possessives that make a group of a person and others
_GROUP_POSSESSIVES = frozenset(["his", "her", "their", "sein", "seine", "ihr", "ihre"])
#: auxiliaries of the German passive: "wurde kritisiert" (in English "was asked" often opens
#: the answer of the one asked, which the rule reader frames)
_PASSIVE = frozenset(["wurde", "wurden", "worden"])
#: before a speech verb, words that make it no act of speech: "it goes without saying", an
#: infinitive "(ohne etwas) zu sagen"
_NEGATING = frozenset(["without", "zu"])


def _passive(tokens: Sequence[Token], k: int) -> bool:
    """Whether the speech verb at k is passive: a passive auxiliary earlier in its clause
    ("wurde am Montag scharf kritisiert"), or "worden" right after it ("ist kritisiert
    worden")."""
    if k + 1 < len(tokens) and tokens[k + 1].lower == "worden":
        return True
    for tok in reversed(tokens[:k]):
        if tok.quote is not None or tok.text in (",", ";", ":"):
            return False
        if tok.lower in _PASSIVE:
            return True
    return False


def _names_role(role: str, key: str) -> bool:
    """Whether a learned role ("spitzenkandidat der cdu", "afd-spitzenkandidat") names the role
    `key` (a folded role head: "spitzenkandidat"), as a word or a compound's end."""
    return any(w.endswith(key) for w in role.replace("-", " ").split())


def _completed(
    tokens: Sequence[Token], k: int, particles: frozenset[str] | None, quoted: bool
) -> bool:
    """Whether the speech verb at k has what its reading needs after it: one of its particles
    ("fügte … hinzu", "pointed out"), or a quotation for a verb that reports speech only before
    one ("she continued: “…”", not "Broad continues round the wicket")."""
    if not particles and not quoted:
        return True
    after = tokens[k + 1 :]
    needed = particles or frozenset()
    if any(t.lower in needed for t in after):
        return True
    return quoted and any(t.quote is not None for t in after)


def _parenthesised(tokens: Sequence[Token], k: int) -> frozenset[int]:
    """The tokens of the one short bracketed aside that ends right before token k, brackets
    included ("(SNP)", "(R-Wis.)", "(CDU)"); none when there is no such aside."""
    j = k - 1
    while (
        j >= 0
        and tokens[j].text != ")"
        and (not tokens[j].is_word or tokens[j].lower in _AUXILIARIES)
    ):
        j -= 1  # past markup and auxiliaries: "**Alison Reyes** (SNP) is asking"
    if j < 0 or tokens[j].text != ")":
        return frozenset()
    start = j - 1
    while start >= 0 and j - start <= 6 and tokens[start].text not in "()":
        start -= 1
    if start < 0 or tokens[start].text != "(":
        return frozenset()
    return frozenset(range(start, j + 1))


def _initials(tok: Token) -> bool:
    """Initials of a name, with their periods: "C.J.", "J." (the tokenizer keeps them whole)."""
    text = tok.text
    return len(text) >= 2 and text.endswith(".") and all(c.isupper() for c in text.replace(".", ""))


def _contracted_pronoun(low: str, lang: Language) -> str | None:
    """The subject pronoun a contraction holds: "he’s", "she'd", "they’re" (English)."""
    match = _CONTRACTED.match(low)
    if match is not None and match.group(1) in lang.pronouns:
        return match.group(1)
    return None


def _role_gender(word: str, lang: Language) -> str | None:
    low = word.lower()
    if low.endswith(("woman", "women")):
        return "f"
    if low.endswith(("man", "men")):
        return "m"
    if lang.code == "de" and low.endswith("in") and len(low) > 5:
        return "f"
    return None


@dataclass(slots=True)
class Mention:
    """A phrase that can name a speaker, and whom it resolves to."""

    para: int
    sent: int  # index of the sentence in the entry (`Doc.sentences`)
    tok: int  # index of its first token in the sentence
    end: int  # index after its last token
    text: str
    kind: MentionKind
    person: Person | None = None
    cue: CueKind | None = None  # the cue that makes it a speaker, if any
    verb: int = -1  # token index of that cue
    prep: str = ""  # "place" or "object": what the word before it makes of it
    reported: bool = False  # inside what a speech verb reports ("X said that Y …")
    #: somebody the text does not name: "a teacher", "one protester", "eine Anwohnerin", or a
    #: pronoun standing for them
    anonymous: bool = False
    #: only the owner or a modifier of the phrase that follows: "Lind's mother", "Lind fans"
    modifier: bool = False


@dataclass(slots=True)
class Cue:
    """A speech cue of a sentence: its kind and token index, and the mention it names."""

    kind: CueKind
    at: int
    mention: Mention | None


@dataclass(slots=True)
class Sentence:
    """One sentence of a paragraph: its tokens (a quotation is one token), mentions and cues."""

    index: int
    para: int
    start: int
    end: int
    tokens: list[Token]
    mentions: list[Mention] = field(default_factory=list)
    cues: list[Cue] = field(default_factory=list)

    def quote_tokens(self) -> Iterator[int]:
        return (i for i, t in enumerate(self.tokens) if t.quote is not None)


@dataclass(slots=True)
class Doc:
    """An entry read once: paragraphs, their quotations and sentences, mentions and cues."""

    lang: Language
    paragraphs: list[str]
    quotes: list[list[QuoteSpan]]
    sentences: list[Sentence]
    by_para: list[list[int]]  # sentence indexes of each paragraph

    def sentence_at(self, para: int, offset: int) -> Sentence | None:
        for s in self.by_para[para]:
            sent = self.sentences[s]
            if sent.start <= offset < max(sent.end, sent.start + 1):
                return sent
        return self.sentences[self.by_para[para][-1]] if self.by_para[para] else None

    def mentions(self) -> Iterator[Mention]:
        for sent in self.sentences:
            yield from sent.mentions


def read_doc(paragraphs: Sequence[str | Paragraph], lang: Language, memory: SpeakerMemory) -> Doc:
    """Read `paragraphs` (headline first, if any): mentions resolved against `memory` (which
    learns the full names, roles and genders the entry gives) and speech cues. Paragraphs the
    rule reader has already tokenised (`context.Paragraph`) are not tokenised again."""
    paras = [p if isinstance(p, Paragraph) else Paragraph.of(p, "text") for p in paragraphs]
    sentences: list[Sentence] = []
    by_para: list[list[int]] = []
    for n, para in enumerate(paras):
        by_para.append([])
        for start, end in para.bounds:
            tokens, _ = para.sentence(start, end)
            by_para[-1].append(len(sentences))
            sentences.append(Sentence(len(sentences), n, start, end, tokens))
    doc = Doc(lang, [p.text for p in paras], [p.quotes for p in paras], sentences, by_para)
    reader = _Reader(doc, memory)
    for sent in sentences:
        reader.mentions(sent)
        reader.cues(sent)
    reader.cataphora()
    return doc


class _Reader:
    def __init__(self, doc: Doc, memory: SpeakerMemory) -> None:
        self.doc = doc
        self.lang = doc.lang
        self.memory = memory
        self.recent: list[Person] = []  # people mentioned so far in the entry, latest last
        #: people who were the subject of a sentence or a speech cue, with that sentence (None:
        #: somebody unnamed, "a teacher said")
        self.subjects: list[tuple[Person | None, int]] = []
        self._unnamed_roles: set[str] = set()  # roles of somebody unnamed: "a senior official"
        #: people last mentioned inside what somebody reports or asks ("I ask if Lind is …"):
        #: the "he" that answers is not them
        self.spoken_of: set[str] = set()
        #: people last mentioned in a place or an object phrase ("from Dana Reyes's studio"):
        #: a "he" that follows is somebody else, if the entry has somebody else
        self.aside: set[str] = set()
        #: people who opened a sentence at the head of a group ("Lind and his colleagues
        #: asked …"): the "they" that follows is theirs
        self.leaders: set[str] = set()
        #: the tokens of the current sentence inside a body's remit ("Committee on the … United
        #: States …"): no name and no speech verb there
        self._remit: set[int] = set()

    # mentions -----------------------------------------------------------------------------------

    def mentions(self, sent: Sentence) -> None:
        tokens = sent.tokens
        self._remit = set()
        i = 0
        while i < len(tokens):
            found = self._mention_at(sent, i)
            if found is None:
                i += 1
                continue
            found.prep = self._prep(sent, found.tok) or self._apposition_prep(sent, found)
            found.modifier = self._owner_only(tokens, found)
            self._apposed_role(sent, found)
            sent.mentions.append(found)
            if found.person is not None:
                self._touch(found.person)
                if found.prep in ("place", "object"):
                    self.aside.add(found.person.id)
                if found.kind != "pronoun" and self._opens(sent, found) and not found.modifier:
                    self.subjects.append((found.person, sent.index))
                    if self._leads_group(sent, found):
                        self.leaders.add(found.person.id)
            remit = self._remit_end(sent, found) if found.kind == "org" else 0
            if remit:
                self._remit.update(range(found.end, remit))
            i = max(found.end, i + 1, remit)

    def _remit_end(self, sent: Sentence, m: Mention) -> int:
        """The end of a body's remit after its name, or 0: "the Select Committee on the
        Competition Between the Northern Republic and the Harbour People's Party", "der
        Ausschuss für Arbeit und Soziales". The remit runs over capitalised and function words
        up to punctuation or another word (a verb), and the names in it are the body's name, not
        mentions of their own."""
        if m.kind != "org" or m.end >= len(sent.tokens):
            return 0
        opening = self.lang.remits.get(self.lang.org_head(sent.tokens[m.end - 1].bare) or "")
        if not opening or sent.tokens[m.end].lower not in opening:
            return 0
        j = m.end + 1
        lang = self.lang
        while j < len(sent.tokens):
            tok = sent.tokens[j]
            if not tok.is_word or tok.quote is not None:
                break
            if not (tok.is_cap or tok.lower in lang.stopwords or tok.lower in lang.determiners):
                break
            j += 1
        if not any(t.is_cap for t in sent.tokens[m.end + 1 : j]):
            return 0
        return j

    def _prep(self, sent: Sentence, tok: int) -> str:
        j = tok - 1
        while j >= 0 and sent.tokens[j].lower in self.lang.determiners:
            j -= 1
        word = sent.tokens[j].lower if j >= 0 else ""
        if word in _AUTHOR_PREPS and j >= 1 and sent.tokens[j - 1].lower in _WRITTEN:
            return ""  # "a letter from the Harbour Trust": its writer, no place
        return "place" if word in _PLACE_PREPS else "object" if word in _OBJECT_PREPS else ""

    def _apposition_prep(self, sent: Sentence, m: Mention) -> str:
        """The preposition of the mention `m` stands in apposition to, between commas: "the
        letter to Dana Reyes, the commissioner, said" is no more the commissioner's than
        Reyes's. A phrase after a place that opens the sentence ("In Lowdham, the mayor said")
        has no closing comma and keeps its own role."""
        if not sent.mentions:
            return ""
        before = sent.mentions[-1]
        tokens = sent.tokens
        if m.kind not in ("role", "org"):
            return self._place_apposition(sent, before, m)
        if before.end != m.tok - 1 or tokens[m.tok - 1].text != ",":
            return ""
        if m.end >= len(tokens) or tokens[m.end].text != ",":
            return ""
        return before.prep

    def _apposed_role(self, sent: Sentence, m: Mention) -> None:
        """A role phrase in apposition to the name before it is that person's role: "Karl
        Adler (allerdings), der Spitzenkandidat der CDU," and "Dana Reyes, the head of the
        union,"; the role's complement is part of it ("Spitzenkandidat der CDU")."""
        if m.kind != "role" or m.anonymous or not sent.mentions:
            return
        before = sent.mentions[-1]
        tokens = sent.tokens
        gap = tokens[before.end : m.tok]
        if (
            before.kind not in ("name", "surname")
            or before.person is None
            or not gap
            or gap[-1].text != ","
            or len(gap) > 2
            or (len(gap) == 2 and (not gap[0].is_word or gap[0].is_cap))
        ):
            return
        role = m.text
        after = tokens[m.end : m.end + 2]
        if len(after) == 2 and after[0].lower in _COMPLEMENT_LINKS and after[1].is_cap:
            role = f"{role} {after[0].text} {after[1].bare}"  # "Spitzenkandidat der CDU"
        m.person = before.person
        self.memory.learn_role(before.person, role)

    def _place_apposition(self, sent: Sentence, before: Mention, m: Mention) -> str:
        """A name that continues a place in an apposition is a place too: "Ray Hollis, 60,
        from Lowdham, North Wessex, said". Only after a place that is itself an apposition
        (a comma before its preposition): in "In Lowdham, Ray Hollis said" Hollis speaks."""
        tokens = sent.tokens
        if before.prep != "place" or m.end >= len(tokens) or tokens[m.end].text != ",":
            return ""
        gap = tokens[before.end : m.tok]
        if not gap or gap[0].text != "," or not all(t.is_cap for t in gap[1:]):
            return ""
        j = before.tok - 1
        while j >= 0 and tokens[j].lower in self.lang.determiners:
            j -= 1
        return "place" if j >= 1 and tokens[j - 1].text == "," else ""

    def _leads_group(self, sent: Sentence, m: Mention) -> bool:
        """Whether a person's mention heads a group: "Lind and his colleagues", "Roth und ihre
        Fraktion", "Lind and Okafor" (a name or a possessive and a noun after "and")."""
        tokens = sent.tokens
        if m.kind not in ("name", "surname") or m.end + 2 >= len(tokens):
            return False
        if tokens[m.end].lower not in _AND:
            return False
        nxt = tokens[m.end + 1]
        return nxt.lower in _GROUP_POSSESSIVES or (nxt.is_cap and nxt.is_word)

    def _opens(self, sent: Sentence, m: Mention) -> bool:
        """Whether `m` opens its sentence: only determiners, punctuation, titles and role words
        before it ("UN-Generalsekretärin Dana Reyes erklärte, sie sei …")."""
        lang = self.lang
        before = sent.tokens[: m.tok]
        if all(t.lower in lang.determiners or not t.is_word for t in before):
            return True
        last = before[-1]
        return (last.lower in lang.titles or lang.role_head(last.bare) is not None) and all(
            t.lower in lang.determiners
            or not t.is_word
            or t.is_cap
            or t.lower in lang.titles
            or lang.role_head(t.bare) is not None
            for t in before
        )

    def cataphora(self) -> None:
        """A role the entry names before the person holding it ("The health minister said
        on Monday …" and then "Health minister Dana Reyes …"): once the whole entry is read,
        a role mention nobody held yet is the one person the entry gave that role."""
        for sent in self.doc.sentences:
            for m in sent.mentions:
                if m.kind != "role" or m.person is not None or m.anonymous:
                    continue
                word = m.text.split()[-1]
                role = self.lang.role_head(word)
                if role is None:
                    continue
                key = fold(role)
                holders = {
                    p.id: p
                    for p in self.recent
                    if p.kind == "person" and any(_names_role(r, key) for r in p.roles)
                }
                if len(holders) == 1:
                    (m.person,) = holders.values()

    def _touch(self, person: Person) -> None:
        if person in self.recent:
            self.recent.remove(person)
        self.recent.append(person)
        self.spoken_of.discard(person.id)
        self.aside.discard(person.id)

    def _mention_at(self, sent: Sentence, i: int) -> Mention | None:
        tok = sent.tokens[i]
        if not tok.is_word:
            return None
        lang = self.lang
        low = tok.lower
        if low in lang.pronouns:
            if not tok.possessive:
                return self._pronoun(sent, i, low)
        elif ("’" in low or "'" in low) and (base := _contracted_pronoun(low, lang)):
            return self._pronoun(sent, i, base)  # "he’s"
        if low in lang.determiners or low in _INDEFINITE:
            return self._phrase(sent, i)
        if tok.is_cap:
            return self._name(sent, i)
        if lang.role_head(tok.bare) is not None and i > 0 and sent.tokens[i - 1].is_word:
            return None
        return None

    def _pronoun(self, sent: Sentence, i: int, base: str) -> Mention:
        tok = sent.tokens[i]
        gender = self.lang.pronouns[base]
        if base in _PLURAL:
            return self._plural(sent, i)

        def fits(p: Person) -> bool:
            return p.kind == "person" and (gender is None or p.gender in (None, gender))

        # the latest subject or speaker of the last sentences first ("Lind met Okafor. He
        # said …" is Lind; after "a teacher said", "she added" is that unnamed teacher), then
        # the latest person mentioned, then the blog's most salient
        for subject, at in reversed(self.subjects):
            if sent.index - at > 2:
                break
            if subject is None:
                return Mention(
                    sent.para, sent.index, i, i + 1, tok.text, "pronoun", None, anonymous=True
                )
            if fits(subject):
                return Mention(sent.para, sent.index, i, i + 1, tok.text, "pronoun", subject)
        person = (
            next(
                (
                    p
                    for p in reversed(self.recent)
                    if fits(p) and p.id not in self.spoken_of and p.id not in self.aside
                ),
                None,
            )
            or next(
                (p for p in reversed(self.recent) if fits(p) and p.id not in self.spoken_of), None
            )
            or next((p for p in reversed(self.recent) if fits(p)), None)
        )
        if person is None:
            person = self.memory.most_salient(gender)
            if person is not None and person.kind != "person":
                person = None  # "she" is no organisation
        return Mention(sent.para, sent.index, i, i + 1, tok.text, "pronoun", person)

    def _plural(self, sent: Sentence, i: int) -> Mention:
        """ "they" is an organisation the entry named in the last sentences ("The Trust … they
        said"), else a group nobody names ("“Let her speak,” they chanted"): not one person."""
        text = sent.tokens[i].text
        for m in sent.mentions:
            if m.kind == "role" and self._group(sent.tokens, m.tok, m.end - 1):
                # "The lawmakers noted the agency …, but they were": the group of the sentence
                anonymous = m.person is None
                return Mention(
                    sent.para, sent.index, i, i + 1, text, "pronoun", m.person, anonymous=anonymous
                )
        for person in reversed(self.recent):
            if person.kind == "org" or person.id in self.leaders:
                return Mention(sent.para, sent.index, i, i + 1, text, "pronoun", person)
        return Mention(sent.para, sent.index, i, i + 1, text, "pronoun", None, anonymous=True)

    def _group(self, tokens: Sequence[Token], i: int, j: int) -> bool:
        """Whether tokens[i:j+1] is a definite plural role, "the lawmakers", "the senators"
        (English)."""
        word = tokens[j].lower
        return (
            self.lang.code == "en"
            and tokens[i].lower == "the"
            and not tokens[j].is_cap
            and word.endswith("s")
            and self.lang.role_head(word[:-1]) is not None
        )

    def _leader(self) -> Person | None:
        """The person who last headed a group the entry named ("Lind and his colleagues")."""
        return next((p for p in reversed(self.recent) if p.id in self.leaders), None)

    def _phrase(self, sent: Sentence, i: int) -> Mention | None:
        """A determiner phrase: "the prime minister", "der CDU-Politiker", "the police", or a
        descriptor the memory holds ("the Nigerian", "the 54-year-old")."""
        tokens = sent.tokens
        descriptors = self.memory.descriptor_ids()
        if descriptors:
            for n in (3, 2, 1):
                words = tokens[i + 1 : i + 1 + n]
                if len(words) == n and all(t.is_word for t in words):
                    text = " ".join(t.bare for t in words)
                    ids = descriptors.get(fold(text))
                    # the last person learned with it
                    person = self.memory.person(ids[-1]) if ids else None
                    if person is not None:
                        return Mention(sent.para, sent.index, i, i + 1 + n, text, "role", person)
        j = i + 1
        while j < len(tokens) and j - i <= 4 and tokens[j].is_word:
            word = tokens[j].bare
            role = self.lang.role_head(word)
            org = self.lang.org_head(word)
            if (
                org is not None
                and role is None
                and not tokens[j].is_cap
                and j + 1 < len(tokens)
                and self.lang.role_head(tokens[j + 1].bare) is not None
            ):
                j += 1  # "a senior administration official", "a police officer": the role heads
                continue
            if (
                role is not None
                and tokens[j].is_cap
                and j + 1 < len(tokens)
                and tokens[j + 1].is_cap
                and self.lang.org_head(tokens[j + 1].bare) is not None
            ):
                j += 1  # "the Justice Department", "the Defence Ministry": the body heads
                continue
            if role is not None or org is not None:
                if j + 1 < len(tokens) and tokens[j + 1].is_cap and not self._common(tokens[j + 1]):
                    return None  # "the minister Jan Lind": the name is the mention
                text = " ".join(t.text for t in tokens[i + 1 : j + 1])
                if role is not None and tokens[j].lower.startswith(_VOICES) and j > i + 1:
                    principal = self._principal(tokens[i + 1 : j])
                    if principal is not None:  # "a CDF spokesman": the CDF speaks
                        return Mention(sent.para, sent.index, i, j + 1, text, "org", principal)
                if role is not None and self._unnamed(tokens, i, j):
                    self._unnamed_roles.add(fold(role))
                    return Mention(  # "a teacher": somebody unnamed, not the blog's teacher
                        sent.para, sent.index, i, j + 1, text, "role", None, anonymous=True
                    )
                if org is not None and role is None:
                    voice = self._voice_after(tokens, j)
                    if voice:  # "a Department for Transport spokesperson": the body speaks
                        name = " ".join(t.bare for t in tokens[i + 1 : voice])
                        person = self.memory.add(name, kind="org", org_kind=org)
                        return Mention(sent.para, sent.index, i, voice + 1, name, "org", person)
                    words = tokens[i + 1 : j + 1]
                    if len(words) > 1 and all(t.is_cap for t in words) and self.lang.code == "en":
                        # "the Coastal Weather Agency": a named organisation
                        person = self.memory.add(text, kind="org", org_kind=org)
                        return Mention(sent.para, sent.index, i, j + 1, text, "org", person)
                    return self._phrase_org(sent, i, j + 1, text, org)
                person = self._role(role or "", tokens[j].bare)
                if person is None and self._group(tokens, i, j):
                    person = self._leader()  # "the lawmakers wrote", after "Lind and his …"
                unnamed = person is None and fold(role or "") in self._unnamed_roles
                return Mention(  # "the official" after "a senior official": still unnamed
                    sent.para, sent.index, i, j + 1, text, "role", person, anonymous=unnamed
                )
            low = tokens[j].lower
            if (
                low in self.lang.determiners
                or low in self.lang.pronouns
                or low in self.lang.stopwords
            ):
                return None  # "die Regenbogenflagge am Bundestag": a preposition ends the phrase
            if (
                self.lang.code == "en"
                and tokens[j].is_cap
                and not self._common(tokens[j])
                and not (j + 1 < len(tokens) and self.lang.role_head(tokens[j + 1].bare))
            ):
                return None  # "a gracious Costello": the name is the mention (not "a Treasury
                # spokesperson", where it modifies the role)
            j += 1
        return None

    @staticmethod
    def _voice_after(tokens: Sequence[Token], j: int) -> int:
        """Where the spokesperson word stands after a body's name that goes on with "for" or
        "of" ("Department for Transport spokesperson"), or 0."""
        if not (tokens[j].is_cap and j + 2 < len(tokens) and tokens[j + 1].lower in ("for", "of")):
            return 0
        k = j + 2
        while k < len(tokens) and k - j <= 5 and tokens[k].is_cap and tokens[k].is_word:
            k += 1
        if k == j + 2 or k >= len(tokens) or not tokens[k].lower.startswith(_VOICES):
            return 0
        return k

    def _principal(self, words: Sequence[Token]) -> Person | None:
        """Whom a spokesman's capitalised modifier names: "a CDF spokesman", "a Harbour Trust
        spokeswoman" (an organisation or a person the memory knows by those words)."""
        if not words or not all(t.is_cap for t in words):
            return None
        person, _ = self.memory.by_name(" ".join(t.bare for t in words), fuzzy=False)
        return person

    @staticmethod
    def _unnamed(tokens: Sequence[Token], i: int, j: int) -> bool:
        """Whether the role phrase tokens[i:j+1] is somebody unnamed: an indefinite article and
        no principal ("a CDF spokesman", "a spokeswoman for the Commission" speak for one)."""
        if tokens[i].lower not in _INDEFINITE or any(t.is_cap for t in tokens[i + 1 : j]):
            return False
        if tokens[j].lower.startswith(_VOICES):
            return False
        if (
            i >= 2
            and tokens[i - 1].text == ","
            and tokens[i - 2].is_word
            and not tokens[i - 2].quote
        ):
            return False  # "Hayley Reyes, 42, a lecturer from Lowdham, said": her description
        after = tokens[j + 1 : j + 3]
        if after and after[0].lower in ("for", "of", "des", "der"):
            return False
        return not (len(after) == 2 and after[0].text == "," and after[1].is_cap)  # "a nurse, X,"

    def _role(self, role: str, word: str = "") -> Person | None:
        """The person a role names: the latest one the entry gave that role ("Bundestags-
        präsidentin Anna Roth" … "die Bundestagspräsidentin"), else the blog's. `word`, the
        role as written, may carry a modifier ("CDU-Spitzenkandidat"): then a person whose
        role has another one ("AfD-Spitzenkandidat") is not meant, and one whose role names it
        ("Spitzenkandidat der CDU") is."""
        key = fold(role)
        modifiers = [m for m in fold(word).split("-")[:-1] if m] if "-" in word else []
        fallback: Person | None = None
        for person in reversed(self.recent):
            if person.kind != "person":
                continue
            held = [r for r in person.roles if _names_role(r, key)]
            if not held:
                continue
            if not modifiers:
                return person
            if any(m in r.replace("-", " ").split() for m in modifiers for r in held):
                return person
            if fallback is None and not any("-" in r for r in held):
                fallback = person  # a bare "Spitzenkandidat": not known to be another's
        return fallback or (self.memory.by_role(role) if not modifiers else None)

    def _phrase_org(self, sent: Sentence, i: int, end: int, text: str, head: str) -> Mention:
        """ "the agency", "die Polizei": the organisation the entry or blog named before (same
        head noun first, else the latest one), or nobody we can name. One a place qualifies
        ("das Gericht in Lowdham", "the court in Lowdham") is named by the two, unless the
        entry named one of its kind before."""
        orgs = [p for p in reversed(self.recent) if p.kind == "org"]
        person = next(
            (p for p in orgs if p.org_kind == head or head in p.name.lower().split()), None
        )
        place = self._place_after(sent, end) if person is None else 0
        if place:
            name = " ".join(t.text for t in sent.tokens[end - 1 : place])
            person = self.memory.add(name, kind="org", org_kind=head)
            return Mention(sent.para, sent.index, i, place, name, "org", person)
        known = self.memory.by_org(head, []) if person is None else None
        if known is not None and fold(known.name) == fold(text) and orgs:
            known = None  # the bare noun itself, remembered: the entry's named one is meant
        person = person or known
        if person is None and orgs and end - i == 2:
            person = orgs[0]  # "the agency": the body named last (not "secret police units")
        return Mention(sent.para, sent.index, i, end, text, "org", person)

    def _place_after(self, sent: Sentence, end: int) -> int:
        """The end of "in Lowdham" / "in The Hague" at token `end`, or 0: "in" and up to three
        capitalised words, the last of them no common word."""
        tokens = sent.tokens
        if end >= len(tokens) or tokens[end].lower != "in":
            return 0
        j = end + 1
        while j < len(tokens) and j - end <= 3 and tokens[j].is_cap and tokens[j].is_word:
            j += 1
        if j == end + 1 or self._common(tokens[j - 1]) or tokens[j - 1].quote is not None:
            return 0
        return j

    def _common(self, tok: Token) -> bool:
        return self.lang.is_common_word(tok.bare) or tok.lower in self.lang.stopwords

    def _name(self, sent: Sentence, i: int) -> Mention | None:
        tokens = sent.tokens
        j = i
        words: list[Token] = []
        while j < len(tokens) and len(words) < 8:
            tok = tokens[j]
            if tok.is_cap and words and tok.lower in self.lang.stopwords:
                break  # "Competition Between": a capitalised function word ends a name
            if (
                tok.is_cap
                and sum(1 for w in words if self._name_word(w)) >= 2
                and self._common(tok)
                and not self.lang.is_given_name(tok.bare)
                and self.lang.org_head(tok.bare) is None
            ):
                break  # "Dana Reyes Praises Tom Hill": a headline's verb ends a name
            if tok.is_cap and len(tok.bare) > 5 and tok.bare.isupper():
                break  # "WARNING GRAPHIC CONTENT": shouting, not a name
            if tok.is_cap:
                words.append(tok)
                j += 1
                if tok.possessive:
                    break
                continue
            if (
                tok.lower in _PARTICLES
                and words
                and j + 1 < len(tokens)
                and tokens[j + 1].is_cap
                and not self._common(tokens[j + 1])
            ):
                words.append(tok)
                j += 1
                continue
            break
        end = j
        if not words:
            return None
        # a leading title, role or ordinary word is not part of the name: "Minister Jan Lind",
        # "Bundeskanzler Merz", "Herr Brenner", "However Lind"
        role: str | None = None
        title = False
        gender: str | None = None
        # "FBI Director Christopher Wray", "Committee Chairman Mike Lind": the name starts after
        # the last title or role word that has a name after it
        cut = max(
            (
                n
                for n, w in enumerate(words[:-1])
                if w.lower.rstrip(".") in self.lang.titles or self.lang.role_head(w.bare)
            ),
            default=-1,
        )
        if cut > 0:
            words = words[cut:]
        org_run = self.lang.org_head(words[-1].bare) is not None and len(words) > 1
        lead: Token | None = None  # the first title or role word: the mention starts there
        while words:
            first = words[0]
            low = first.lower.rstrip(".")
            if org_run and not (low in self.lang.determiners or low in self.lang.stopwords):
                break  # "Coastal Weather Service": an organisation is made of common words
            if self.lang.role_head(first.bare) is not None:
                role = first.bare  # a role before a title: "Bundeskanzlerin" is both
                gender = gender or _role_gender(first.bare, self.lang)
                lead = lead or first
            elif low in self.lang.titles:
                title = True
                gender = _TITLE_GENDER.get(low)
                lead = lead or first
            elif (
                not _initials(first)
                and (
                    first.lower in self.lang.stopwords
                    or (
                        self._common(first)
                        and not (len(words) > 1 and self.lang.is_given_name(first.bare))
                        and not (len(words) == 1 and self._lookup(first.bare) is not None)
                    )
                )
                and not self._acronym(tokens, i, first)
            ):
                pass  # "However Lind", "Die Menge"; but "so Lang" for a known Petra Lang
            else:
                break
            words.pop(0)
        while words and words[-1].lower in _PARTICLES:
            words.pop()
        while len(words) > 1 and _post_nominal(words[-1]) and not _post_nominal(words[-2]):
            words.pop()  # "Naomi Achterberg KC", "Jan Lind MP": letters after a name
        if not words:
            if role is not None:  # "Der Trainer sagte" at a sentence's start
                return Mention(
                    sent.para,
                    sent.index,
                    i,
                    end,
                    role,
                    "role",
                    self._role(self.lang.role_head(role) or role, role),
                )
            return None
        # the mention spans its title or role too: `sagte der CDU-Politiker Jonas Adler`, but
        # not a sentence opener before it (`Laut Anna Roth`)
        start = tokens.index(lead or words[0], i)
        name = " ".join(t.bare for t in words)
        last = words[-1].bare
        org = self.lang.org_head(last)
        acronym = last.isupper() and 2 <= len(last) <= 6 and len(words) == 1
        if org is not None and len(words) == 1 and not acronym:
            return self._phrase_org(sent, start, end, name, org)
        if org is not None or acronym:
            person = self.memory.add(name, kind="org", org_kind=org or last.lower())
            return Mention(sent.para, sent.index, start, end, name, "org", person)
        kind = kind_before(tokens, start, self.lang)
        known = self.memory.by_name(name, fuzzy=False)[0] if kind is not None else None
        if kind is not None and (known is None or known.kind == "org"):
            # "newspaper Nordposten", "by broadcaster Nordvik TV": the noun names the kind
            person = known or self.memory.add(name, kind="org", org_kind=kind)
            return Mention(sent.para, sent.index, start, end, name, "org", person)
        given = self.lang.is_given_name(words[0].bare) or _initials(words[0])
        if not given and any(
            self._common(w) and not self.lang.is_given_name(w.bare) and not _initials(w)
            for w in words[1:]
        ):
            return None  # "Brücken Doku", "House Committee"; but "Petra Lang", "J. R. Hill"
        if len(words) == 1:
            return self._single(sent, start, end, words[0], role, title, gender)
        known = known or self.memory.by_name(name, fuzzy=False)[0]
        if known is not None and known.kind == "org":
            return Mention(sent.para, sent.index, start, end, name, "org", known)  # again
        person = self.memory.add(
            name, role=role, gender=gender or self.lang.given_name_gender(words[0].bare)
        )
        return Mention(sent.para, sent.index, start, end, name, "name", person)

    def _acronym(self, tokens: Sequence[Token], i: int, tok: Token) -> bool:
        """A body's initials after the article, "the FBI", "the NHS": a name, though the
        language also writes them as a word ("fbi"). Not a role's ("the MP"), not an everyday
        word ("the US", "the TV": their Zipf frequency is 5 or more), and not without the
        article ("LIVE: …", "UPDATE")."""
        text = tok.bare
        return (
            2 <= len(text) <= 5
            and text.isalpha()
            and text.isupper()
            and tok is tokens[i]
            and i > 0
            and tokens[i - 1].lower in _ARTICLES
            and self.lang.role_head(text) is None
            and text.lower() not in self.lang.titles
            and self.lang.zipf(text) < _ACRONYM_ZIPF
        )

    def _name_word(self, tok: Token) -> bool:
        """A word that reads as part of a name: not a title or role ("Minister", "Herr"), not an
        ordinary word unless it is a given name."""
        if tok.lower.rstrip(".") in self.lang.titles or self.lang.role_head(tok.bare) is not None:
            return False
        return not self._common(tok) or self.lang.is_given_name(tok.bare)

    def _single(
        self,
        sent: Sentence,
        start: int,
        end: int,
        word: Token,
        role: str | None,
        title: bool,
        gender: str | None,
    ) -> Mention | None:
        name = word.bare
        person = self._lookup(name)
        if person is not None:
            if role:
                self.memory.learn_role(person, role)
            self.memory.learn_gender(person, gender)
            return Mention(sent.para, sent.index, start, end, name, "surname", person)
        if (self._common(word) or self.lang.is_noun(word.bare)) and not title:
            return None  # "Dienstag", "Brücke", "However": no one's name on their own
        if start == 0 and not (title or role):
            return None  # a capitalised word opening a sentence, known to nobody
        if not (title or role):
            return Mention(sent.para, sent.index, start, end, name, "surname", None)
        person = self.memory.add(name, role=role, gender=gender)
        return Mention(sent.para, sent.index, start, end, name, "surname", person)

    def _lookup(self, name: str) -> Person | None:
        """The person one word names: someone with a full name whose surname (or, failing that,
        only first name) it is, the entry's latest such person first; else whoever the memory
        knows by that word."""
        key = fold(name)
        full = [
            p
            for pid in self.memory.full_name_ids().get(key, ())
            if (p := self.memory.person(pid)) is not None
        ]
        for want in ("surname", "first"):
            found = [
                p
                for p in full
                if (fold(p.surname) == key or fold(p.name).endswith(" " + key))
                if want == "surname"
            ] or [p for p in full if want == "first" and key in p.first_names()]
            if found:
                recent = [p for p in reversed(self.recent) if p in found]
                if recent:
                    return recent[0]
                if want == "surname" or len(found) == 1:
                    return self._salient(found)
        person, _ = self.memory.by_name(name, fuzzy=True)
        return person

    def _salient(self, people: list[Person]) -> Person:
        rank = {pid: i for i, pid in enumerate(self.memory.salience)}
        return min(people, key=lambda p: (rank.get(p.id, len(rank)), -p.mentions))

    # cues -------------------------------------------------------------------------------------

    def cues(self, sent: Sentence) -> None:
        tokens = sent.tokens
        lang = self.lang
        for k, tok in enumerate(tokens):
            if k in self._remit:
                continue  # "the Committee on … the United States": a name, no verb
            if not tok.is_word:
                if tok.text == ":" and tok.quote is None:
                    subject = self._before(sent, k)
                    sent.cues.append(Cue("colon", k, subject))
                    self._mark(subject, "colon", k)
                continue
            low = tok.lower
            if low in lang.source_preps:
                subject = self._after(sent, k, skip=("to", "von"))
                if subject is not None:
                    sent.cues.append(Cue("source", k, subject))
                    self._mark(subject, "source", k)
                continue
            if low in lang.source_postps:
                subject = self._before(sent, k, near=3)
                if subject is not None:
                    sent.cues.append(Cue("source", k, subject))
                    self._mark(subject, "source", k)
                continue
            if low not in lang.speech_verbs:
                continue
            if _passive(tokens, k):
                continue  # "Roth wurde kritisiert": spoken of, not speaking
            if k > 0 and tokens[k - 1].lower in _NEGATING:
                continue  # "it goes without saying", "ohne zu sagen": nobody speaks
            if in_subject_clause(tokens, k):
                continue  # "That Lind announced it signals …": a fact, not Lind's words
            if _noun_use(tokens, k, lang):
                continue  # "on a background call", "the statement": a noun, not a verb
            if not _completed(tokens, k, lang.separable.get(low), low in lang.quote_only):
                continue  # "Broad continues round the wicket", "fügte" without "hinzu"
            if low in _OBJECT_VERBS and (before := self._before(sent, k)) is not None:
                sent.cues.append(Cue("verb_before", k, before))  # "Lind told the BBC"
                self._mark(before, "verb_before", k)
                continue
            after = None if low in _OBJECT_VERBS else self._after(sent, k)
            if after is not None and after.kind == "pronoun" and lang.code == "en":
                before = self._before(sent, k)
                if before is not None and before.kind in ("name", "surname"):
                    after = None  # "**Korin** says he does not …": Korin says it, of himself
            if after is not None:  # "told reporters that X …": X is no subject of "told"
                sent.cues.append(Cue("verb_after", k, after))
                self._mark(after, "verb_after", k)
                continue
            before = self._before(sent, k)
            sent.cues.append(Cue("verb_before", k, before))
            self._mark(before, "verb_before", k)
        for cue in sent.cues:
            if cue.kind not in ("verb_after", "verb_before"):
                continue
            opened = False
            for j in range(cue.at + 1, len(tokens)):
                if tokens[j].lower in _COMPLEMENTIZERS:
                    opened = True
                if opened:
                    for m in sent.mentions:
                        if m.tok == j and m.cue is None:
                            m.reported = True  # "Costello said that Castlebridge had been …"
                            if m.person is not None:
                                self.spoken_of.add(m.person.id)

    def _mark(self, mention: Mention | None, kind: CueKind, at: int) -> None:
        if mention is not None and mention.cue is None:
            mention.cue = kind
            mention.verb = at
            if (
                mention.person is None
                and mention.kind == "surname"
                and not mention.anonymous
                and kind in ("verb_after", "verb_before", "source")
            ):
                # "„…“, sagte Korin", "“…” Korin said": a name nobody introduced, but the
                # cue's subject
                mention.person = self.memory.add(mention.text)
                self._touch(mention.person)
            if (mention.person is not None or mention.anonymous) and kind != "colon":
                self.subjects.append((mention.person, mention.sent))

    def _after(self, sent: Sentence, k: int, skip: tuple[str, ...] = ()) -> Mention | None:
        """The mention right after token k: `said Brenner`, `sagte der Trainer`, `laut X`."""
        for m in sent.mentions:
            if m.tok <= k:
                continue
            gap = sent.tokens[k + 1 : m.tok]
            if m.tok - k - 1 > _SUBJECT_AFTER:
                return None
            if all(self._leads_to(gap, n, skip, m) for n in range(len(gap))):
                return self._named_after(sent, m)
            return None
        return None

    def _leads_to(self, gap: Sequence[Token], n: int, skip: tuple[str, ...], m: Mention) -> bool:
        """Whether gap[n] may stand between a speech verb and its subject `m`: a determiner,
        a filler, a role, or in German an attribute after the determiner ("sagte der russische
        Botschafter Pavel Korin"; German writes nouns capitalised, so a lower-case word there
        is an adjective, where English "described the horrific abuse she" has its object)."""
        t = gap[n]
        if not t.is_word:
            return False
        low = t.lower
        if low in _COMPLEMENTIZERS:
            return False  # "reported that the EU …": what is reported, not who reports it
        if (
            low in skip
            or low in self.lang.determiners
            or low in _FILLERS
            or self.lang.role_head(t.bare) is not None
        ):
            return True
        return (
            self.lang.code == "de"
            and m.kind != "pronoun"
            and not t.is_cap
            and low not in self.lang.stopwords
            and any(g.lower in self.lang.determiners for g in gap[:n])
            and not any(  # "rejects any indicators that suggest Harris": a clause follows
                g.lower in self.lang.determiners or g.lower in self.lang.stopwords
                for g in gap[n + 1 :]
            )
        )

    @staticmethod
    def _named_after(sent: Sentence, m: Mention) -> Mention:
        """The name an unresolved role phrase is followed by: "said a nurse, Dana Reyes",
        "kritisiert die Landesvorsitzende der Familienunternehmer, Colette Boos"."""
        if m.person is not None:
            return m
        tokens = sent.tokens
        comma = m.end
        while comma < len(tokens) and comma - m.end <= 4 and tokens[comma].is_word:
            comma += 1  # the role's complement: "of the union", "der Familienunternehmer"
        if comma >= len(tokens) or tokens[comma].text != ",":
            return m
        named = next((n for n in sent.mentions if n.tok == comma + 1), None)
        return named if named is not None and named.person is not None else m

    def _before(self, sent: Sentence, k: int, near: int = _SUBJECT_BEFORE) -> Mention | None:
        """The nearest mention before token k in its clause (not across a quotation) that can
        speak: places, objects and unknown words are passed over, so that "Ray Hollis, 60, a
        lecturer from Lowdham, said" finds Hollis through his apposition."""
        reach = near
        aside = _parenthesised(sent.tokens, k)
        for m in reversed(sent.mentions):
            if m.end > k or m.tok in aside:
                continue  # "Alison Reyes (SNP) said": the party in brackets is an aside
            if k - m.end - len(aside) > reach:
                return None
            between = sent.tokens[m.end : k]
            if aside:
                between = [t for n, t in enumerate(between, m.end) if n not in aside]
            if any(t.quote is not None or t.text in _CLAUSE_STOPS for t in between):
                return None
            if any(t.lower in _FIRST_PERSON for t in between):
                return None  # "I sit opposite Tony Hill … I ask": the verb is the writer's
            if m.anonymous and not m.prep and not m.reported:
                return m  # "a teacher said": the subject is somebody unnamed
            if (
                m.person is None
                and m.kind == "surname"
                and not m.prep
                and all(t.text in _MARKUP for t in between)
            ):
                return m  # "“…” Korin said", "**Korin** says": a new name right at the verb
            if m.person is None or m.prep in ("place", "object") or m.reported:
                reach = near + _APPOSITION  # an apposition may stand between
                continue
            if m.modifier:
                return None  # "Jan Okafor's mother confirmed": the mother speaks, not Okafor
            return m
        return None

    def _owner_only(self, tokens: Sequence[Token], m: Mention) -> bool:
        """Whether `m` only owns or modifies the subject: an English possessive name followed
        by a noun that is not someone or something speaking for it ("Lind's mother", but
        "Lind's spokesman", "Lind's office", "Lind's letter" are Lind's voice), or a name
        before a noun for people ("Castlebridge fans", "Lind supporters")."""
        if m.kind not in ("name", "surname") or m.end >= len(tokens) or self.lang.code != "en":
            return False
        noun = tokens[m.end]
        if not noun.is_word or noun.is_cap:
            return False
        lex = lexicon()
        if not tokens[m.end - 1].possessive and not (
            noun.lower in lex.groups or lex.is_person_noun(noun.lower)
        ):
            return False  # "Castlebridge fans", "Lind supporters": a name that modifies them
        return (
            not noun.lower.startswith(_VOICES)
            and noun.lower not in lex.voices
            and noun.lower not in _WRITTEN
            and noun.lower not in self.lang.speech_verbs
        )
