"""Splitting live-blog text into entry blocks and telling the blog's order."""

from __future__ import annotations

from connectors.sources.blocks import detect_newest_first, split_blocks

NEWEST_FIRST = """Council budget vote – live

Councillors meet to decide on the city's spending plan.

16.05 GMT: The meeting closes. Thanks for following.

Hale: ‘We will not cut the libraries’

15.50 GMT: “We will not cut the libraries,” Hale said.

The opposition leader was not in the room.

15.30 GMT: The session opens, half an hour late. The vote was scheduled for 15.00 GMT.
"""


class TestSplitBlocks:
    def test_blocks_headlines_and_continuations(self) -> None:
        """A headline attaches to the entry below it; untimed paragraphs continue the one above."""
        preamble, blocks = split_blocks(NEWEST_FIRST)
        assert preamble == [
            "Council budget vote – live",
            "Councillors meet to decide on the city's spending plan.",
        ]
        assert [b.time.printed for b in blocks] == ["16.05 GMT", "15.50 GMT", "15.30 GMT"]
        assert blocks[1].headline == "Hale: ‘We will not cut the libraries’"
        assert blocks[1].paragraphs == (
            "15.50 GMT: “We will not cut the libraries,” Hale said.",
            "The opposition leader was not in the room.",
        )
        assert blocks[0].headline is None

    def test_time_inside_sentence(self) -> None:
        """A time inside a sentence starts no entry."""
        _, blocks = split_blocks(NEWEST_FIRST)
        assert len(blocks) == 3
        assert "15.00 GMT" in blocks[2].paragraphs[0]

    def test_time_alone_then_headline(self) -> None:
        """A time on its own line takes the short line after it as its headline."""
        text = "Title\n\n19.30 GMT\n\nRain stops play\n\nThe covers come on at the far end.\n"
        _, blocks = split_blocks(text)
        assert blocks[0].headline == "Rain stops play"
        assert blocks[0].paragraphs == ("19.30 GMT", "The covers come on at the far end.")

    def test_time_and_date_header_then_headline(self) -> None:
        """A `time, date` header line takes the short line after it as its headline."""
        text = "T\n\n8:52 p.m. ET, July 18, 2024\n\nPower is back\n\nCrews restored it.\n"
        _, blocks = split_blocks(text)
        assert blocks[0].headline == "Power is back"
        assert blocks[0].time.day is not None and blocks[0].time.day.day == 18

    def test_headline_after_time_blogs(self) -> None:
        """Where times stand alone, a short last line of an entry is not the next one's headline."""
        text = (
            "T\n\nPosted at 14:10\n\nKey lines\n\n• Fuel duty frozen\n\n• Levy on jets\n\n"
            "Posted at 13:45\n\n'We will not balance the books'\n\nThe chancellor rose.\n"
        )
        _, blocks = split_blocks(text)
        assert [b.headline for b in blocks] == ["Key lines", "'We will not balance the books'"]
        assert blocks[0].paragraphs[-1] == "• Levy on jets"

    def test_bullet_is_never_a_headline(self) -> None:
        """A bullet line above a time stays with the entry it ends."""
        _, blocks = split_blocks("T\n\n10:00 Key points:\n\n- Rates held\n\n10:05 Next.\n")
        assert blocks[0].paragraphs[-1] == "- Rates held"
        assert blocks[1].headline is None

    def test_quote_block_lines_join(self) -> None:
        """Consecutive `> ` lines are one quote-block paragraph."""
        text = "Title\n\n14:40 Okafor said:\n> We will build.\n> We will build fast.\n"
        _, blocks = split_blocks(text)
        assert blocks[0].paragraphs == (
            "14:40 Okafor said:",
            "> We will build.\n> We will build fast.",
        )

    def test_page_furniture_dropped(self) -> None:
        """Copy-pasted page furniture ("2h ago", "Share", "Key event") is not entry text."""
        text = (
            "Title\n\n2h ago\n14.05 BST\nShare\nRain stops play\nCovers on.\nKey event\n"
            "1h ago\n15.05 BST\nPlay resumes.\nUpdated at 15.12 BST\n"
        )
        _, blocks = split_blocks(text)
        assert [b.text for b in blocks] == [
            "Rain stops play\n\n14.05 BST\n\nCovers on.",
            "15.05 BST\n\nPlay resumes.",
        ]

    def test_question_is_not_a_headline(self) -> None:
        """A body paragraph ending in a question mark stays with its entry."""
        text = (
            "T\n\n10:00 The coach was asked about the keeper.\n\n"
            "Will he start on Saturday?\n\n10:05 Next.\n"
        )
        _, blocks = split_blocks(text)
        assert blocks[0].paragraphs[-1] == "Will he start on Saturday?"
        assert blocks[1].headline is None

    def test_no_entries(self) -> None:
        """Text without a timed paragraph has no blocks."""
        assert split_blocks("Just an article.\n\nWith two paragraphs.")[1] == []


class TestOrder:
    def test_newest_first(self) -> None:
        """Times that mostly go down mean the newest entry is on top."""
        assert detect_newest_first(split_blocks(NEWEST_FIRST)[1])

    def test_oldest_first_across_midnight(self) -> None:
        """A blog that crosses midnight oldest-first is still oldest-first."""
        text = "T\n\n23:40 One.\n\n23:55 Two.\n\n00:10 Three.\n\n00:30 Four.\n"
        assert not detect_newest_first(split_blocks(text)[1])

    def test_newest_first_across_midnight(self) -> None:
        """The same blog newest-first is detected despite the jump at midnight."""
        text = "T\n\n00:30 Four.\n\n00:10 Three.\n\n23:55 Two.\n\n23:40 One.\n"
        assert detect_newest_first(split_blocks(text)[1])
