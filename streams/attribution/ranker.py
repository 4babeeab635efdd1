"""The speaker ranker: for each quotation, candidate speakers, their features, and a learned pick.

Candidates of a quotation are the people and organisations the entry mentions near it (same
sentence, same paragraph, the paragraph before), the speaker of the quotation before, the one the
rule reader (`reader.py`) chose, and the blog's most salient speakers. Each candidate gets a vector
of features the readers compute anyway (cue kind, distance, mention kind, salience, the rule
reader's method...); a logistic model (`model.json`, trained by `make train`) scores them, and the
best score becomes a probability through the calibration table fitted on held-out folds. Below
`min_confidence` the quotation keeps no speaker: the model may always say "nobody".

Hard constraints stay constraints: a candidate named only inside the quotation itself, or the
quotation's own words, is no candidate.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import get_args

from streams.attribution.cues import Doc, Mention
from streams.attribution.memory import Person, SpeakerMemory, fold
from streams.attribution.methods import Method
from streams.attribution.tokens import Token

__all__ = [
    "Candidate",
    "Model",
    "QuoteSite",
    "candidates",
    "default_model",
    "locate",
    "speaker_candidates",
]

#: the rule reader's methods, each a feature of the candidate it chose
RULE_METHODS = tuple(m for m in get_args(Method) if m != "none")


@dataclass(frozen=True, slots=True)
class QuoteSite:
    """Where a quotation stands: paragraph, sentence, token index, and what it is."""

    para: int
    sent: int
    tok: int
    kind: str  # direct, partial, block, headline, qa
    words: int
    para_start: bool  # the quotation opens its paragraph
    sent_alone: bool  # the sentence is nothing but the quotation
    titlecase: bool = False  # every word capitalised: a title or a name, not speech
    numeric: bool = False  # opens with a number: a time stamp, a score, a figure


@dataclass(slots=True)
class Candidate:
    """A possible speaker of one quotation, with its features."""

    person: Person
    features: dict[str, float] = field(default_factory=dict)

    def set(self, name: str, value: float = 1.0) -> None:
        if value > self.features.get(name, 0.0):
            self.features[name] = value


def _pool(found: dict[str, Candidate]) -> Callable[[Person], Candidate]:
    """A getter that makes each person's candidate once, kept in `found` by person id."""

    def get(person: Person) -> Candidate:
        cand = found.get(person.id)
        if cand is None:
            cand = found[person.id] = Candidate(person)
        return cand

    return get


def locate(doc: Doc, para: int, text: str, kind: str) -> QuoteSite:
    """The site of a quotation the rule reader found in paragraph `para`."""
    spans = doc.quotes[para] if 0 <= para < len(doc.quotes) else []
    key = text.strip()
    offset = 0
    for span in spans:
        if span.text.strip().strip(" ,;:–—-") == key or key in span.text:
            offset = span.start
            break
    else:
        if 0 <= para < len(doc.paragraphs):
            found = doc.paragraphs[para].find(key[:40])
            offset = max(found, 0)
    sent = doc.sentence_at(para, offset) if 0 <= para < len(doc.by_para) else None
    if sent is None:
        return QuoteSite(para, -1, 0, kind, len(key.split()), offset == 0, True)
    tok = next((i for i, t in enumerate(sent.tokens) if t.start >= offset), 0)
    alone = sum(1 for t in sent.tokens if t.is_word or t.quote is not None) <= 1
    words = key.split()
    numeric = key[:1].isdigit()
    title = is_title(words, doc) or _after_work(sent.tokens, tok, key, doc)
    return QuoteSite(para, sent.index, tok, kind, len(words), offset <= 1, alone, title, numeric)


def is_title(words: Sequence[str], doc: Doc) -> bool:
    """Whether quoted words read as a title or a name ("The Evening Review", "Die Brücken-
    Story"), not as speech: two to eight words, every word but the small ones capitalised, no
    sentence end; in German, whose nouns are all capitalised, only with a capitalised article or
    every word capitalised. One word in capitals is a label ("STAFF" printed on a bib)."""
    if len(words) == 1 and len(words[0]) >= 2 and words[0].isalpha() and words[0].isupper():
        return True
    if not 2 <= len(words) <= 8 or words[-1][-1:] in ".!?…":
        return False
    lang = doc.lang
    small = [w for w in words if w.lower() in lang.stopwords or w.lower() in lang.determiners]
    content = [w for w in words if w not in small and w[:1].isalpha()]
    if not content or not all(w[:1].isupper() for w in content):
        return False
    if lang.code == "en":
        return True
    return (all(w[:1].isupper() for w in small) and bool(small)) or (not small and len(words) > 2)


#: words that point the reader to a box or another article before its title, in brackets
_POINTERS = frozenset(["see", "siehe", "vgl"])


def _after_work(tokens: Sequence[Token], tok: int, quoted: str, doc: Doc) -> bool:
    """Whether the quotation at token `tok` is the title of the work or medium the word right
    before it names, or the medium owning it ("im Interview des Nachrichtenportals „Nordblick“",
    "in einem Podcast des „Nordblick“", "the documentary 'Harbour Lights'"): short, no sentence
    inside."""
    if tok < 1 or tok >= len(tokens) or tokens[tok].quote is None:
        return False
    if tok >= 2 and tokens[tok - 2].text in ("(", ";") and tokens[tok - 1].lower in _POINTERS:
        return True  # "(see ‘Harbour trade in numbers’)": a box or article referred to
    at = tok - 1
    if at >= 1 and tokens[at].lower in doc.lang.determiners:
        at -= 1  # "im Podcast des „Stern“": the medium the work belongs to
    before = tokens[at]
    if not before.is_word or not doc.lang.names_work(before.bare):
        return False
    return 0 < len(quoted.split()) <= 6 and quoted[-1:] not in ".!?…"


def candidates(
    doc: Doc,
    site: QuoteSite,
    quote_text: str,
    *,
    rule_pick: Person | None,
    rule_method: str,
    previous: Person | None,
    previous_para: int,
    memory: SpeakerMemory,
    entry_speakers: Sequence[Person],
    blocked: bool = False,
) -> list[Candidate]:
    """Every candidate speaker of one quotation, with its features."""
    found: dict[str, Candidate] = {}
    get = _pool(found)

    inside = fold(quote_text)
    if site.sent >= 0:
        para_sents = doc.by_para[site.para]
        for m in _mentions(doc, para_sents):
            if m.person is None:
                continue
            cand = get(m.person)
            _mention_features(cand, m, site, doc)
        if site.para > 0:
            for m in _mentions(doc, doc.by_para[site.para - 1]):
                if m.person is not None:
                    cand = get(m.person)
                    cand.set("prev_para")
                    if m.cue is not None:
                        cand.set("prev_para_cue")
                        if m.cue == "colon" and site.para_start:
                            cand.set("prev_para_colon")
                    _kind_features(cand, m, "pp_")
        if site.para + 1 < len(doc.by_para) and site.para_start:
            for m in _mentions(doc, doc.by_para[site.para + 1][:1]):
                if m.person is not None and m.cue in ("verb_after", "verb_before"):
                    get(m.person).set("next_para_cue")
    if previous is not None:
        cand = get(previous)
        cand.set("previous")
        if previous_para == site.para:
            cand.set("previous_same_para")
        elif site.para - previous_para == 1:
            cand.set("previous_next_para")
    for person in entry_speakers:
        get(person).set("entry_speaker")
    # after the previous speaker and the entry's speakers, so that a short form the rule reader
    # picked ("Phil") is matched to the full name among them ("Phil Foden")
    if rule_pick is not None:
        rule_pick = _same_person(rule_pick, found.values())
        cand = get(rule_pick)
        cand.set("rule")
        if rule_method in RULE_METHODS:
            cand.set(f"rule_{rule_method}")
        if site.sent >= 0:  # what the language reading made of the same words
            key = fold(rule_pick.name)
            for m in _mentions(doc, doc.by_para[site.para]):
                if m.prep and m.person is None and fold(m.text) == key:
                    cand.set(f"m_{m.prep}")  # "in Lowdham", "told the Evening Courier"
    rank = {pid: i for i, pid in enumerate(memory.salience)}
    for pid in memory.salience[:3]:
        salient = memory.person(pid)
        if salient is not None:
            get(salient)
    if site.sent >= 0:
        _entry_salience(doc, site, get)
        _pronoun_alternatives(doc, site, found.values())
    out = []
    for cand in found.values():
        person = cand.person
        r = rank.get(person.id)
        cand.set("salience", 1.0 / (1 + r) if r is not None else 0.0)
        cand.set("spoke_before", 1.0 if person.spoke else 0.0)
        cand.set("org", 1.0 if person.kind == "org" else 0.0)
        cand.set("one_word", 1.0 if len(person.name.split()) == 1 else 0.0)
        words = person.name.split()
        if person.kind == "org":
            pass  # an organisation's name is made of ordinary words: "Office for Budget Safety"
        elif all(doc.lang.is_common_word(w) for w in words):
            cand.set("common_word_name")
        elif (
            len(words) > 1
            and doc.lang.is_common_word(words[0])
            and not doc.lang.is_given_name(words[0])
        ):
            cand.set("common_first_word")  # "Limit Reyes", "Daily Courier Reyes"
        if not any(
            k in cand.features
            for k in ("same_sent", "same_para_before", "same_para_after", "prev_para")
        ):
            cand.set("not_near")
        if person.kind != "org" and any(
            w.lower() in doc.lang.stopwords or w.lower() in doc.lang.determiners
            for w in person.name.split()
        ):
            cand.set("function_word_name")
        if any(k and k in inside for k in (fold(person.surname), fold(person.name)) if len(k) > 2):
            cand.set("named_inside")
        out.append(cand)
    for cand in out:  # interactions a linear model cannot form itself
        f = cand.features
        for pron in ("pron_first", "pron_alt"):
            if pron in f:
                for other in ("previous", "entry_speaker", "spoke_before", "rule"):
                    if f.get(other):
                        cand.set(f"{pron}_x_{other}")
        for fallback in ("rule_entry", "rule_continuity"):
            if fallback in f:
                # a default weakens as the entry grows (an article is one long entry)
                cand.set(f"{fallback}_x_long", min(1.0, len(doc.by_para) / 20))
    _quote_features(out, site)
    if blocked:  # the rule reader's frame names someone nobody tracks: "Ministers say …"
        for cand in out:
            cand.set("q_blocked")
    return out


def anonymous_cue(doc: Doc, site: QuoteSite) -> bool:
    """Whether the speech cue next to the quotation names somebody unnamed: "a teacher said",
    "sagte eine Anwohnerin", or "she added" after them. Their words are nobody's the text
    names: a constraint, as a first-person subject is, not a feature to weigh (the labelled
    blogs hold too few of them to learn one). So are those of what they report in the rest of
    the sentence when nobody else's cue is in it ("A senior official told reporters that the
    agency had “two weeks” left")."""
    mentions = doc.sentences[site.sent].mentions
    cued = [m for m in mentions if m.cue is not None and m.cue != "colon"]
    return any(m.anonymous and touches(m, site) for m in mentions) or (
        len(cued) == 1 and cued[0].anonymous and cued[0].verb < site.tok
    )


def touches(m: Mention, site: QuoteSite) -> bool:
    if m.cue is None or m.sent != site.sent:
        return False
    if m.cue == "colon" and m.verb < site.tok:
        return True
    return min(abs(m.verb - site.tok), abs(m.tok - site.tok)) <= 2


def _same_person(person: Person, cands: Iterable[Candidate]) -> Person:
    """The candidate the rule reader's pick stands for when it is a shorter or garbled form of
    one the entry names in full ("Daily Courier Reyes" for "Dana Reyes", "Dana" for
    "Dana Reyes")."""
    if person.id in {c.person.id for c in cands}:
        return person
    if person.kind == "org":  # "agency" for the "Coastal Weather Agency" the entry named
        key = fold(person.name)
        for cand in cands:
            if cand.person.kind == "org" and key in fold(cand.person.name).split():
                return cand.person
        return person
    surname = fold(person.surname)
    words = fold(person.name).split()
    for cand in cands:
        other = cand.person
        if other.kind != person.kind or len(other.name.split()) < 2:
            continue
        if fold(other.surname) == surname or (len(words) == 1 and words[0] in other.first_names()):
            return other
    return person


#: how many of the entry's most mentioned people become candidates of every quotation
_ENTRY_PEOPLE = 4


def speaker_candidates(
    doc: Doc,
    quoted: Sequence[Person],
    said: Mapping[str, float],
    reported: Sequence[Person],
    rule_speakers: Sequence[Person],
) -> list[Candidate]:
    """The people who may be the entry's speakers (whose words it carries), with features: the
    speakers of its quotations and how sure those picks were, the subjects of speech cues
    without a quotation, the rule reader's speakers, and everyone else a cue names."""
    found: dict[str, Candidate] = {}
    get = _pool(found)

    for person in quoted:
        cand = get(person)
        cand.set("quoted")
        cand.set("quoted_confidence", said.get(person.id, 0.0))
    for person in reported:
        get(person).set("reported")
    for person in rule_speakers:
        get(person).set("rule_speaker")
    counts: dict[str, int] = {}
    for m in doc.mentions():
        if m.person is None:
            continue
        counts[m.person.id] = counts.get(m.person.id, 0) + 1
        if m.cue is None:
            continue
        cand = get(m.person)
        cand.set(f"cue_{m.cue}")
        cand.set(f"cue_kind_{m.kind}")
        if not any(t.quote is not None for t in doc.sentences[m.sent].tokens):
            cand.set("cue_no_quote")
    for cand in found.values():
        person = cand.person
        f = cand.features
        if f.get("reported") and (f.get("cue_kind_name") or f.get("cue_kind_surname")):
            cand.set("reported_by_name")  # "Petra Lindner sagte, die Brücke werde …", "… Lind said"

        cand.set("mentions", min(counts.get(person.id, 0), 5) / 5)
        cand.set("org", 1.0 if person.kind == "org" else 0.0)
        words = person.name.split()
        cand.set("one_word", 1.0 if len(words) == 1 else 0.0)
        if all(doc.lang.is_common_word(w) for w in words):
            cand.set("common_word_name")
    return list(found.values())


def _entry_salience(doc: Doc, site: QuoteSite, get: Callable[[Person], Candidate]) -> None:
    """The people the entry is about so far: the most mentioned before the quotation (an
    article's interviewee, named once at the top and "he" after), the first one named, and
    those who were speech cues' subjects."""
    counts: dict[str, int] = {}
    cues: dict[str, int] = {}
    people: dict[str, Person] = {}
    first: Person | None = None
    for sent in doc.sentences[: site.sent + 1]:
        for m in sent.mentions:
            person = m.person
            if person is None or person.kind != "person":
                continue
            first = first or person
            people[person.id] = person
            counts[person.id] = counts.get(person.id, 0) + 1
            if m.cue is not None:
                cues[person.id] = cues.get(person.id, 0) + 1
    top = sorted(counts, key=lambda pid: -counts[pid])[:_ENTRY_PEOPLE]
    for rank, pid in enumerate(top):
        cand = get(people[pid])
        cand.set("entry_mentions", min(counts[pid], 5) / 5)
        cand.set("entry_top", 1.0 / (1 + rank))
        cand.set("entry_cued", min(cues.get(pid, 0), 3) / 3)
    if first is not None:
        get(first).set("entry_first")


def _pronoun_alternatives(doc: Doc, site: QuoteSite, cands: Iterable[Candidate]) -> None:
    """ "…," he said: the pronoun's cue also stands for every other fitting person among the
    candidates, so that the ranker, not the nearest-mention rule alone, decides who "he" is."""
    for m in doc.sentences[site.sent].mentions:
        if m.kind != "pronoun" or m.cue is None or m.person is None:
            continue
        gender = doc.lang.pronouns.get(m.text.lower())
        adjacent = abs(m.verb - site.tok) <= 2
        for cand in cands:
            person = cand.person
            if person is m.person:
                cand.set("pron_first")
            elif person.kind == "person" and (gender is None or person.gender in (None, gender)):
                cand.set("pron_alt")
                if adjacent:
                    cand.set("pron_alt_adjacent")


def _mentions(doc: Doc, sentence_ids: Iterable[int]) -> Iterable[Mention]:
    for s in sentence_ids:
        yield from doc.sentences[s].mentions


def _kind_features(cand: Candidate, m: Mention, prefix: str) -> None:
    cand.set(f"{prefix}kind_{m.kind}")


def _mention_features(cand: Candidate, m: Mention, site: QuoteSite, doc: Doc) -> None:
    sent = doc.sentences[m.sent]
    speechy = any(c.kind != "colon" for c in sent.cues)
    # "The Castlebridge fans are …": the fans are the subject, not the name before them
    opener = not m.modifier and (
        m.tok == 0
        or all(t.lower in doc.lang.determiners or not t.is_word for t in sent.tokens[: m.tok])
    )
    if m.sent == site.sent:
        dist = abs(m.tok - site.tok)
        cand.set("same_sent")
        if opener:
            cand.set("s_subject")
            if speechy:
                cand.set("s_subject_speech")
        cand.set("near", 1.0 / (1.0 + dist))
        cand.set("after" if m.tok > site.tok else "before")
        if m.cue is not None:
            cand.set("cue_same_sent")
            if abs(m.verb - site.tok) <= 2 or (m.cue == "colon" and m.verb < site.tok):
                cand.set("cue_adjacent")  # `"…," said X`, `X said: "…"`, `„…“, so X`
            cand.set(f"cue_{m.cue}")
            cand.set(f"cue_{m.cue}_near", 1.0 / (1.0 + dist))
            if site.kind == "partial":
                cand.set("cue_partial")
        _kind_features(cand, m, "s_")
    elif m.sent < site.sent:
        gap = site.sent - m.sent
        cand.set("same_para_before", 1.0 / gap)
        if opener and speechy:
            cand.set("p_subject_speech", 1.0 / gap)
        if m.cue is not None:
            cand.set("cue_para_before", 1.0 / gap)
            if m.cue == "colon" and gap == 1:
                cand.set("colon_before")
        _kind_features(cand, m, "p_")
    else:
        gap = m.sent - site.sent
        cand.set("same_para_after", 1.0 / gap)
        if m.cue is not None and gap == 1:
            cand.set("cue_next_sent")
        _kind_features(cand, m, "p_")
    if m.person is not None and m.person.kind == "org":
        cand.set("org_mention")
    if m.prep and m.cue is None:
        cand.set(f"m_{m.prep}")
    if m.reported and m.sent == site.sent:
        cand.set("s_reported")


def _quote_features(cands: list[Candidate], site: QuoteSite) -> None:
    n = len([c for c in cands if c.features.get("same_sent") or c.features.get("cue_para_before")])
    for cand in cands:
        cand.set(f"q_{site.kind}")
        if site.sent_alone:
            cand.set("q_alone")
        if site.para_start:
            cand.set("q_para_start")
        cand.set("q_long", min(site.words, 40) / 40.0)
        if site.titlecase:
            cand.set("q_titlecase")
        if site.numeric:
            cand.set("q_numeric")
        if n == 1:
            cand.set("only_near")


@dataclass(frozen=True, slots=True)
class Model:
    """A logistic model over candidate features, and the calibration of its best score."""

    weights: Mapping[str, float]
    bias: float
    #: isotonic calibration: raw probability breakpoints and the share right at each
    calib_x: tuple[float, ...] = ()
    calib_y: tuple[float, ...] = ()
    #: the model that decides an entry's speakers (a person whose words it carries)
    speakers: Model | None = None
    #: a choice model: the best candidate's probability is a softmax over the quotation's
    #: candidates and "nobody" (whose score is 0), not its own logistic score
    choice: bool = False

    def raw(self, features: Mapping[str, float]) -> float:
        """The logistic score of one feature set (the entry-speaker model's probability)."""
        return 1.0 / (1.0 + math.exp(-self._z(features)))

    def calibrated(self, raw: float) -> float:
        if not self.calib_x:
            return raw
        i = bisect_right(self.calib_x, raw)
        if i == 0:
            return self.calib_y[0]
        if i >= len(self.calib_x):
            return self.calib_y[-1]
        x0, x1 = self.calib_x[i - 1], self.calib_x[i]
        y0, y1 = self.calib_y[i - 1], self.calib_y[i]
        return y0 + (y1 - y0) * (raw - x0) / (x1 - x0) if x1 > x0 else y1

    def pick(self, cands: Sequence[Candidate]) -> tuple[Candidate | None, float]:
        """The best candidate and the probability that it is the speaker."""
        best, raw = self.best(cands)
        if best is None:
            return None, 0.0
        return cands[best], self.calibrated(raw)

    def best(self, cands: Sequence[Candidate]) -> tuple[int | None, float]:
        """The index of the best candidate and its uncalibrated score."""
        if not cands:
            return None, 0.0
        zs = [self._z(c.features) for c in cands]
        best = max(range(len(zs)), key=zs.__getitem__)
        if not self.choice:
            return best, 1.0 / (1.0 + math.exp(-zs[best]))  # as `raw`
        top = max(0.0, zs[best])
        total = math.exp(-top) + sum(math.exp(z - top) for z in zs)
        return best, math.exp(zs[best] - top) / total

    def _z(self, features: Mapping[str, float]) -> float:
        """The linear score, clipped so that exp never overflows."""
        z = self.bias + sum(self.weights.get(k, 0.0) * v for k, v in features.items())
        return max(-30.0, min(30.0, z))

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Model:
        weights = data["weights"]
        calib = data.get("calibration") or {}
        assert isinstance(weights, dict) and isinstance(calib, dict)
        speakers = data.get("speakers")
        return cls(
            weights={str(k): float(v) for k, v in weights.items()},
            bias=float(str(data["bias"])),
            calib_x=tuple(float(x) for x in calib.get("x", [])),
            calib_y=tuple(float(y) for y in calib.get("y", [])),
            speakers=cls.from_json(speakers) if isinstance(speakers, dict) else None,
            choice=bool(data.get("choice", False)),
        )


@cache
def default_model() -> Model:
    """The model shipped in the package (`streams/attribution/model.json`)."""
    text = resources.files("streams.attribution").joinpath("model.json").read_text("utf-8")
    return Model.from_json(json.loads(text))
