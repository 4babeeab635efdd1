"""The attribution stage: who said what, from the text and the blog's speaker memory.

Pure: `attribute(entry, memory, min_confidence=...) -> (Attribution, memory)`. The memory that
comes back is a new object; the one passed in is not changed.

Order of work for one entry (the parts live in `streams.attribution`):
1. learn the people the entry introduces ("EU trade commissioner Jan Lindqvist",
   "Maria Okafor, the minister for housing", "Derek Holt, 67");
2. read each paragraph: quotations, speech frames ("…, Okafor said", "according to X",
   "X is asked", colon introductions, speaker lines, `Q:`/`A:` lines, quote blocks, embeds),
   resolving each speaker phrase by name, misspelt name, role, organisation, spokesperson,
   descriptor or pronoun;
3. give quotations without a frame the speaker their neighbours make likely (continuity);
4. drop speakers below `min_confidence`, then update salience so that the next entry's
   "he says" finds the right person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz

from schemas.events import Quote, SpeakerRef, stable_id
from streams.attribution.fallback import fill_gaps
from streams.attribution.memory import Person, SpeakerMemory
from streams.attribution.methods import CONFIDENCE
from streams.attribution.reader import EntryReader, Found, read_entry
from streams.core.models import ParsedEntry

__all__ = ["DEFAULT_MIN_CONFIDENCE", "Attribution", "attribute"]

#: the default of `Settings.min_confidence`: below it a quote has no speaker
DEFAULT_MIN_CONFIDENCE = 0.5
#: a headline quotation this close to a body quotation repeats it
_REPEAT_RATIO = 80


@dataclass(slots=True)
class Attribution:
    """What the stage found in one entry."""

    speakers: list[SpeakerRef] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    mentioned: list[SpeakerRef] = field(default_factory=list)


def attribute(
    entry: ParsedEntry, memory: SpeakerMemory, *, min_confidence: float = DEFAULT_MIN_CONFIDENCE
) -> tuple[Attribution, SpeakerMemory]:
    """Speakers and quotes of `entry`; returns a new memory.

    A quote whose speaker was found with a confidence below `min_confidence` keeps its method
    and confidence but has no speaker.
    """
    working = memory.clone()
    reader = read_entry(entry, working)
    previous = [working.persons[p] for p in working.last_speakers if p in working.persons]
    fill_gaps(reader.found, reader.speakers, previous)
    return _finish(entry, reader, min_confidence), working


def _finish(entry: ParsedEntry, reader: EntryReader, min_confidence: float) -> Attribution:
    result = Attribution()
    speakers = list(reader.speakers)
    for n, found in enumerate(_without_repeats(reader.found)):
        confidence = CONFIDENCE[found.method] if found.person is not None else 0.0
        speaker = found.person if confidence >= min_confidence else None
        if speaker is not None:
            speaker.quotes += 1
            if speaker not in speakers:
                speakers.append(speaker)
        result.quotes.append(
            Quote(
                quote_id=stable_id(entry.entry_id, n, found.text),
                entry_id=entry.entry_id,
                blog_id=entry.blog_id,
                published_at=entry.published_at,
                text=found.text,
                speaker=speaker.ref() if speaker is not None else None,
                kind=found.kind,
                confidence=confidence,
                method=found.method,
            )
        )
    result.speakers = [p.ref() for p in speakers]
    result.mentioned = [p.ref() for p in reader.resolver.mentioned]
    _remember(reader, speakers)
    return result


def _without_repeats(found: list[Found]) -> list[Found]:
    """A headline quotation that repeats one of the body adds nothing."""
    body = [f.text for f in found if f.kind != "headline"]
    return [
        f
        for f in found
        if f.kind != "headline" or not any(fuzz.ratio(f.text, b) >= _REPEAT_RATIO for b in body)
    ]


def _remember(reader: EntryReader, speakers: list[Person]) -> None:
    memory = reader.memory
    for person in reversed(reader.resolver.mentioned):
        if person not in speakers:
            memory.promote(person)
    for person in reversed(speakers):
        person.spoke = True
        memory.promote(person)
    memory.last_speakers = [p.id for p in speakers]
