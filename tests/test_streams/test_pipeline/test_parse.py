"""The parse stage: raw block to a timed entry, and the parser's robustness."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.sources.blocks import split_blocks
from schemas.events import EntryHints, RawEntry
from streams.core.models import ParseState
from streams.pipeline.parse import clean_inline, parse

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _raw(text: str, seq: int = 0, **hints: object) -> RawEntry:
    defaults: dict[str, object] = {"date": date(2024, 5, 1), "timezone": "Europe/Berlin"}
    defaults.update(hints)
    return RawEntry(
        blog_id="b",
        source="test",
        seq=seq,
        fetched_at=NOW,
        raw=text,
        hints=EntryHints(**defaults),  # type: ignore[arg-type]
    )


class TestParse:
    def test_time_headline_body(self) -> None:
        """The time becomes a tz-aware published_at; a line above it is the headline."""
        entry, _ = parse(
            _raw("Mayor: ‘No cuts’\n\n2:24 p.m.: **The mayor** speaks.\n\nMore text."), ParseState()
        )
        assert entry.published_at is not None
        assert entry.published_at.isoformat() == "2024-05-01T14:24:00+02:00"
        assert entry.printed_time == "2:24 p.m."
        assert entry.headline == "Mayor: ‘No cuts’"
        assert entry.body == "The mayor speaks.\n\nMore text."

    def test_ticker_headline_on_time_line(self) -> None:
        """`+++ 14:24 Headline +++` tickers put the headline on the time line, the body below."""
        entry, _ = parse(
            _raw("+++ 14:24 Minister rejects report +++\nThe minister spoke."), ParseState()
        )
        assert entry.printed_time == "14:24"
        assert entry.headline == "Minister rejects report"
        assert entry.body == "The minister spoke."

    def test_quote_block(self) -> None:
        """Each `> ` line that ends a sentence is a quote-block paragraph without the markers,
        as each line outside the block is a paragraph."""
        entry, _ = parse(_raw("14:40 She said:\n> We build.\n> We build fast."), ParseState())
        assert [(p.text, p.quote_block) for p in entry.paragraphs] == [
            ("She said:", False),
            ("We build.", True),
            ("We build fast.", True),
        ]

    def test_quote_block_hard_wrapped(self) -> None:
        """A `> ` line that stops mid-sentence goes on in the next line: one paragraph."""
        entry, _ = parse(_raw("14:40 She said:\n> We build and\n> we build fast."), ParseState())
        assert [(p.text, p.quote_block) for p in entry.paragraphs] == [
            ("She said:", False),
            ("We build and we build fast.", True),
        ]

    def test_crossing_midnight(self) -> None:
        """Entries after midnight land on the next day, and stay there."""
        state = ParseState()
        days = []
        for seq, text in enumerate(["23:40 One.", "23:55 Two.", "00:10 Three.", "01:00 Four."]):
            entry, state = parse(_raw(text, seq), state)
            assert entry.published_at is not None
            days.append(entry.published_at.day)
        assert days == [1, 1, 2, 2]

    def test_stable_ids(self) -> None:
        """The same block gives the same entry id; another text another id."""
        a, _ = parse(_raw("14:00 Same."), ParseState())
        b, _ = parse(_raw("14:00 Same."), ParseState())
        c, _ = parse(_raw("14:00 Other."), ParseState())
        assert a.entry_id == b.entry_id != c.entry_id

    def test_block_id_identity(self) -> None:
        """With a block id, an edited text keeps its entry id."""
        a, _ = parse(_raw("14:00 First text.", block_id="p-1"), ParseState())
        b, _ = parse(_raw("14:00 Edited text.", block_id="p-1"), ParseState())
        assert a.entry_id == b.entry_id

    def test_untimed(self) -> None:
        """A block with no time has no published_at rather than a guessed one."""
        entry, _ = parse(_raw("Just words."), ParseState())
        assert entry.published_at is None

    def test_clean_inline(self) -> None:
        """Markdown emphasis, links and headings are reduced to their text."""
        assert clean_inline("## **Bold** and [a link](https://x.test/a) ") == "Bold and a link"


class TestPageFurniture:
    @pytest.mark.parametrize(
        "stamp",
        [
            "Last Updated: 10:21 GMT+1 Tuesday, 28 June 2016",
            "Last updated: 09:24 GMT",
            "Updated at 14:05",
            "Aktualisiert am 12.03.2025, 14:05 Uhr",
        ],
    )
    def test_update_stamp_is_no_paragraph(self, stamp: str) -> None:
        """A page's update stamp is not the entry's words: no quotation, no speaker line."""
        entry, _ = parse(_raw(f"10:24 The mayor spoke.\n\n{stamp}\n\nMore text."), ParseState())
        assert [p.text for p in entry.paragraphs] == ["The mayor spoke.", "More text."]

    @pytest.mark.parametrize(
        "text",
        [
            "Updated: the mayor said 3 schools would close.",
            "Updated 3 people died in the fire.",
            "Published: “We will rebuild,” the mayor said on 3 June.",
        ],
    )
    def test_a_sentence_after_a_stamp_word_stays(self, text: str) -> None:
        """Only a stamp made of a date and a time goes: words after "Updated:" are content."""
        entry, _ = parse(_raw(f"10:24 The mayor spoke.\n\n{text}"), ParseState())
        assert [p.text for p in entry.paragraphs] == ["The mayor spoke.", text]


class TestRobustness:
    @settings(max_examples=300, deadline=None)
    @given(st.text(max_size=600))
    def test_parser_never_raises(self, text: str) -> None:
        """Arbitrary text splits into blocks and parses without raising."""
        _, blocks = split_blocks(text)
        state = ParseState()
        for seq, block in enumerate(blocks):
            entry, state = parse(_raw(block.text[:5000], seq), state)
            assert entry.blog_id == "b"
        parse(_raw(text), ParseState())
