"""The matcher's word finding gives what `fold_text` and a plain search give."""

from __future__ import annotations

import random
import re

from streams.alerts.scan import compounds, words
from streams.core.text import fold_text, folds_alike, is_word_char

#: characters that fold in every way: case, accents, several characters, none, spaces, hyphens
_ALPHABET = [
    *"abcXYZ19_ -‐‑–—'’‘`.,&\n\t\r  ",
    *"\u00a0\u2009\x0b\x1cçéÉüÜßﬁ¨™²İ\u0301ÆøŁ“”«»ꭰᎠ",
]


def _texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(_ALPHABET, k=rng.randint(0, 14))) for _ in range(count)]


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

    def test_compounds_are_the_joined_fold_s_new_words(self) -> None:
        """On ASCII text, or text that `folds_alike`, the words of the fold with hyphens joined
        are the words of the fold without, less some, and its `compounds`: the latter are new
        words, each of the joined fold."""
        alphabet = [*_ALPHABET, *["-"] * 6]
        rng = random.Random(10)
        alike = 0
        for _ in range(6000):
            text = "".join(rng.choices(alphabet, k=rng.randint(0, 20)))
            if not folds_alike(text):
                assert not text.isascii()
                continue
            alike += 1
            split = words(fold_text(text, join_hyphens=False).text)
            joined = words(fold_text(text, join_hyphens=True).text)
            found = compounds(fold_text(text, join_hyphens=False).text)
            assert found <= joined, text
            assert joined <= split | found, text
        assert alike > 1000

    def test_compounds_are_the_runs_joined_by_hyphens(self) -> None:
        """`compounds` gives each maximal run of words joined by single hyphens, hyphens
        dropped, whatever the text around it."""
        alphabet = [*_ALPHABET, *["-"] * 6]
        rng = random.Random(11)
        for _ in range(3000):
            text = "".join(rng.choices(alphabet, k=rng.randint(0, 30)))
            plain = {m.group().replace("-", "") for m in re.finditer(r"\w+(?:-\w+)+", text)}
            assert compounds(text) == plain, text
