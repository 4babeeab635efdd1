"""The plain evaluation the matcher must agree with: every subscription on every document.

No automaton, no word sets, no index of keys, no shortcut: each document's text is folded with
`fold_text`, each form of each term is searched for with `str.find`, and every filter's parsed
tree is walked here (not by `CompiledFilter`) on the quote, or on each voice of the entry (those
it carries, else worked out here), as `streams.alerts.matching` describes.
Slow on purpose (its cost grows with the subscriptions); the tests and `python -m bench match`
compare the matcher's hits with these.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from schemas.events import EnrichedEntry, SpeakerRef, Subscription
from streams.alerts.directory import SpeakerDirectory
from streams.alerts.filters.compiled import CompiledFilter, View, compile_filter
from streams.alerts.filters.nodes import All, Any, Field, Node, Not, Term
from streams.alerts.matching import MAX_MATCHES, Document, Matcher
from streams.attribution.voices import voices
from streams.core.text import fold_text, term_forms

__all__ = ["HitKey", "reference_hits"]

#: what a hit is compared by: subscription, kind, quote id, speaker id, (term, start, end)...
HitKey = tuple[str, str, str | None, str | None, tuple[tuple[str, int, int], ...]]


def _occurrences(text: str, filters: Iterable[CompiledFilter]) -> dict[str, list[tuple[int, int]]]:
    folds = [fold_text(text, join_hyphens=False), fold_text(text, join_hyphens=True)]
    found: dict[str, set[tuple[int, int]]] = {}
    for compiled in filters:
        for key, term in compiled.terms.items():
            for form in term_forms(term.text, phrase=term.phrase):
                for folded in folds:
                    at = folded.text.find(form)
                    while at >= 0:
                        if folded.bounded(at, at + len(form)):
                            found.setdefault(key, set()).add(folded.span(at, at + len(form)))
                        at = folded.text.find(form, at + 1)
    return {key: sorted(spans) for key, spans in found.items()}


def _inside(view: View, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    if view.spans is None:
        return spans
    return [(s, e) for s, e in spans if any(a <= s and e <= b for a, b in view.spans)]


def _field(node: Field, view: View) -> bool:
    if node.name == "speaker":
        return node.value in view.speakers
    if node.name == "kind":
        return view.kind == node.value
    if node.name == "lang":
        lang = (view.language or "").lower().replace("_", "-")
        if "-" in node.value:
            return lang == node.value or lang.startswith(node.value + "-")
        return lang.split("-")[0] == node.value
    pattern = "".join(".*" if c == "*" else re.escape(c) for c in node.value)
    return re.fullmatch(pattern, view.blog_id, re.IGNORECASE) is not None


def _holds(node: Node, view: View, occ: dict[str, list[tuple[int, int]]]) -> bool:
    if isinstance(node, Term):
        return bool(_inside(view, occ.get(node.key, [])))
    if isinstance(node, Field):
        return _field(node, view)
    if isinstance(node, Not):
        return not _holds(node.child, view, occ)
    if isinstance(node, All):
        return all(_holds(c, view, occ) for c in node.children)
    return any(_holds(c, view, occ) for c in node.children)


def _positive(node: Node, negated: bool, out: dict[str, tuple[str, bool]]) -> None:
    """Each term key with its label, and whether it occurs outside an exclusion."""
    if isinstance(node, Term):
        label = f'"{node.text}"' if node.phrase else node.text
        # the last term with a key gives its label, as in the compiled filter
        out[node.key] = (label, out.get(node.key, ("", False))[1] or not negated)
    elif isinstance(node, Not):
        _positive(node.child, not negated, out)
    elif isinstance(node, All | Any):
        for child in node.children:
            _positive(child, negated, out)


def _matched(
    node: Node, view: View, occ: dict[str, list[tuple[int, int]]]
) -> tuple[tuple[str, int, int], ...]:
    terms: dict[str, tuple[str, bool]] = {}
    _positive(node, False, terms)
    found = [
        (label, s, e)
        for key, (label, positive) in terms.items()
        if positive
        for s, e in _inside(view, occ.get(key, []))
    ]
    found.sort(key=lambda m: (m[1], m[2]))
    return tuple(found[:MAX_MATCHES])


def _hits(
    doc: Document,
    subs: list[Subscription],
    views_of_entry: list[tuple[SpeakerRef | None, View]] | None,
) -> list[HitKey]:
    filters = {sub.id: compile_filter(sub.filter) for sub in subs}
    occ = _occurrences(doc.text, filters.values())
    every = frozenset(k for names in doc.names.values() for k in names)
    whole = View(doc.kind, doc.blog_id, doc.language, every)
    lone = doc.speakers[0] if len(doc.speakers) == 1 else None
    out: list[HitKey] = []
    for sub in sorted(subs, key=lambda s: s.id):
        compiled = filters[sub.id]
        views = [(lone, whole)]
        if compiled.uses_speaker and views_of_entry is not None:
            views = views_of_entry
        for speaker, view in views:
            if _holds(compiled.tree, view, occ):
                found = _matched(compiled.tree, view, occ)
                out.append((sub.id, doc.kind, doc.quote_id, speaker.id if speaker else None, found))
                break
    return out


def reference_hits(
    subscriptions: Iterable[Subscription],
    entry: EnrichedEntry,
    directory: SpeakerDirectory | None = None,
) -> list[HitKey]:
    """The hits `Matcher.match_entry` must give for `entry`, found the plain way."""
    subs = list(subscriptions)
    directory = directory or SpeakerDirectory()
    docs = Matcher(directory=directory)  # only its document builders
    out: list[HitKey] = []
    for quote in entry.quotes:
        out.extend(_hits(docs.quote_document(quote, entry.language), subs, None))
    by_quote = {hit[0] for hit in out}
    doc = docs.entry_document(entry)
    views = [
        (
            v.speaker,
            View(
                doc.kind,
                doc.blog_id,
                doc.language,
                doc.names.get(v.speaker.id, frozenset()) if v.speaker else frozenset(),
                v.spans,
            ),
        )
        for v in (entry.voices if entry.voices is not None else voices(entry, directory))
    ]
    out.extend(hit for hit in _hits(doc, subs, views) if hit[0] not in by_quote)
    return out
