"""`fold_text` gives, on any text, the folded text and offsets of the character-by-character
definition (written out here as the specification)."""

from __future__ import annotations

import random

import pytest

from streams.core.text import fold_text, folds_alike, has_join, is_word_char, strip_accents

#: characters that fold in every way: case, accents, several characters, none, spaces, hyphens
_ALPHABET = [
    *"abcXYZ19_ -‐‑–—'’‘`.,&\n\t\r  ",
    *"\u00a0\u2009\x0b\x1cçéÉüÜßﬁ¨™²İ\u0301ÆøŁ“”«»ꭰᎠ…",
]


def _texts(seed: int, count: int, alphabet: list[str]) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(alphabet, k=rng.randint(0, 14))) for _ in range(count)]


def _definition(text: str, *, join_hyphens: bool) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the original offset: whitespace runs
    to one space, hyphens between word characters dropped when joining, ASCII lowered, other
    characters without their accents and case-folded (typographic apostrophes to `'`)."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            if not (out and out[-1] == " "):
                out.append(" ")
                origin.append(i)
            continue
        inside = 0 < i < len(text) - 1 and is_word_char(text[i - 1]) and is_word_char(text[i + 1])
        if join_hyphens and ch in "-‐‑" and inside:
            continue
        if ch.isascii():
            folded = ch.lower()
        else:
            folded = "'" if ch in "’‘ʼ′`" else strip_accents(ch).casefold()
        out.extend(folded)
        origin.extend([i] * len(folded))
    return "".join(out), origin


class TestFoldText:
    @pytest.mark.parametrize("join", [False, True])
    @pytest.mark.parametrize(
        "alphabet",
        [
            _ALPHABET,
            [c for c in _ALPHABET if c not in "¨\u0301ꭰᎠ"],
            [c for c in _ALPHABET if c not in "ßﬁ¨™\u0301ꭰᎠ…"],
        ],
        ids=["every-fold", "no-character-by-character", "one-character-folds"],
    )
    def test_same_text_and_offsets_as_the_definition(self, join: bool, alphabet: list[str]) -> None:
        """On random texts of awkward characters, the folded text and every span agree (the
        second alphabet leaves out the characters that send a text to the character-by-character
        fold, the third those that fold to several characters too)."""
        for text in _texts(7, 3000, alphabet):
            expected, origin = _definition(text, join_hyphens=join)
            folded = fold_text(text, join_hyphens=join)
            assert folded.text == expected, text
            for start in range(len(expected)):
                for end in range(start + 1, len(expected) + 1):
                    assert folded.span(start, end) == (origin[start], origin[end - 1] + 1), (
                        text,
                        start,
                        end,
                    )
                    before = expected[start - 1] if start else " "
                    after = expected[end] if end < len(expected) else " "
                    bounded = not is_word_char(before) and not is_word_char(after)
                    assert folded.bounded(start, end) == bounded, text

    def test_equal_folds_compare_equal(self) -> None:
        """Two folds of one text are equal exactly when their text and offsets are."""
        assert fold_text("A  b-c", join_hyphens=False) == fold_text("A  b-c", join_hyphens=False)
        assert fold_text("A  b-c", join_hyphens=True) != fold_text("A  b-c", join_hyphens=False)
        # the spaces dropped at the very end shift no folded character
        assert fold_text("a    ", join_hyphens=True) == fold_text("a ", join_hyphens=True)

    def test_has_join(self) -> None:
        """Joining hyphens changes a fold exactly when `has_join` says so."""
        for text in _texts(8, 3000, _ALPHABET):
            changed = fold_text(text, join_hyphens=True) != fold_text(text, join_hyphens=False)
            assert has_join(text) == changed, text

    @pytest.mark.parametrize(
        ("text", "alike"),
        [
            ("cease-fire", True),
            ("“Cease-fire” – é, ø, £ and\u00a0€", True),
            ("™-x", False),  # folds to two word characters
            ("Straße", False),  # to two characters
            ("e\u0301", False),  # to none
            ("cease\u2010fire", False),  # a hyphen other than `-`
            ("½", False),  # a word character whose fold has a non-word one
        ],
    )
    def test_folds_alike(self, text: str, alike: bool) -> None:
        """A text folds alike when each character folds to one, word character or not as it
        was, and `-` is its only hyphen."""
        assert folds_alike(text) is alike
