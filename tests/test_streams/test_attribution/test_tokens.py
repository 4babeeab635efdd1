"""Tokens of a sentence frame and the speaker phrases around a verb."""

from __future__ import annotations

import pytest

from streams.attribution.quotes import find_quotes
from streams.attribution.tokens import is_name_token, phrase_after, phrase_before, tokenize


def _tokens(text: str) -> list[str]:
    return [t.text for t in tokenize(text, find_quotes(text))]


class TestTokenize:
    def test_quotation_is_one_token(self) -> None:
        """A quotation becomes one QUOTE token, so names inside it are not in the frame."""
        assert _tokens("“Okafor is right,” Okafor said.") == ["QUOTE", "Okafor", "said", "."]

    def test_possessives(self) -> None:
        """`Okafor's` and `developers'` are one token each, bare of their possessive."""
        tokens = tokenize("Okafor's aide and the developers' lobby", [])
        assert [(t.bare, t.possessive) for t in tokens if t.possessive] == [
            ("Okafor", True),
            ("developers", True),
        ]

    @pytest.mark.parametrize(
        ("text", "words"),
        [
            ("said C.J. Adler", ["said", "C.J.", "Adler"]),
            ("J. R. Hill said", ["J.", "R.", "Hill", "said"]),
            ("U.S. officials", ["U.S", ".", "officials"]),  # no name after: not initials
        ],
    )
    def test_initials_keep_their_periods(self, text: str, words: list[str]) -> None:
        """Initials before a name are whole tokens, so the name runs across them."""
        assert [t.text for t in tokenize(text, [])] == words

    def test_opening_mark_typeset_as_an_apostrophe(self) -> None:
        """`Okafor‘s mother`: the opening single mark right after a letter is an apostrophe (an
        opening quotation mark follows a space)."""
        text = "Jan Okafor‘s mom said ‘no’ at once."
        tokens = tokenize(text, find_quotes(text))
        assert [(t.bare, t.possessive) for t in tokens if t.possessive] == [("Okafor", True)]

    def test_contraction_is_not_a_possessive(self) -> None:
        """`It's` is not "It" possessing something."""
        assert not tokenize("It's late", [])[0].possessive


class TestPhrases:
    @pytest.mark.parametrize(
        ("text", "verb", "phrase"),
        [
            ("the shadow housing secretary said", "said", "the shadow housing secretary"),
            ("Okafor has also clearly said", "said", "Okafor"),
            (
                "A Department for Transport spokesperson said",
                "said",
                "A Department for Transport spokesperson",
            ),
            ("Whitcombe's spokesperson said", "said", "Whitcombe's spokesperson"),
            ("Sen. Maria Delgado said", "said", "Sen . Maria Delgado"),
            ("the report said", "said", ""),
        ],
    )
    def test_phrase_before(self, text: str, verb: str, phrase: str) -> None:
        """The subject phrase before a verb, adverbs skipped; nothing when it is no speaker."""
        tokens = tokenize(text, [])
        k = next(i for i, t in enumerate(tokens) if t.text == verb)
        start, end = phrase_before(tokens, k)
        assert " ".join(t.text for t in tokens[start:end]) == phrase

    @pytest.mark.parametrize(
        ("text", "phrase"),
        [
            ("says Maria Okafor.", "Maria Okafor"),
            ("said the housing minister on Tuesday", "the housing minister"),
            ("said Ursula von der Leyen", "Ursula von der Leyen"),
        ],
    )
    def test_phrase_after(self, text: str, phrase: str) -> None:
        """The phrase after a verb: an inverted subject."""
        tokens = tokenize(text, [])
        start, end = phrase_after(tokens, 0)
        assert " ".join(t.text for t in tokens[start:end]) == phrase

    @pytest.mark.parametrize(
        ("word", "name"),
        [
            ("Okafor", True),
            ("Ministers", False),
            ("Treasury", False),
            ("UN", False),
            ("Berlin", False),
            ("The", False),
            ("Ukrainian", False),
        ],
    )
    def test_name_tokens(self, word: str, name: bool) -> None:
        """Roles, groups, organisations, places, acronyms and stopwords are not names."""
        assert is_name_token(tokenize(word, [])[0]) is name
