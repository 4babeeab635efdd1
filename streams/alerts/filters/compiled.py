"""A parsed filter made ready for matching: its terms, its index keys and its evaluation.

`compile_filter` parses once and caches. A compiled filter knows which keys must be present in a
document for it to possibly match (`triggers`) and, as the matcher lists a document's atoms (its
words, the keys of terms found otherwise, its field keys), the atoms one of each set of which it
needs (`needs`): the matcher looks only at filters whose needs the document has, so the cost of
matching does not grow with the number of subscriptions. A filter that is no more than its needs
(`exact`) then holds; the others are checked by a function made once from the tree.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from functools import lru_cache, partial
from operator import itemgetter
from typing import NamedTuple

from schemas.exceptions import FilterSyntaxError
from streams.alerts.filters.nodes import All, Any, Field, Node, Not, Term
from streams.alerts.filters.parser import parse
from streams.core.text import is_word_char, term_forms

__all__ = [
    "CompiledFilter",
    "Occurrences",
    "View",
    "compile_filter",
    "language_key",
    "term_atoms",
]

#: term key -> (start, end) of each place it occurs, in the original text
Occurrences = Mapping[str, Sequence[tuple[int, int]]]

#: a compiled check of a filter on a whole view, given the atoms the document has
_Check = Callable[["View", AbstractSet[str]], bool]
#: a compiled check of a filter on a view, given where each term occurs
_Eval = Callable[["View", Occurrences], bool]

#: the order of matches: by start, then end (ties keep the order of the filter's terms)
_PLACE = itemgetter(1, 2)

# how selective an index key is, lower is better: words first, kind: last
_RANK = {"w": 0, "p": 0, "speaker": 1, "blog": 2, "blog*": 3, "lang": 4, "kind": 5}


def language_key(language: str | None) -> str:
    """The primary subtag of a language code, lower case (`en-GB` -> `en`)."""
    return (language or "").lower().replace("_", "-").split("-")[0]


class View(NamedTuple):
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

    def has(self, occurrences: Sequence[tuple[int, int]]) -> bool:
        """Whether one of the occurrences lies inside this view."""
        if self.spans is None:
            return bool(occurrences)
        spans = self.spans
        return any(s <= a and b <= e for a, b in occurrences for s, e in spans)


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


def term_atoms(term: Term, forms: frozenset[str] | None = None) -> frozenset[str]:
    """What a document has when it has `term` (whose `forms` are `term_forms`), as the matcher
    lists a document's atoms: one of the term's word forms among its words, or, for a term with
    other forms (phrases, `u.n.`), the term's key, found in its text by the automaton."""
    if forms is None:
        forms = term_forms(term.text, phrase=term.phrase)
    atoms: set[str] = set()
    for form in forms:
        if form and all(is_word_char(c) for c in form):
            atoms.add(form)
        else:
            atoms.add(term.key)
    return frozenset(atoms)


def _needs(node: Node, atoms: dict[str, frozenset[str]], out: set[frozenset[str]]) -> None:
    """The atoms one of each set of which every match needs: those of each term and field ANDed
    at the top, and of each OR of terms alone ANDed at the top."""
    if isinstance(node, Term):
        out.add(atoms[node.key])
    elif isinstance(node, Field):
        out.add(frozenset({_field_key(node)}))
    elif isinstance(node, All):
        for child in node.children:
            _needs(child, atoms, out)
    elif isinstance(node, Any) and all(isinstance(c, Term) for c in node.children):
        out.add(frozenset().union(*(atoms[c.key] for c in node.children if isinstance(c, Term))))


def _exact(node: Node) -> bool:
    """Whether the filter holds on a whole document exactly when the document has one atom of
    each of its `needs`: terms, ORs of terms and fields ANDed, each field one whose key says it
    all (`blog:` without `*`, `lang:` without a region, `kind:`, `speaker:`)."""
    if isinstance(node, Term):
        return True
    if isinstance(node, Any):
        return all(isinstance(c, Term) for c in node.children)
    if isinstance(node, Field):
        if node.name == "blog":
            return "*" not in node.value
        if node.name == "lang":
            return "-" not in node.value
        return True
    if isinstance(node, All):
        return all(_exact(c) for c in node.children)
    return False


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
        "_eval_check",
        "_holds",
        "_possible",
        "atoms",
        "exact",
        "expression",
        "forms",
        "labels",
        "needs",
        "positive",
        "required",
        "terms",
        "tree",
        "trigger_atoms",
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
        #: (key, label) of each term a match reports: those that occur outside an exclusion
        self.labels = tuple((key, str(self.terms[key])) for key in self.positive)
        required: set[str] = set()
        _required(self.tree, required)
        #: keys a document must have (its terms found, its kind, blog, language and speakers'
        #: names as `Matcher` lists them) for the filter to hold on any part of it
        self.required = frozenset(required)
        #: `holds` on a whole document is then just: the document has every required key
        self.exact = _exact(self.tree)
        #: each key (of a term, or a field's) -> the atoms one of which gives it
        #: each term key -> the folded forms it matches (`term_forms`)
        self.forms = {
            key: term_forms(term.text, phrase=term.phrase) for key, term in self.terms.items()
        }
        atoms = {key: term_atoms(term, self.forms[key]) for key, term in self.terms.items()}
        for key in required:
            atoms.setdefault(key, frozenset({key}))
        for key in found:
            atoms.setdefault(key, frozenset({key}))
        self.atoms = atoms
        needs: set[frozenset[str]] = set()
        _needs(self.tree, atoms, needs)
        #: the atoms a document has (its words, the keys of terms found otherwise, its field
        #: keys) hold one of each of these sets whenever the filter holds on any part of it
        self.needs = frozenset(needs)
        #: the atoms of the triggers: a matching document has one of them
        self.trigger_atoms = frozenset().union(*(atoms[key] for key in found))
        self._blogs: dict[str, re.Pattern[str]] = {}
        self._holds: _Check | None = None
        self._possible: _Check | None = None
        self._eval_check: _Eval | None = None

    def __repr__(self) -> str:
        return f"CompiledFilter({self.expression!r})"

    def evaluate(self, view: View, occurrences: Occurrences) -> bool:
        """Whether the filter holds for `view`, given where each term occurs in the text."""
        check = self._eval_check
        if check is None:
            check = self._eval_check = _Source(self).function("occ", self.tree, mode="spans")
        return check(view, occurrences)

    def holds(self, view: View, have: AbstractSet[str]) -> bool:
        """`evaluate` for a view of the whole text (`view.spans` None), where a term holds when
        it occurs at all: `have` holds the document's atoms (`term_atoms`: its words, the keys of
        the terms found otherwise; its field keys may be there too)."""
        check = self._holds
        if check is None:
            check = self._holds = _Source(self).function("have", self.tree, mode="whole")
        return check(view, have)

    def possible(self, view: View, have: AbstractSet[str]) -> bool:
        """False when no part of the document can pass: no speaker's part of an entry whose
        whole text and speakers are `view` (its atoms: `have`). An upper bound: each part has
        fewer occurrences and fewer speakers than the whole; kind, blog and language are the
        same."""
        check = self._possible
        if check is None:
            check = self._possible = _Source(self).function("have", self.tree, mode="upper")
        return check(view, have)

    def matched(self, view: View, occurrences: Occurrences) -> list[tuple[str, int, int]]:
        """The (term, start, end) of every required term found inside `view`, in text order."""
        out: list[tuple[str, int, int]] = []
        for key, label in self.labels:
            found = occurrences.get(key)
            if found:
                if view.spans is not None:
                    found = view.holds(found)
                out.extend((label, start, end) for start, end in found)
        if len(out) > 1:
            out.sort(key=_PLACE)
        return out

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


class _Source:
    """A filter's tree as the source of one Python function, so that a check is one call with
    no tree to walk and no closure per node. Only names go into the source: each value (atoms,
    names, field checks) is a constant of the function's namespace, never text of the filter.

    Modes: `whole`, the value on a whole document, a term holding when one of its atoms is in
    `have`; `upper` (and `lower`, under NOT), a bound of the value on any part of it (a speaker's
    part has fewer terms and fewer speakers); `spans`, the value on `view`, a term holding when
    one of its places (`occ`) lies inside the view.
    """

    def __init__(self, compiled: CompiledFilter) -> None:
        self.compiled = compiled
        self.constants: dict[str, object] = {}

    def const(self, value: object) -> str:
        name = f"c{len(self.constants)}"
        self.constants[name] = value
        return name

    def function(self, arg: str, tree: Node, *, mode: str) -> Callable[..., bool]:
        body = self.expr(tree, mode)
        namespace = {"__builtins__": {}, **self.constants}
        made = eval(f"lambda view, {arg}: {body}", namespace)
        return made  # type: ignore[no-any-return]

    def expr(self, node: Node, mode: str) -> str:
        if isinstance(node, Term):
            if mode == "lower":
                return "False"
            if mode == "spans":
                return f"view.has(occ.get({self.const(node.key)}) or ())"
            atoms = self.compiled.atoms[node.key]
            if len(atoms) == 1:
                return f"({self.const(next(iter(atoms)))} in have)"
            return f"(not {self.const(atoms)}.isdisjoint(have))"
        if isinstance(node, Field):
            if node.name == "speaker":
                if mode == "lower":
                    return "False"
                return f"({self.const(node.value)} in view.speakers)"
            if node.name == "kind":
                return f"(view.kind == {self.const(node.value)})"
            check = self.const(partial(self.compiled._field, node))
            return f"{check}(view)"
        if isinstance(node, Not):
            flipped = {"upper": "lower", "lower": "upper"}.get(mode, mode)
            return f"(not {self.expr(node.child, flipped)})"
        joint = " and " if isinstance(node, All) else " or "
        return "(" + joint.join(self.expr(c, mode) for c in node.children) + ")"


@lru_cache(maxsize=16384)
def compile_filter(expression: str) -> CompiledFilter:
    """The compiled filter of `expression` (cached: each expression is parsed once)."""
    return CompiledFilter(expression)
