"""A parsed filter made ready for matching: its terms, its index keys and its evaluation.

`compile_filter` parses once and caches. A compiled filter knows which keys must be present in a
document for it to possibly match (`triggers`): the matcher looks only at filters whose keys the
document has, so the cost of matching does not grow with the number of subscriptions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter

from schemas.exceptions import FilterSyntaxError
from streams.alerts.filters.nodes import All, Any, Field, Node, Not, Term
from streams.alerts.filters.parser import parse

__all__ = ["CompiledFilter", "Occurrences", "View", "compile_filter", "language_key"]

#: term key -> (start, end) of each place it occurs, in the original text
Occurrences = Mapping[str, Sequence[tuple[int, int]]]

#: a compiled check of a filter on a whole view, given the term keys that occur
_Check = Callable[["View", Container[str]], bool]

#: the order of matches: by start, then end (ties keep the order of the filter's terms)
_PLACE = itemgetter(1, 2)

# how selective an index key is, lower is better: words first, kind: last
_RANK = {"w": 0, "p": 0, "speaker": 1, "blog": 2, "blog*": 3, "lang": 4, "kind": 5}


def language_key(language: str | None) -> str:
    """The primary subtag of a language code, lower case (`en-GB` -> `en`)."""
    return (language or "").lower().replace("_", "-").split("-")[0]


@dataclass(frozen=True, slots=True)
class View:
    """What one evaluation sees: a document, or one speaker's part of an entry."""

    kind: str
    blog_id: str
    language: str | None
    speakers: frozenset[str]
    spans: tuple[tuple[int, int], ...] | None = None  # None: the whole text

    def holds(self, occurrences: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
        """The occurrences that lie inside this view."""
        if self.spans is None:
            return list(occurrences)
        return [o for o in occurrences if any(s <= o[0] and o[1] <= e for s, e in self.spans)]


def _blog_regex(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else re.escape(c) for c in pattern), re.IGNORECASE)


def _field_key(node: Field) -> str:
    if node.name == "blog" and "*" in node.value:
        return "blog*:" + node.value.split("*", 1)[0]
    if node.name == "lang":
        return "lang:" + language_key(node.value)
    return f"{node.name}:{node.value}"


def _rank(keys: frozenset[str]) -> tuple[int, int, int]:
    """Lower is rarer: words before fields, fewer keys, then longer words (a rough proxy for
    how seldom a word occurs: `multilateralism` is rarer than `war`)."""
    return (
        max(_RANK[k.split(":", 1)[0]] for k in keys),
        len(keys),
        -min(len(k) for k in keys),
    )


def _triggers(node: Node) -> frozenset[str] | Not:
    """Keys one of which a matching document must have, or the NOT that makes it unbounded."""
    if isinstance(node, Term):
        return frozenset({node.key})
    if isinstance(node, Field):
        return frozenset({_field_key(node)})
    if isinstance(node, Not):
        return node
    if isinstance(node, All):
        options = [_triggers(c) for c in node.children]
        bounded = [o for o in options if isinstance(o, frozenset)]
        if not bounded:
            blocker = options[0]
            assert isinstance(blocker, Not)
            return blocker
        return min(bounded, key=_rank)
    keys: set[str] = set()
    for child in node.children:
        found = _triggers(child)
        if isinstance(found, Not):
            return found
        keys |= found
    return frozenset(keys)


def _terms(node: Node, negated: bool, out: dict[str, tuple[Term, bool]]) -> None:
    if isinstance(node, Term):
        positive = out.get(node.key, (node, False))[1] or not negated
        out[node.key] = (node, positive)
    elif isinstance(node, Not):
        _terms(node.child, not negated, out)
    elif isinstance(node, All | Any):
        for child in node.children:
            _terms(child, negated, out)


def _required(node: Node, keys: set[str]) -> None:
    """The index keys every match needs: those of the terms and fields ANDed at the top."""
    if isinstance(node, Term):
        keys.add(node.key)
    elif isinstance(node, Field):
        keys.add(_field_key(node))
    elif isinstance(node, All):
        for child in node.children:
            _required(child, keys)


def _uses_speaker(node: Node) -> bool:
    if isinstance(node, Field):
        return node.name == "speaker"
    if isinstance(node, Not):
        return _uses_speaker(node.child)
    if isinstance(node, All | Any):
        return any(_uses_speaker(c) for c in node.children)
    return False


class CompiledFilter:
    """One filter, parsed and checked, ready to be evaluated against views of documents."""

    __slots__ = (
        "_blogs",
        "_holds",
        "_labels",
        "expression",
        "positive",
        "required",
        "terms",
        "tree",
        "triggers",
        "uses_speaker",
    )

    def __init__(self, expression: str) -> None:
        self.expression = expression
        self.tree = parse(expression)
        found = _triggers(self.tree)
        if isinstance(found, Not):
            raise FilterSyntaxError(
                "a filter needs something it requires: an exclusion alone matches almost "
                "everything",
                position=found.pos,
                expression=expression,
            )
        self.triggers: frozenset[str] = found
        collected: dict[str, tuple[Term, bool]] = {}
        _terms(self.tree, False, collected)
        self.terms: dict[str, Term] = {key: term for key, (term, _) in collected.items()}
        self.positive: tuple[str, ...] = tuple(k for k, (_, pos) in collected.items() if pos)
        self.uses_speaker = _uses_speaker(self.tree)
        self._labels = tuple((key, str(self.terms[key])) for key in self.positive)
        required: set[str] = set()
        _required(self.tree, required)
        #: keys a document must have (its terms found, its kind, blog, language and speakers'
        #: names as `Matcher` lists them) for the filter to hold on any part of it
        self.required = frozenset(required)
        self._blogs: dict[str, re.Pattern[str]] = {}
        self._holds: _Check | None = None

    def __repr__(self) -> str:
        return f"CompiledFilter({self.expression!r})"

    def evaluate(self, view: View, occurrences: Occurrences) -> bool:
        """Whether the filter holds for `view`, given where each term occurs in the text."""
        return self._eval(self.tree, view, occurrences)

    def holds(self, view: View, present: Container[str]) -> bool:
        """`evaluate` for a view of the whole text (`view.spans` None), where a term holds when
        it occurs at all: `present` is the set of term keys that occur. Compiled to closures on
        first use, so the tree is not walked again."""
        check = self._holds
        if check is None:
            check = self._holds = self._closure(self.tree)
        return check(view, present)

    def _closure(self, node: Node) -> _Check:
        if isinstance(node, Term):
            key = node.key
            return lambda view, present: key in present
        if isinstance(node, Field):
            if node.name == "speaker":
                name = node.value
                return lambda view, present: name in view.speakers
            if node.name == "kind":
                kind = node.value
                return lambda view, present: view.kind == kind
            return lambda view, present: self._field(node, view)
        if isinstance(node, Not):
            inner = self._closure(node.child)
            return lambda view, present: not inner(view, present)
        parts = tuple(self._closure(c) for c in node.children)
        if len(parts) == 2:
            a, b = parts
            if isinstance(node, All):
                return lambda view, present: a(view, present) and b(view, present)
            return lambda view, present: a(view, present) or b(view, present)
        if isinstance(node, All):
            return lambda view, present: all(p(view, present) for p in parts)
        return lambda view, present: any(p(view, present) for p in parts)

    def possible(self, view: View, present: Container[str]) -> bool:
        """False when no part of the document can pass: no speaker's part of an entry whose
        whole text and speakers are `view` (terms that occur: `present`). An upper bound: each
        part has fewer occurrences and fewer speakers than the whole; kind, blog and language
        are the same."""
        return self._present(self.tree, view, present, upper=True, exact=False)

    def _present(
        self, node: Node, view: View, present: Container[str], *, upper: bool, exact: bool
    ) -> bool:
        # exact: the value on the whole view; else an upper (or, under NOT, a lower) bound of
        # the value on any part of it
        if isinstance(node, Term):
            return (exact or upper) and node.key in present
        if isinstance(node, Field):
            if node.name == "speaker" and not exact and not upper:
                return False
            return self._field(node, view)
        if isinstance(node, Not):
            return not self._present(node.child, view, present, upper=not upper, exact=exact)
        if isinstance(node, All):
            return all(
                self._present(c, view, present, upper=upper, exact=exact) for c in node.children
            )
        return any(self._present(c, view, present, upper=upper, exact=exact) for c in node.children)

    def matched(self, view: View, occurrences: Occurrences) -> list[tuple[str, int, int]]:
        """The (term, start, end) of every required term found inside `view`, in text order."""
        out: list[tuple[str, int, int]] = []
        for key, label in self._labels:
            found = occurrences.get(key)
            if found:
                if view.spans is not None:
                    found = view.holds(found)
                out.extend((label, start, end) for start, end in found)
        if len(out) > 1:
            out.sort(key=_PLACE)
        return out

    def _eval(self, node: Node, view: View, occ: Occurrences) -> bool:
        if isinstance(node, Term):
            found = occ.get(node.key)
            return found is not None and bool(found) and bool(view.holds(found))
        if isinstance(node, Field):
            return self._field(node, view)
        if isinstance(node, Not):
            return not self._eval(node.child, view, occ)
        if isinstance(node, All):
            return all(self._eval(c, view, occ) for c in node.children)
        return any(self._eval(c, view, occ) for c in node.children)

    def _field(self, node: Field, view: View) -> bool:
        if node.name == "speaker":
            return node.value in view.speakers
        if node.name == "kind":
            return view.kind == node.value
        if node.name == "lang":
            lang = (view.language or "").lower().replace("_", "-")
            if "-" in node.value:
                return lang == node.value or lang.startswith(node.value + "-")
            return language_key(lang) == node.value
        if "*" not in node.value:
            return view.blog_id.lower() == node.value
        pattern = self._blogs.get(node.value)
        if pattern is None:
            pattern = self._blogs[node.value] = _blog_regex(node.value)
        return pattern.fullmatch(view.blog_id) is not None


@lru_cache(maxsize=16384)
def compile_filter(expression: str) -> CompiledFilter:
    """The compiled filter of `expression` (cached: each expression is parsed once)."""
    return CompiledFilter(expression)
