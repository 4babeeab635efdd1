"""Matching quotes and entries against every subscription at once.

One Aho-Corasick automaton (pyahocorasick) holds every form of every term of every subscription;
one pass over a document's folded text finds all of them, with their offsets. Each subscription
is indexed under the keys one of which a document must have for it to match (`triggers`: a term,
or `speaker:`, `blog:`, `lang:`, `kind:` values), so only the subscriptions whose keys the
document has are evaluated. The cost of a document is its length plus the subscriptions it
could match, not the number of subscriptions.

A quote is matched as itself (its text, its speaker). An entry is matched as a whole; a filter
with `speaker:` is evaluated on each speaker's own part of it (`streams.attribution.voices`), so
`speaker:X veto` needs X to speak of the veto, not only to appear in an entry that mentions it.
An entry that matched a subscription through one of its quotes gives no second hit for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import ahocorasick

from schemas.events import Alert, EnrichedEntry, Match, Quote, SpeakerRef, Subscription
from streams.alerts.directory import SpeakerDirectory
from streams.alerts.filters.compiled import CompiledFilter, View, compile_filter, language_key
from streams.attribution.voices import Voice, entry_text, voices
from streams.core.text import fold_text, term_forms

__all__ = ["MAX_MATCHES", "Document", "Hit", "Matcher", "record_filter"]

#: matches kept per hit; a text that repeats a term a thousand times does not make a huge alert
MAX_MATCHES = 32


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
        self._index: dict[str, set[str]] = {}
        self._automaton: ahocorasick.Automaton | None = None
        self._dirty = True
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
            self._index.setdefault(key, set()).add(subscription.id)
        self._dirty = True

    def remove(self, subscription_id: str) -> bool:
        """Forget a subscription; whether there was one."""
        compiled = self._filters.pop(subscription_id, None)
        self._subs.pop(subscription_id, None)
        if compiled is None:
            return False
        for key in compiled.triggers:
            ids = self._index.get(key)
            if ids is not None:
                ids.discard(subscription_id)
                if not ids:
                    del self._index[key]
        self._dirty = True
        return True

    def _build(self) -> ahocorasick.Automaton | None:
        if not self._dirty:
            return self._automaton
        forms: dict[str, set[str]] = {}
        for compiled in self._filters.values():
            for key, term in compiled.terms.items():
                for form in term_forms(term.text, phrase=term.phrase):
                    forms.setdefault(form, set()).add(key)
        automaton: ahocorasick.Automaton | None = None
        if forms:
            automaton = ahocorasick.Automaton()
            for form, keys in forms.items():
                automaton.add_word(form, (len(form), tuple(sorted(keys))))
            automaton.make_automaton()
        self._automaton = automaton
        self._dirty = False
        return automaton

    # documents -----------------------------------------------------------------------------------

    def occurrences(self, text: str) -> dict[str, list[tuple[int, int]]]:
        """Every term key of every subscription found in `text`, with original offsets."""
        automaton = self._build()
        found: dict[str, set[tuple[int, int]]] = {}
        if automaton is None or not text:
            return {}
        for join in (False, True):
            folded = fold_text(text, join_hyphens=join)
            for end, (length, keys) in automaton.iter(folded.text):
                start = end - length + 1
                if not folded.bounded(start, end + 1):
                    continue
                span = folded.span(start, end + 1)
                for key in keys:
                    found.setdefault(key, set()).add(span)
        return {key: sorted(spans) for key, spans in found.items()}

    def candidates(self, doc: Document, occurrences: dict[str, list[tuple[int, int]]]) -> set[str]:
        """Ids of the subscriptions that have one of the document's keys."""
        keys = [*occurrences, f"kind:{doc.kind}", f"blog:{doc.blog_id.lower()}"]
        if doc.language:
            keys.append(f"lang:{language_key(doc.language)}")
        blog = doc.blog_id.lower()
        keys.extend(f"blog*:{blog[:i]}" for i in range(len(blog) + 1))
        for names in doc.names.values():
            keys.extend(f"speaker:{name}" for name in names)
        out: set[str] = set()
        for key in keys:
            ids = self._index.get(key)
            if ids:
                out |= ids
        return out

    def match(
        self, doc: Document, speaker_voices: Callable[[], tuple[Voice, ...]] | None = None
    ) -> list[Hit]:
        """The hits of one document; `speaker_voices` gives an entry's voices when needed."""
        if not self._subs:
            return []
        occ = self.occurrences(doc.text)
        ids = self.candidates(doc, occ)
        if not ids:
            return []
        every = frozenset(k for names in doc.names.values() for k in names)
        whole = View(doc.kind, doc.blog_id, doc.language, every)
        lone = doc.speakers[0] if len(doc.speakers) == 1 else None
        parts: list[tuple[SpeakerRef | None, View]] | None = None
        hits: list[Hit] = []
        for sub_id in sorted(ids):
            compiled = self._filters[sub_id]
            views: list[tuple[SpeakerRef | None, View]]
            if compiled.uses_speaker and doc.kind == "entry" and speaker_voices is not None:
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
                views = [(lone, whole)]
            for speaker, view in views:
                if compiled.evaluate(view, occ):
                    found = compiled.matched(view, occ)[:MAX_MATCHES]
                    matches = tuple(Match(term=t, start=s, end=e) for t, s, e in found)
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

    def match_entry(self, entry: EnrichedEntry) -> list[Hit]:
        """Hits on the entry's quotes, then on the entry for subscriptions no quote matched."""
        if not self._subs:
            return []
        hits: list[Hit] = []
        for quote in entry.quotes:
            hits.extend(self.match(self.quote_document(quote, entry.language)))
        by_quote = {hit.subscription_id for hit in hits}
        doc = self.entry_document(entry)
        for hit in self.match(doc, lambda: voices(entry, self.directory)):
            if hit.subscription_id not in by_quote:
                hits.append(hit)
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
