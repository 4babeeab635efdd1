"""Speakers for quotations whose sentence names none, from their neighbours.

In order: a paragraph that continues an open quotation is its speaker's ("continued"); a
quotation read while the entry had a speaker is theirs ("continuity" when the quotation before it
is theirs too, else "entry"); one before the entry's first speaker takes the next quotation's
speaker in its paragraph ("continuity") or the entry's speaker ("entry"); a quotation in an
entry with no speaker that had mentioned exactly one person goes to that person ("introduced");
one that stands alone in an entry with no speaker goes to the previous entry's only speaker
("salience").
A quotation whose frame names someone we do not track ("Ministers have been promising …") keeps
no speaker.
"""

from __future__ import annotations

from collections.abc import Sequence

from streams.attribution.memory import Person
from streams.attribution.reader import Found

__all__ = ["fill_gaps"]


def fill_gaps(
    found: Sequence[Found], speakers: Sequence[Person], previous: Sequence[Person]
) -> None:
    """Give unattributed quotations of one entry the speaker their context makes likely."""
    for i, quote in enumerate(found):
        if quote.person is not None or quote.blocked:
            continue
        before = found[i - 1] if i > 0 else None
        if quote.continues and before is not None and before.person is not None:
            quote.person, quote.method = before.person, "continued"
        elif quote.current is not None:
            same = before is not None and before.person is quote.current
            near = before is not None and quote.para - before.para <= 1
            quote.person = quote.current
            quote.method = "continuity" if same and near else "entry"
        elif (nxt := _next_in_paragraph(found, i)) is not None:
            quote.person, quote.method = nxt, "continuity"
        elif speakers:
            quote.person, quote.method = speakers[0], "entry"
        elif quote.introduced is not None:
            quote.person, quote.method = quote.introduced, "introduced"
        elif quote.standalone and len(previous) == 1:
            quote.person, quote.method = previous[0], "salience"


def _next_in_paragraph(found: Sequence[Found], i: int) -> Person | None:
    para = found[i].para
    for later in found[i + 1 :]:
        if later.para != para:
            return None
        if later.person is not None:
            return later.person
    return None
