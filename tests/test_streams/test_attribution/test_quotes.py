"""Finding quotations: marks, apostrophes, partial and open quotes, and sentence bounds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from streams.attribution.quotes import find_quotes, split_sentences


class TestFindQuotes:
    @pytest.mark.parametrize(
        ("text", "quotes"),
        [
            ("“We are ready,” she said.", ["We are ready,"]),
            ('"We are ready," she said.', ["We are ready,"]),
            ("‘We are ready,’ she said.", ["We are ready,"]),
            ("'We are ready,' she said.", ["We are ready,"]),
            ("„Wir sind bereit“, sagte sie.", ["Wir sind bereit"]),
            ("«Nous sommes prêts», a-t-elle dit.", ["Nous sommes prêts"]),
            ("It’s Okafor’s plan, and it is “bold”.", ["bold"]),
            ("The plan is a 'developers' charter', he said.", ["developers' charter"]),
            ("He called it “a developers’ charter” at once.", ["a developers’ charter"]),
            ("She said the plans were “bold” and “long overdue”.", ["bold", "long overdue"]),
            ("“I said ‘no’ three times,” he recalled.", ["I said ‘no’ three times,"]),
            ("It's the players' night, isn't it?", []),
            ("Rock 'n' roll is back.", []),
            # an unclosed single quotation after a colon runs to the paragraph's end
            (
                "She added: ‘I'm not the type of person who's going to live in the past.",
                ["I'm not the type of person who's going to live in the past."],
            ),
            ("It was a ‘so-called deal that nobody wanted at all.", []),
        ],
    )
    def test_quotations(self, text: str, quotes: list[str]) -> None:
        """Double and single, curly and straight marks; apostrophes are not quotations."""
        assert [q.text for q in find_quotes(text)] == quotes

    def test_open_quotation_runs_to_the_paragraph_end(self) -> None:
        """A quotation with no closing mark before the paragraph ends is marked open."""
        (quote,) = find_quotes("“Councils have been asking for this for years.")
        assert quote.open_ended
        assert quote.text == "Councils have been asking for this for years."

    @given(st.text(max_size=300))
    def test_spans_are_inside_the_text(self, text: str) -> None:
        """On any text, spans are ordered, do not overlap and lie inside the text."""
        end = 0
        for quote in find_quotes(text):
            assert end <= quote.start < quote.end <= len(text)
            end = quote.end


class TestSentences:
    @pytest.mark.parametrize(
        ("text", "sentences"),
        [
            ("“Yes. No.” He left.", ["“Yes. No.”", "He left."]),
            ("Mr. Smith said “no”. Then he left.", ["Mr. Smith said “no”.", "Then he left."]),
            (
                "She said: “We will win.” Nobody believed her.",
                ["She said: “We will win.”", "Nobody believed her."],
            ),
            ("“We act,” he said. “We talk.”", ["“We act,” he said.", "“We talk.”"]),
        ],
    )
    def test_sentences_never_cut_a_quotation(self, text: str, sentences: list[str]) -> None:
        """Sentence ends inside a quotation are not sentence ends of the frame."""
        quotes = find_quotes(text)
        assert [text[a:b].strip() for a, b in split_sentences(text, quotes)] == sentences


class TestMarkupAsText:
    def test_attribute_value_is_no_quotation(self) -> None:
        """`onerror="…"` in markup that an entry shows as text is an attribute, not a quote."""
        text = 'Activists wrote <img src=x onerror="window.pwned = 2"> on a banner, “really”.'
        assert [q.text for q in find_quotes(text)] == ["really"]


class TestInitials:
    @pytest.mark.parametrize(
        ("text", "sentences"),
        [
            (
                "It was said by C.J. Adler. Then she left.",
                ["It was said by C.J. Adler.", "Then she left."],
            ),
            (
                "Talks stalled in the U.K. The end came.",
                ["Talks stalled in the U.K. The end came."],
            ),
        ],
    )
    def test_initials_do_not_end_a_sentence(self, text: str, sentences: list[str]) -> None:
        """ "C.J. Adler" is one sentence; initials before a sentence opener are left as they were
        (abbreviations such as "U.K." keep their sentence)."""
        assert [text[a:b] for a, b in split_sentences(text, [])] == sentences
