"""The matcher's folding and word finding give what `fold_text` and a plain search give."""

from __future__ import annotations

import random
import re

import pytest

from streams.alerts.scan import fold, has_join, words
from streams.core.text import fold_text, is_word_char

#: characters that fold in every way: case, accents, several characters, none, spaces, hyphens
_ALPHABET = [
    *"abcXYZ19_ -‐‑–—'’‘`.,&\n\t\r  ",
    *"\u00a0\u2009\x0b\x1cçéÉüÜßﬁ¨™²İ\u0301ÆøŁ“”«»ꭰᎠ",
]


def _texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(_ALPHABET, k=rng.randint(0, 14))) for _ in range(count)]


class TestFold:
    @pytest.mark.parametrize("join", [False, True])
    def test_same_text_and_offsets_as_fold_text(self, join: bool) -> None:
        """On random texts of awkward characters, the folded text and every span agree."""
        for text in _texts(7, 3000):
            slow = fold_text(text, join_hyphens=join)
            fast = fold(text, join_hyphens=join)
            assert fast.text == slow.text, text
            size = len(slow.text)
            for start in range(size):
                for end in range(start + 1, size + 1):
                    assert fast.span(start, end) == slow.span(start, end), (text, start, end)
                    assert fast.bounded(start, end) == slow.bounded(start, end), text

    def test_has_join(self) -> None:
        """Joining hyphens changes a text exactly when `has_join` says so."""
        for text in _texts(8, 3000):
            changed = fold_text(text, join_hyphens=True) != fold_text(text, join_hyphens=False)
            assert has_join(text) == changed, text


class TestWords:
    def test_regex_word_is_is_word_char(self) -> None:
        """`\\w` of the regular expressions is the project's word character, on the whole BMP."""
        for code in range(0x10000):
            ch = chr(code)
            assert (re.fullmatch(r"\w", ch) is not None) == is_word_char(ch), hex(code)

    def test_words_are_the_maximal_runs(self) -> None:
        """`words` gives every maximal run of word characters, ASCII or not."""
        for text in _texts(9, 3000):
            assert words(text) == set(re.findall(r"\w+", text)), text
