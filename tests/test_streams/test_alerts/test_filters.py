"""The filter language: parsing, errors at their position, text folding and evaluation."""

from __future__ import annotations

import pytest

from schemas.exceptions import FilterSyntaxError
from streams.alerts.filters import (
    All,
    Any,
    Field,
    Not,
    Term,
    View,
    compile_filter,
    parse,
    term_forms,
)
from streams.core.text import fold_text


def _view(**kw: object) -> View:
    base: dict[str, object] = {
        "kind": "quote",
        "blog_id": "city-news-live",
        "language": "en",
        "speakers": frozenset(),
    }
    base.update(kw)
    return View(**base)  # type: ignore[arg-type]


class TestParse:
    def test_words_and_by_default(self) -> None:
        """Words side by side must all hold."""
        assert parse("budget vote") == All((Term("budget", False, 0), Term("vote", False, 7)))

    def test_or_binds_looser_than_and(self) -> None:
        """`a b OR c` is (a AND b) OR c."""
        tree = parse("a b OR c")
        assert isinstance(tree, Any)
        assert isinstance(tree.children[0], All)

    def test_fields_phrases_and_negation(self) -> None:
        """Fields, quoted phrases, `-` and NOT parse to their nodes."""
        tree = parse('speaker:"Maria Okafor" -"rent cap" NOT kind:entry')
        assert tree == All(
            (
                Field("speaker", "maria okafor", 0),
                Not(Term("rent cap", True, 24), 23),
                Not(Field("kind", "entry", 39), 35),
            )
        )

    @pytest.mark.parametrize(
        "expression",
        [
            "speaker:okafor (rent OR housing)",
            "blog:city-* lang:en-GB",
            '"exact words" AND other',
            "U.N. protesters' cease-fire AT&T",
            "(a OR (b OR (c -d)))",
        ],
    )
    def test_valid(self, expression: str) -> None:
        """Valid filters parse and compile."""
        assert compile_filter(expression).expression == expression

    @pytest.mark.parametrize(
        ("expression", "position", "message"),
        [
            ("", 0, "empty filter"),
            ("   ", 0, "empty filter"),
            ("(rent", 0, "unclosed '('"),
            ("rent)", 4, "without a matching '('"),
            ("OR rent", 0, "OR needs a term on its left"),
            ("rent OR", 7, "OR needs a term on its right"),
            ("rent OR OR cap", 8, "OR needs a term on its right"),
            ("rent AND", 8, "AND needs a term on its right"),
            ("()", 1, "a term is missing before ')'"),
            ("rent - cap", 5, "'-' must stand right before"),
            ("--rent", 0, "'-' must stand right before"),
            ('"rent cap', 0, "unterminated phrase"),
            ('rent ""', 5, "empty phrase"),
            ("colour:red", 0, "unknown field 'colour'"),
            ("speaker:", 8, "speaker: needs a value"),
            ("rent kind:speech", 10, "kind: is quote or entry"),
            ("lang:english", 5, "lang: takes a language code"),
            ("re!nt", 2, "unexpected character '!'"),
            ("rent, cap", 4, "unexpected character ','"),
            ("-rent", 0, "needs something it requires"),
            ("housing OR -rent", 11, "needs something it requires"),
            ("NOT", 3, "nothing to exclude after NOT"),
            ("(" * 17 + "a" + ")" * 17, 16, "nested deeper"),
        ],
    )
    def test_errors_point_at_the_fault(self, expression: str, position: int, message: str) -> None:
        """A bad filter raises FilterSyntaxError with the offset of what is wrong."""
        with pytest.raises(FilterSyntaxError) as info:
            compile_filter(expression)
        assert info.value.position == position
        assert message in str(info.value)

    def test_error_text_draws_a_caret(self) -> None:
        """The error message shows the filter and a caret under the fault."""
        with pytest.raises(FilterSyntaxError) as info:
            parse("rent kind:speech")
        assert str(info.value).splitlines()[-1] == "  " + " " * 10 + "^"

    def test_bounds(self) -> None:
        """Too long a filter, or too many terms, is refused."""
        with pytest.raises(FilterSyntaxError, match="longer than"):
            parse("a " * 2001)
        with pytest.raises(FilterSyntaxError, match="more than 64 terms"):
            parse(" ".join(f"w{i}" for i in range(65)))


class TestText:
    @pytest.mark.parametrize(
        ("term", "forms"),
        [
            ("ceasefire", {"ceasefire", "ceasefires"}),
            ("Ceasefires", {"ceasefire", "ceasefires"}),
            ("cease-fire", {"ceasefire", "ceasefires"}),
            ("policy", {"policy", "policies"}),
            ("veto", {"veto", "vetoes", "vetos"}),
            ("crisis", {"crisis", "crisises"}),
        ],
    )
    def test_word_forms(self, term: str, forms: set[str]) -> None:
        """A word matches its simple plural and singular, written with or without a hyphen."""
        assert term_forms(term, phrase=False) == forms

    def test_phrase_forms(self) -> None:
        """A phrase matches itself, and a two-word phrase also as one word."""
        assert term_forms("Cease  Fire", phrase=True) == {"cease fire", "ceasefire"}

    def test_fold_keeps_offsets(self) -> None:
        """Folding lowers case, drops accents and maps each character back to the original."""
        folded = fold_text("Zoë’s  Cease-fire", join_hyphens=True)
        assert folded.text == "zoe's ceasefire"
        start = folded.text.index("ceasefire")
        assert folded.span(start, start + 9) == (7, 17)


class TestEvaluate:
    @pytest.mark.parametrize(
        ("expression", "view", "expected"),
        [
            ("speaker:okafor", {"speakers": frozenset({"okafor", "maria okafor"})}, True),
            ("speaker:okafor", {"speakers": frozenset({"bello"})}, False),
            ("blog:city-*", {}, True),
            ("blog:town-*", {}, False),
            ("blog:city-news-live", {}, True),
            ("kind:quote", {}, True),
            ("kind:entry", {}, False),
            ("lang:en", {"language": "en-GB"}, True),
            ("lang:en-gb", {"language": "en-GB"}, True),
            ("lang:en-us", {"language": "en-GB"}, False),
            ("lang:de", {}, False),
            ("kind:quote -speaker:bello", {"speakers": frozenset({"okafor"})}, True),
        ],
    )
    def test_fields(self, expression: str, view: dict[str, object], expected: bool) -> None:
        """Fields compare with the document's speaker names, blog, kind and language."""
        assert compile_filter(expression).evaluate(_view(**view), {}) is expected

    def test_terms_inside_view_spans_only(self) -> None:
        """A view limited to spans sees only the occurrences inside them."""
        compiled = compile_filter("rent")
        occ = {"w:rent": [(50, 54)]}
        assert compiled.evaluate(_view(), occ)
        assert not compiled.evaluate(_view(spans=((0, 40),)), occ)
        assert compiled.matched(_view(spans=((40, 60),)), occ) == [("rent", 50, 54)]

    def test_triggers_prefer_words(self) -> None:
        """The index key of an AND is its most selective part."""
        assert compile_filter("kind:quote speaker:okafor rent").triggers == {"w:rent"}
        assert compile_filter("kind:quote speaker:okafor").triggers == {"speaker:okafor"}
        assert compile_filter("rent OR kind:entry").triggers == {"w:rent", "kind:entry"}

    def test_needs_and_exact(self) -> None:
        """What a document must have, in atoms (word forms, keys of phrases, field keys): each
        term, OR of terms and field ANDed at the top; a filter that is no more than that holds
        whenever a document has them, one with an exclusion or a region is checked."""
        council = frozenset({"council", "councils"})
        veto_or_truce = frozenset({"veto", "vetoes", "vetos", "truce", "truces"})
        compiled = compile_filter("(veto OR truce) council kind:quote")
        assert compiled.needs == {council, veto_or_truce, frozenset({"kind:quote"})}
        assert compiled.exact
        assert compile_filter('"security council"').needs == {
            frozenset({"p:security council", "securitycouncil"})
        }
        assert not compile_filter("council -veto").exact
        assert not compile_filter("council lang:en-gb").exact
        assert not compile_filter("council blog:city-*").exact
        assert compile_filter("(council OR kind:entry) veto").needs == {
            frozenset({"veto", "vetoes", "vetos"})
        }
