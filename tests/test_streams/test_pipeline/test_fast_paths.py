"""The shortcuts of the parse and enrich stages find what the plain patterns find.

Each fast path (an automaton for a word list, a pattern that opens with a character class, a
pattern run only where its marks are) is checked against the plain form it replaces, on texts
built from the words, marks and edge characters that matter to it.
"""

from __future__ import annotations

import re
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from streams.attribution.lexicon import lexicon
from streams.pipeline import enrich, htmltext, parse
from streams.pipeline.parse import clean_inline

_SEPARATORS = [" ", "  ", "\n", "-", "_", ",", ".", "'", "’", "&", "(", "“", "×", "÷", "\t"]
_PIECES = [
    *_SEPARATORS,
    *("New York", "York", "New", "Yorkers", "Kyiv", "Paris", "Parisian", "La Paz", "Paz"),
    *("Red Cross", "Ministry", "European Commission", "Army", "Armyworm", "Council"),
    *("the", "The", "of", "for", "UN", "NATO", "ABCDEFG", "AB1", "GMT", "Müller", "Ärzte"),
    *("Österreich", "Þing", "said", "tariff", "tariffs", "Tariff", "harbour", "2024", "x"),
]


def _texts(pieces: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), max_size=40).map("".join)


#: the places of several words, the words they are made of, and some one-word places
_MANY_WORDS = sorted(p for p in lexicon().places if " " in p or "-" in p)
_PLACE_PIECES = [
    *_PIECES,
    *_MANY_WORDS,
    *sorted({w for p in _MANY_WORDS for w in re.split(r"[ -]", p)}),
    *sorted(lexicon().single_places)[:30],
]
#: the places as one alternation, longest first, as whole words not touching `[\w-]`
_LONGEST_FIRST = sorted(lexicon().places, key=lambda p: (-len(p), p))
_PLACES = re.compile(rf"(?<![\w-])(?:{'|'.join(map(re.escape, _LONGEST_FIRST))})(?![\w-])")


class TestEnrichPatterns:
    @settings(max_examples=400, deadline=None)
    @given(_texts(_PLACE_PIECES))
    def test_places_as_the_alternation(self, text: str) -> None:
        """The automaton finds the places one alternation of every place (longest first, whole
        words not touching `[\\w-]`) finds, in the same order."""
        assert enrich._known_places(text) == _PLACES.findall(text)

    @settings(max_examples=400, deadline=None)
    @given(_texts(_PIECES))
    def test_capitalised_and_acronyms_as_the_plain_patterns(self, text: str) -> None:
        """The patterns that open with a character class match what `\\b...\\b` matches."""
        plain_capitalised = re.compile(r"\b[A-Z\u00c0-\u00de][\w\u00c0-\u024f]{4,}\b")
        plain_acronym = re.compile(r"\b([A-Z]{2,6})\b")
        assert enrich._CAPITALISED.findall(text) == plain_capitalised.findall(text)
        assert enrich._ACRONYM.findall(text) == plain_acronym.findall(text)

    @settings(max_examples=400, deadline=None)
    @given(_texts(_PIECES))
    def test_organisations_found_in_their_span(self, text: str) -> None:
        """Organisation names are looked for only around their head words, and the same are
        found as over the whole text."""
        whole = [m.group(1) for m in enrich._ORG.finditer(text)]
        span = enrich._org_span(text)
        assert (
            (whole == [])
            if span is None
            else (whole == [m.group(1) for m in enrich._ORG.finditer(text, *span)])
        )

    @settings(max_examples=300, deadline=None)
    @given(_texts(_PIECES), st.sampled_from([None, "en", "de"]))
    def test_keywords_as_counted_word_by_word(self, text: str, language: str | None) -> None:
        """Keywords by frequency, then first appearance, as a count over every word gives; none
        of the words excluded, and no name or surname of the memory's people."""
        words = enrich._WORD.findall(text)
        exclude = {"tariffs", "paris"}
        names = {"harbour": ("harbour",), "muller": ("muller",)}
        stops = enrich._keyword_stops() | (
            enrich._language(language).stopwords if language else frozenset()
        )
        counts: Counter[str] = Counter()
        first: dict[str, int] = {}
        for i, token in enumerate(words):
            word = token.lower().replace("’", "'").strip("'-")
            folded = enrich.fold(word)
            if len(word) < 4 or word in stops or word.isdigit():
                continue
            if folded in exclude or folded in names or folded in enrich._never_keywords():
                continue
            counts[word] += 1
            first.setdefault(word, i)
        expected = sorted(counts, key=lambda w: (-counts[w], first[w]))[: enrich._MAX_KEYWORDS]
        assert enrich._keywords(words, exclude, names, language) == expected


class TestCleanInline:
    @settings(max_examples=400, deadline=None)
    @given(
        _texts(
            [
                *("#", "## ", "**", "__", "*", "_", "[", "]", "(", ")", "](", "a", "Bold"),
                *(" ", "  ", "\t", "\u00a0", "\u202f", "\n", "https://x.test/a"),
            ]
        )
    )
    def test_as_every_pattern_in_turn(self, text: str) -> None:
        """Running a pattern only where its marks are changes nothing."""
        expected = parse._HEADING.sub("", text)
        expected = parse._LINK.sub(r"\1", expected)
        expected = parse._EMPHASIS.sub(r"\2", expected)
        expected = parse._SPACES.sub(" ", expected).strip()
        assert clean_inline(text) == expected


class TestHtml:
    @settings(max_examples=400, deadline=None)
    @given(
        _texts(
            [
                *("<p>", "</p>", "<div>", "</div>", "<blockquote>", "text ", "<br>", "\n", "<"),
                *("<script>", "<SCRIPT>", "< script>", "<noscript>", "<Style>", "<form>"),
                *("<formula>", "<svg>", "<math>", "<iframe>", "<object>", "<embed>", "<button>"),
                *("<template>", "<isindex>", "<image>", "<keygen>", "<frameset>", "<frame>"),
            ]
        )
    )
    def test_nothing_to_drop_without_its_tag(self, html: str) -> None:
        """A tree has an element to drop only where the source opens a tag of its name."""
        if htmltext._DROP_OPENS.search(html) is None:
            assert LexborHTMLParser(html).css(htmltext._DROP) == []
