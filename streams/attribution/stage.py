"""The attribution stage: who said what, from the text and the blog's speaker memory.

Pure: `attribute(entry, memory, min_confidence=...) -> (Attribution, memory)`. The memory that
comes back is a new object; the one passed in is not changed.

Order of work for one entry (the parts live in `streams.attribution`):
1. the entry's language, given by the blog or detected (`language`); media captions are set
   aside, and the short forms the entry defines are learned (`acronyms`);
2. the rule reader (`reader` and its parts) finds the quotations and, in English, a first pick
   for each with the method that found it, learning the people the entry introduces;
3. the language reading (`cues`) finds mentions and speech cues in both languages, on the same
   tokenised paragraphs; in other languages its named frame at a quotation is the first pick;
4. for each quotation the ranker (`ranker`, `model.json`) scores every candidate speaker; its
   best score, calibrated, is the quote's confidence, and below `min_confidence` the quote keeps
   no speaker (a title in quotation marks, or the words of somebody unnamed, keep none at all);
5. the entry-speaker model picks whose words the entry carries; salience is updated so that the
   next entry's "he says" finds the right person.

`rules_only=True` stops after step 2 and gives the rule reader's picks with their method's fixed
confidence (`methods.CONFIDENCE`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from schemas.events import Quote, SpeakerRef, stable_id
from streams.attribution.acronyms import learn_acronyms
from streams.attribution.context import Paragraph
from streams.attribution.cues import Doc, Mention, Sentence, read_doc
from streams.attribution.fallback import fill_gaps
from streams.attribution.language import detect_language, language
from streams.attribution.memory import Person, SpeakerMemory
from streams.attribution.methods import CONFIDENCE
from streams.attribution.ranker import (
    Candidate,
    Model,
    QuoteSite,
    anonymous_cue,
    candidates,
    default_model,
    locate,
    speaker_candidates,
    touches,
)
from streams.attribution.reader import EntryReader, Found, read_entry
from streams.core.models import ParsedEntry

__all__ = ["DEFAULT_MIN_CONFIDENCE", "Attribution", "attribute"]

#: the default of `Settings.min_confidence`: below it a quote has no speaker
DEFAULT_MIN_CONFIDENCE = 0.4
#: the entry-speaker model's score from which a person is one of the entry's speakers: the
#: same rule as the quotations' default threshold (half the F1 aimed at)
_SPEAKER_MIN = 0.4
#: a headline quotation this close to a body quotation repeats it
_REPEAT_RATIO = 80


@dataclass(slots=True)
class Attribution:
    """What the stage found in one entry."""

    speakers: list[SpeakerRef] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    mentioned: list[SpeakerRef] = field(default_factory=list)
    language: str | None = None  # the entry's language as the stage read it (given or detected)
    #: the paragraphs as the readers tokenised them (headline first), for the entry's voices
    paragraphs: list[Paragraph] = field(default_factory=list)


@dataclass(slots=True)
class Trace:
    """What training reads of one entry: each quotation's text, kind and candidates, and the
    candidates for the entry's speakers."""

    quotes: list[tuple[str, str, list[Candidate]]] = field(default_factory=list)
    speakers: list[Candidate] = field(default_factory=list)


def attribute(
    entry: ParsedEntry,
    memory: SpeakerMemory,
    *,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    model: Model | None = None,
    trace: Trace | None = None,
    rules_only: bool = False,
) -> tuple[Attribution, SpeakerMemory]:
    """Speakers and quotes of `entry`; returns a new memory.

    A quote whose speaker was found with a probability below `min_confidence` keeps its method
    and confidence but has no speaker. `rules_only` gives the rule reader's own picks, with the
    fixed confidence of their method (`methods.CONFIDENCE`): the baseline the ranker is measured
    against, and the way its mechanisms are tested one by one.
    """
    working = memory.clone()
    previous = [p for pid in working.last_speakers if (p := working.person(pid)) is not None]
    entry = _without_captions(entry)
    if rules_only:
        reader = read_entry(entry, working)
        fill_gaps(reader.found, reader.speakers, previous)
        result = _finish_rules(entry, reader, min_confidence)
        result.paragraphs = reader.resolver.context.paragraphs
        return result, working
    salient = list(working.salience)
    texts = [entry.headline or "", *(p.text for p in entry.paragraphs)]
    lang = language(entry.language or detect_language(" ".join(texts)))
    # the rule reader knows English syntax only: elsewhere it just finds the quotations, on a
    # copy of the memory, and its picks are no candidates
    english = lang.code == "en"
    learn_acronyms(texts, lang, working)
    reader = read_entry(entry, working if english else working.clone())
    fill_gaps(reader.found, reader.speakers, previous)
    if not english:
        reader.memory = working
        for found in reader.found:
            found.person, found.method = None, "none"
    doc = read_doc(reader.resolver.context.paragraphs, lang, working)
    if not english:  # its speakers as the people the language reading found under those names
        found_names = (working.by_name(p.name, fuzzy=False)[0] for p in reader.speakers)
        reader.speakers = [p for p in found_names if p is not None]
    sites: dict[int, QuoteSite] = {}  # each quotation's site, found once (by the Found's id)
    if not english:
        _frame_picks(reader, doc, sites)
    working.salience = salient  # the ranker's salience is the blog's before this entry
    result = _finish(entry, reader, doc, model or default_model(), min_confidence, trace, sites)
    result.language = lang.code
    result.paragraphs = reader.resolver.context.paragraphs
    return result, working


#: a media placeholder with its caption: "[image only: Dana Reyes at the harbour on Monday]",
#: "[Video: …]", "[Bild: …]"; the people in a photo are not speaking
_CAPTION = re.compile(
    r"\[(?:image|photo|picture|video|gallery|graphic|bild|foto|grafik)\b[^\]:]{0,20}:[^\]]*\]",
    re.IGNORECASE,
)


def _without_captions(entry: ParsedEntry) -> ParsedEntry:
    """`entry` without the paragraphs that are a media caption and nothing else: they name the
    people shown, and are read neither for quotations nor for speakers."""
    kept = tuple(p for p in entry.paragraphs if not _CAPTION.fullmatch(p.text.strip()))
    caption = entry.headline is not None and _CAPTION.fullmatch(entry.headline.strip())
    if len(kept) == len(entry.paragraphs) and not caption:
        return entry
    return entry.model_copy(
        update={"paragraphs": kept, "headline": None if caption else entry.headline}
    )


def _finish(
    entry: ParsedEntry,
    reader: EntryReader,
    doc: Doc,
    model: Model,
    min_confidence: float,
    trace: Trace | None,
    sites: dict[int, QuoteSite],
) -> Attribution:
    result = Attribution()
    speakers: list[Person] = []
    #: each quotation's best candidate -> the best uncalibrated share it had: what the entry
    #: speaker model reads, the same whatever the threshold and calibration
    said: dict[str, float] = {}
    picked: list[Person] = []
    previous: Person | None = None
    previous_para = -1
    for n, found in enumerate(_without_repeats(reader.found)):
        site = _site(sites, doc, found)
        cands = candidates(
            doc,
            site,
            found.text,
            rule_pick=found.person,
            rule_method=found.method,
            previous=previous,
            previous_para=previous_para,
            memory=reader.memory,
            entry_speakers=speakers,
            blocked=found.blocked,
        )
        index, share = model.best(cands)
        best = cands[index] if index is not None else None
        confidence = model.calibrated(share) if best is not None else 0.0
        if best is not None and not site.titlecase and found.method != "embed":
            said[best.person.id] = max(said.get(best.person.id, 0.0), share)
            if best.person not in picked:
                picked.append(best.person)
        if trace is not None:
            trace.quotes.append((found.text, found.kind, cands))
        if site.titlecase:
            confidence = 0.0  # a title or a name in quotation marks is nobody's words
        elif site.sent >= 0 and anonymous_cue(doc, site):
            confidence = 0.0  # "“…,” one resident said": somebody the text does not name
        if found.method == "embed" and found.person is not None:
            # an embedded post's byline names its author: structure, not a guess to rank
            best, confidence = Candidate(found.person), CONFIDENCE["embed"]
        speaker = best.person if best is not None and confidence >= min_confidence else None
        method = found.method if best is not None and best.person is found.person else "ranker"
        if speaker is not None:
            speaker.quotes += 1
            if speaker not in speakers:
                speakers.append(speaker)
            previous, previous_para = speaker, found.para
        result.quotes.append(
            _quote(entry, n, found, speaker, round(confidence, 4), method if speaker else "none")
        )
    others = [p for p in [*_reported(doc), *reader.speakers] if _name_like(p, doc)]
    quoted = [*picked, *(p for p in speakers if p not in picked)]
    cands = speaker_candidates(doc, quoted, said, others, reader.speakers)
    if trace is not None:
        trace.speakers.extend(cands)
    if model.speakers is not None:
        speakers = [c.person for c in cands if model.speakers.raw(c.features) >= _SPEAKER_MIN]
    else:
        speakers += [p for p in others if p not in speakers]
    result.speakers = [p.ref() for p in speakers]
    mentioned = _mentioned(doc)
    result.mentioned = [p.ref() for p in mentioned]
    _remember(reader.memory, mentioned, speakers)
    return result


def _site(sites: dict[int, QuoteSite], doc: Doc, found: Found) -> QuoteSite:
    """Where `found` stands in `doc`, located once per entry."""
    site = sites.get(id(found))
    if site is None:
        site = sites[id(found)] = locate(doc, found.para, found.text, found.kind)
    return site


def _frame_picks(reader: EntryReader, doc: Doc, sites: dict[int, QuoteSite]) -> None:
    """Where the rule reader cannot read the language, the language reading's named frame
    right at a quotation (`„…“, sagte Brenner`, `so Brenner`) is the first pick, with the method
    an English frame gets: the same evidence has the same features in both languages."""
    for found in reader.found:
        if found.person is not None:
            continue
        site = _site(sites, doc, found)
        if site.sent < 0:
            continue
        sent = doc.sentences[site.sent]
        for m in sent.mentions:
            if (
                m.person is not None
                and m.kind in ("name", "surname")
                and m.cue in ("verb_after", "source")
                and (touches(m, site) or _frames_sentence(sent, m, site))
            ):
                found.person, found.method = m.person, "name"
                break


def _frames_sentence(sent: Sentence, m: Mention, site: QuoteSite) -> bool:
    """Whether a source named at the end of the sentence frames a partial quotation inside it,
    its only cue: "Es gebe Unmut über die sogenannte „schleichende“ Reform der Ämter, so Adler."
    """
    return (
        site.kind == "partial"
        and m.cue == "source"
        and m.tok > site.tok
        and len(sent.cues) == 1
        and all(not t.is_word for t in sent.tokens[m.end :])
    )


def _finish_rules(entry: ParsedEntry, reader: EntryReader, min_confidence: float) -> Attribution:
    result = Attribution()
    speakers = list(reader.speakers)
    for n, found in enumerate(_without_repeats(reader.found)):
        confidence = CONFIDENCE[found.method] if found.person is not None else 0.0
        speaker = found.person if confidence >= min_confidence else None
        if speaker is not None:
            speaker.quotes += 1
            if speaker not in speakers:
                speakers.append(speaker)
        result.quotes.append(_quote(entry, n, found, speaker, confidence, found.method))
    result.speakers = [p.ref() for p in speakers]
    result.mentioned = [p.ref() for p in reader.resolver.mentioned]
    _remember(reader.memory, reader.resolver.mentioned, speakers)
    return result


def _quote(
    entry: ParsedEntry,
    n: int,
    found: Found,
    speaker: Person | None,
    confidence: float,
    method: str,
) -> Quote:
    return Quote(
        quote_id=stable_id(entry.entry_id, n, found.text),
        entry_id=entry.entry_id,
        blog_id=entry.blog_id,
        published_at=entry.published_at,
        text=found.text,
        speaker=speaker.ref() if speaker is not None else None,
        kind=found.kind,
        confidence=confidence,
        method=method,
    )


def _name_like(person: Person, doc: Doc) -> bool:
    """Whether `person` reads as a name in the entry's language: not ordinary words ("the film",
    "Limit Reyes"), and in the blog's memory (the rule reader reads English only)."""
    words = person.name.split()
    lang = doc.lang
    if any(w.lower() in lang.stopwords or w.lower() in lang.determiners for w in words):
        return False
    if all(lang.is_common_word(w) for w in words):
        return False
    first = words[0]
    return not (len(words) > 1 and lang.is_common_word(first) and not lang.is_given_name(first))


def _mentioned(doc: Doc) -> list[Person]:
    """Everyone the entry names (pronouns aside), in order of first mention."""
    out: list[Person] = []
    for m in doc.mentions():
        if m.person is not None and m.kind != "pronoun" and m.person not in out:
            out.append(m.person)
    return out


def _reported(doc: Doc) -> list[Person]:
    """People whose words the entry reports without quotation marks: the subject of a speech
    verb or source phrase in a sentence that holds no quotation ("Lind said the plan would
    fail", "laut Lind")."""
    out: list[Person] = []
    for sent in doc.sentences:
        if any(t.quote is not None for t in sent.tokens):
            continue
        for m in sent.mentions:
            person = m.person
            if (
                person is not None
                and m.cue in ("verb_after", "verb_before", "source")
                and m.kind in ("name", "surname")
                and not doc.lang.is_common_word(person.name)
                and person not in out
            ):
                out.append(person)
    return out


def _without_repeats(found: list[Found]) -> list[Found]:
    """A headline quotation that repeats one of the body adds nothing."""
    body = [f.text for f in found if f.kind != "headline"]
    return [
        f
        for f in found
        if f.kind != "headline" or not any(fuzz.ratio(f.text, b) >= _REPEAT_RATIO for b in body)
    ]


def _remember(memory: SpeakerMemory, mentioned: list[Person], speakers: list[Person]) -> None:
    for person in reversed(mentioned):
        if person not in speakers:
            memory.promote(person)
    for person in reversed(speakers):
        person.spoke = True
        memory.promote(person)
    memory.last_speakers = [p.id for p in speakers]
