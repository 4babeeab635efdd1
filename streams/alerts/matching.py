"""Matching quotes and entries against every subscription at once.

A document's text is folded once (`streams.core.text.fold_text`) and its words taken as a set:
every word form of every subscription's terms that is in the set occurs, as a whole word; the
other forms (phrases, `u.n.`) are found by one Aho-Corasick automaton (pyahocorasick). Offsets
are looked up only for the terms of the subscriptions that are evaluated. Each subscription is
indexed under the keys one of which a document must have for it to match (`triggers`: its rarest
term, or a `speaker:`, `blog:`, `lang:`, `kind:` value); of those candidates, only the ones whose
document has every key they need (`required`) are evaluated, by checks compiled once. The cost
of a document is its length plus the subscriptions it could match, not the number of
subscriptions.

A quote is matched as itself (its text, its speaker). An entry is matched as a whole; a filter
with `speaker:` is evaluated on each speaker's own part of it (its voices, which the entry
carries: `EnrichedEntry.voices`), so `speaker:X veto` needs X to speak of the veto, not only to
appear in an entry that mentions it. The voices of an older record, which has none, are
computed (`streams.attribution.voices`) only when such a filter could hold on some part of the
entry (an upper bound on the whole entry, `CompiledFilter.possible`). An entry that matched a
subscription through one of its quotes gives no second hit for it.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Literal

import ahocorasick

from schemas.events import Alert, EnrichedEntry, Match, Quote, SpeakerRef, Subscription
from streams.alerts.directory import SpeakerDirectory
from streams.alerts.filters.compiled import CompiledFilter, View, compile_filter, language_key
from streams.alerts.scan import has_join, is_plain_word, word_spans, words
from streams.attribution.voices import Voice, entry_text, voices
from streams.core.text import fold_text, term_forms

__all__ = ["MAX_MATCHES", "Document", "Hit", "Matcher", "record_filter"]

#: matches kept per hit; a text that repeats a term a thousand times does not make a huge alert
MAX_MATCHES = 32
#: (kind, blog, language) whose index keys and subscriptions are kept ready
_MAX_PLACES = 10_000


@dataclass(frozen=True, slots=True)
class Document:
    """A quote or an entry as the matcher sees it."""

    kind: Literal["quote", "entry"]
    blog_id: str
    entry_id: str
    quote_id: str | None
    language: str | None
    text: str
    published_at: datetime | None
    speakers: tuple[SpeakerRef, ...]
    #: speaker id -> the folded names `speaker:` compares with
    names: dict[str, frozenset[str]] = field(default_factory=dict)

    def ref_id(self) -> str:
        return self.quote_id if self.quote_id is not None else self.entry_id


@dataclass(frozen=True, slots=True)
class Hit:
    """A subscription matched a document: the terms found and where."""

    subscription_id: str
    document: Document
    speaker: SpeakerRef | None
    matches: tuple[Match, ...]


@dataclass(frozen=True, slots=True)
class _Tables:
    """The forms of every term: words by a dict, the rest (phrases, `u.n.`) by an automaton."""

    plain: dict[str, frozenset[str]]  # word form -> term keys
    automaton: ahocorasick.Automaton | None
    plain_forms: frozenset[str] = field(init=False)
    #: term key -> its word forms
    key_forms: dict[str, tuple[str, ...]] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "plain_forms", frozenset(self.plain))
        key_forms: dict[str, list[str]] = {}
        for form, keys in self.plain.items():
            for key in keys:
                key_forms.setdefault(key, []).append(form)
        object.__setattr__(self, "key_forms", {k: tuple(v) for k, v in key_forms.items()})


class _Scan(Mapping[str, Sequence[tuple[int, int]]]):
    """A text scanned for the subscriptions' terms: `found` holds the term keys that occur, and
    the mapping gives each key's original (start, end) offsets, found on first use."""

    __slots__ = ("_done", "_folds", "_matches", "_other", "_present", "_tables", "found")

    def __init__(self, tables: _Tables, text: str) -> None:
        folds = [fold_text(text, join_hyphens=False)]
        if has_join(text):
            folds.append(fold_text(text, join_hyphens=True))
        self._folds = folds
        seen = words(folds[0].text)
        if len(folds) > 1:
            seen |= words(folds[1].text)
        present = seen & tables.plain_forms
        found: set[str] = set().union(*map(tables.plain.__getitem__, present))
        other: dict[str, set[tuple[int, int]]] = {}
        if tables.automaton is not None:
            for folded in folds:
                for end, (length, keys) in tables.automaton.iter(folded.text):
                    start = end - length + 1
                    if not folded.bounded(start, end + 1):
                        continue
                    span = folded.span(start, end + 1)
                    for key in keys:
                        other.setdefault(key, set()).add(span)
        self._tables = tables
        self._present = present
        self._other = other
        self._done: dict[str, list[tuple[int, int]]] = {}
        self._matches: dict[tuple[str, int, int], Match] = {}
        found.update(other)
        self.found = found

    def get(self, key: str, default: object = None) -> Sequence[tuple[int, int]] | None:  # type: ignore[override]
        done = self._done.get(key)
        if done is not None:
            return done
        if key not in self.found:
            return default  # type: ignore[return-value]
        spans = set(self._other.get(key, ()))
        for form in self._tables.key_forms.get(key, ()):
            if form in self._present:
                for folded in self._folds:
                    spans.update(word_spans(folded, form))
        done = self._done[key] = sorted(spans)
        return done

    def match(self, term: str, start: int, end: int) -> Match:
        """The `Match` of a term at a place (one instance however many hits share it)."""
        made = self._matches.get((term, start, end))
        if made is None:
            made = self._matches[term, start, end] = Match(term=term, start=start, end=end)
        return made

    def __getitem__(self, key: str) -> Sequence[tuple[int, int]]:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self.found)

    def __len__(self) -> int:
        return len(self.found)


class Matcher:
    """All subscriptions, compiled, with one automaton over their terms and an index of keys."""

    def __init__(
        self,
        subscriptions: Iterable[Subscription] = (),
        *,
        directory: SpeakerDirectory | None = None,
    ) -> None:
        self.directory = directory or SpeakerDirectory()
        self._filters: dict[str, CompiledFilter] = {}
        self._subs: dict[str, Subscription] = {}
        #: index key -> {id: the keys that subscription requires} of the subscriptions under it
        self._index: dict[str, dict[str, frozenset[str]]] = {}
        self._tables: _Tables | None = None
        self._place_ids: dict[
            tuple[str, str, str | None], tuple[frozenset[str], dict[str, frozenset[str]]]
        ] = {}
        for sub in subscriptions:
            self.add(sub)

    # subscriptions -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._subs)

    def __contains__(self, subscription_id: object) -> bool:
        return subscription_id in self._subs

    def subscriptions(self) -> list[Subscription]:
        return list(self._subs.values())

    def get(self, subscription_id: str) -> Subscription | None:
        return self._subs.get(subscription_id)

    def add(self, subscription: Subscription) -> None:
        """Add or replace a subscription; its filter is compiled here (FilterSyntaxError)."""
        compiled = compile_filter(subscription.filter)
        self.remove(subscription.id)
        self._subs[subscription.id] = subscription
        self._filters[subscription.id] = compiled
        for key in compiled.triggers:
            self._index.setdefault(key, {})[subscription.id] = compiled.required
        self._tables = None
        self._place_ids.clear()

    def remove(self, subscription_id: str) -> bool:
        """Forget a subscription; whether there was one."""
        compiled = self._filters.pop(subscription_id, None)
        self._subs.pop(subscription_id, None)
        if compiled is None:
            return False
        for key in compiled.triggers:
            ids = self._index.get(key)
            if ids is not None:
                ids.pop(subscription_id, None)
                if not ids:
                    del self._index[key]
        self._tables = None
        self._place_ids.clear()
        return True

    def _build(self) -> _Tables:
        if self._tables is not None:
            return self._tables
        plain: dict[str, set[str]] = {}
        other: dict[str, set[str]] = {}
        for compiled in self._filters.values():
            for key, term in compiled.terms.items():
                for form in term_forms(term.text, phrase=term.phrase):
                    into = plain if is_plain_word(form) else other
                    into.setdefault(form, set()).add(key)
        automaton: ahocorasick.Automaton | None = None
        if other:
            automaton = ahocorasick.Automaton()
            for form, keys in other.items():
                automaton.add_word(form, (len(form), tuple(sorted(keys))))
            automaton.make_automaton()
        self._tables = _Tables({form: frozenset(keys) for form, keys in plain.items()}, automaton)
        return self._tables

    # documents -----------------------------------------------------------------------------------

    def scan(self, text: str) -> _Scan:
        """Which term keys of the subscriptions occur in `text` (their offsets on demand)."""
        return _Scan(self._build(), text)

    def occurrences(self, text: str) -> dict[str, list[tuple[int, int]]]:
        """Every term key of every subscription found in `text`, with original offsets."""
        scan = self.scan(text)
        return {key: list(scan[key]) for key in scan.found}

    def _places(self, doc: Document) -> tuple[frozenset[str], dict[str, frozenset[str]]]:
        """The keys of a document's kind, blog and language, and the subscriptions indexed
        under them (kept per kind, blog and language until the subscriptions change)."""
        lang = language_key(doc.language) if doc.language else None
        slot = (doc.kind, doc.blog_id, lang)
        cached = self._place_ids.get(slot)
        if cached is None:
            blog = doc.blog_id.lower()
            keys = {f"kind:{doc.kind}", f"blog:{blog}"}
            keys.update(f"blog*:{blog[:i]}" for i in range(len(blog) + 1))
            if lang is not None:
                keys.add(f"lang:{lang}")
            under: dict[str, frozenset[str]] = {}
            for key in keys:
                under.update(self._index.get(key, {}))
            cached = (frozenset(keys), under)
            if len(self._place_ids) < _MAX_PLACES:
                self._place_ids[slot] = cached
        return cached

    def _field_keys(self, doc: Document) -> list[str]:
        keys = list(self._places(doc)[0])
        for names in doc.names.values():
            keys.extend(f"speaker:{name}" for name in names)
        return keys

    def candidates(self, doc: Document, occurrences: Iterable[str]) -> set[str]:
        """Ids of the subscriptions that have one of the document's keys (the term keys found
        in its text: `occurrences`, and its kind, blog, language and speakers)."""
        return self._lookup((*occurrences, *self._field_keys(doc)))

    def _lookup(self, keys: Iterable[str]) -> set[str]:
        index = self._index
        out: set[str] = set()
        for key in keys:
            ids = index.get(key)
            if ids:
                out.update(ids)
        return out

    def match(
        self,
        doc: Document,
        speaker_voices: Callable[[], tuple[Voice, ...]] | None = None,
        *,
        skip: Container[str] = (),
    ) -> list[Hit]:
        """The hits of one document; `speaker_voices` gives an entry's voices when needed, and
        the subscriptions in `skip` are not looked at."""
        if not self._subs:
            return []
        scan = self.scan(doc.text)
        present = scan.found
        every = frozenset(k for names in doc.names.values() for k in names)
        people = [f"speaker:{name}" for name in every]
        places, under_places = self._places(doc)
        have = present.union(places, people)
        index = self._index
        # the candidates (indexed under a key the document has) that have every key they need
        passing = {
            sub_id
            for key in (*present, *people)
            if (under := index.get(key)) is not None
            for sub_id, needs in under.items()
            if needs <= have
        }
        passing.update(sub_id for sub_id, needs in under_places.items() if needs <= have)
        if not passing:
            return []
        survivors = sorted(i for i in passing if i not in skip)
        whole = View(doc.kind, doc.blog_id, doc.language, every)
        lone = doc.speakers[0] if len(doc.speakers) == 1 else None
        parts: list[tuple[SpeakerRef | None, View]] | None = None
        hits: list[Hit] = []
        for sub_id in survivors:
            compiled = self._filters[sub_id]
            views: list[tuple[SpeakerRef | None, View]]
            if compiled.uses_speaker and doc.kind == "entry" and speaker_voices is not None:
                if not compiled.possible(whole, present):
                    continue
                if parts is None:
                    parts = [
                        (
                            v.speaker,
                            View(
                                doc.kind,
                                doc.blog_id,
                                doc.language,
                                doc.names.get(v.speaker.id, frozenset())
                                if v.speaker
                                else frozenset(),
                                v.spans,
                            ),
                        )
                        for v in speaker_voices()
                    ]
                views = parts
            else:
                if not compiled.holds(whole, present):
                    continue
                views = [(lone, whole)]
            for speaker, view in views:
                if view is whole or compiled.evaluate(view, scan):
                    found = compiled.matched(view, scan)[:MAX_MATCHES]
                    matches = tuple(scan.match(t, s, e) for t, s, e in found)
                    hits.append(Hit(sub_id, doc, speaker, matches))
                    break
        return hits

    def quote_document(self, quote: Quote, language: str | None) -> Document:
        names = {}
        if quote.speaker is not None:
            names[quote.speaker.id] = self.directory.keys(quote.blog_id, quote.speaker)
        return Document(
            kind="quote",
            blog_id=quote.blog_id,
            entry_id=quote.entry_id,
            quote_id=quote.quote_id,
            language=language,
            text=quote.text,
            published_at=quote.published_at,
            speakers=(quote.speaker,) if quote.speaker is not None else (),
            names=names,
        )

    def entry_document(self, entry: EnrichedEntry) -> Document:
        people = {ref.id: ref for ref in entry.speakers}
        for quote in entry.quotes:
            if quote.speaker is not None:
                people.setdefault(quote.speaker.id, quote.speaker)
        return Document(
            kind="entry",
            blog_id=entry.blog_id,
            entry_id=entry.entry_id,
            quote_id=None,
            language=entry.language,
            text=entry_text(entry),
            published_at=entry.published_at,
            speakers=tuple(people.values()),
            names={pid: self.directory.keys(entry.blog_id, ref) for pid, ref in people.items()},
        )

    def match_entry(
        self,
        entry: EnrichedEntry,
        speaker_voices: Callable[[], tuple[Voice, ...]] | None = None,
    ) -> list[Hit]:
        """Hits on the entry's quotes, then on the entry for subscriptions no quote matched.

        The entry's voices are needed only when a `speaker:` filter could match the entry; they
        are the ones it carries, or those `speaker_voices` gives, or for a record without them
        (schema version 1) computed then (`streams.attribution.voices`).
        """
        if not self._subs:
            return []
        hits: list[Hit] = []
        for quote in entry.quotes:
            hits.extend(self.match(self.quote_document(quote, entry.language)))
        by_quote = {hit.subscription_id for hit in hits}
        doc = self.entry_document(entry)
        parts = speaker_voices
        if parts is None:
            # the entry's own voices (schema version 2); an older record's are worked out here
            carried = entry.voices
            parts = (
                partial(voices, entry, self.directory)
                if carried is None
                else partial(tuple, carried)
            )
        hits.extend(self.match(doc, parts, skip=by_quote))
        return hits


def record_filter(expression: str) -> Callable[[object], bool]:
    """A predicate for quotes, entries and alerts: whether they pass the filter `expression`
    (compiled once here; a bad one raises FilterSyntaxError). Used by `liveblog tail --filter`."""
    matcher = Matcher([Subscription(id="filter", filter=expression)])

    def keep(record: object) -> bool:
        if isinstance(record, Quote):
            return bool(matcher.match(matcher.quote_document(record, None)))
        if isinstance(record, EnrichedEntry):
            return bool(matcher.match_entry(record))
        if isinstance(record, Alert):
            doc = Document(
                kind="quote" if record.quote_id else "entry",
                blog_id=record.blog_id,
                entry_id=record.entry_id,
                quote_id=record.quote_id,
                language=None,
                text=record.text,
                published_at=record.published_at,
                speakers=(record.speaker,) if record.speaker else (),
                names={record.speaker.id: matcher.directory.keys(record.blog_id, record.speaker)}
                if record.speaker
                else {},
            )
            return bool(matcher.match(doc))
        return False

    return keep
