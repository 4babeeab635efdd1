"""Matching quotes and entries against every subscription at once.

A document's text is folded once (`streams.core.text.fold_text`) and its words taken as a set, with
the words its hyphens join (read off the fold when its characters fold alike,
`streams.core.text.folds_alike`; else from a second fold with hyphens joined, made only when that
changes it): every word form of every subscription's terms that is in the set occurs, as a whole
word. A phrase of words side by side is searched for (`str.find`, whole words) only in a text whose
set has each of its words, looked up by its longest word; the other forms (`u.n.`) are found by one
Aho-Corasick automaton (pyahocorasick). Both give the phrase's term key. These words and keys, with
the document's field keys (`kind:`, `blog:`, `lang:`, `speaker:`), are its atoms, and a term is
present when one of its atoms is (`term_atoms`): no set of term keys is worked out.

Each subscription (a record of what matching reads of it, `_Sub`) is indexed under the atoms of its
triggers (its rarest term, an OR of terms or a field) and, when it needs more
(`CompiledFilter.needs`: the atoms of each term, OR of terms and field ANDed at the top), under
each atom of its next need, the likeliest to be missing; its other needs are checked only when a
document has both. Only the subscriptions a document has every need of are looked at; most
(`exact`: terms, ORs of terms and fields ANDed) then hold without evaluation, the others by a check
compiled once into one function. Offsets are looked up, and `Match` objects made (without
validation: the matcher made their values), only for the terms of the subscriptions that match. The
cost of a document is its length plus the subscriptions it could match, not the number of
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
from collections.abc import Set as AbstractSet
from datetime import datetime
from functools import partial
from itertools import chain, compress
from operator import attrgetter, itemgetter, not_
from types import MappingProxyType
from typing import Literal, NamedTuple

import ahocorasick

from schemas.events import Alert, EnrichedEntry, Match, Quote, SpeakerRef, Subscription
from streams.alerts.directory import SpeakerDirectory
from streams.alerts.filters.compiled import CompiledFilter, View, compile_filter, language_key
from streams.alerts.scan import compounds, is_plain_word, word_spans, words
from streams.attribution.voices import Voice, entry_text, voices
from streams.core.text import Folded, fold_text, folds_alike, has_join

__all__ = ["MAX_MATCHES", "Document", "Hit", "Matcher", "record_filter"]

#: the order of places: by start, then end
_PLACE = itemgetter(0, 1)
#: matches kept per hit; a text that repeats a term a thousand times does not make a huge alert
MAX_MATCHES = 32
#: (kind, blog, language) whose index keys and subscriptions are kept ready
_MAX_PLACES = 10_000


class Document(NamedTuple):
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
    names: Mapping[str, frozenset[str]] = MappingProxyType({})

    def ref_id(self) -> str:
        return self.quote_id if self.quote_id is not None else self.entry_id


class Hit(NamedTuple):
    """A subscription matched a document: the terms found and where."""

    subscription_id: str
    document: Document
    speaker: SpeakerRef | None
    matches: tuple[Match, ...]


#: a `Hit` made from its four fields at once (as `tuple.__new__`: no keyword handling)
_new_hit = tuple.__new__
_set = object.__setattr__
#: the fields a `Match` has set
_MATCH_FIELDS = frozenset(Match.model_fields)


def _new_match(term: str, start: int, end: int) -> Match:
    """`Match(term=term, start=start, end=end)` for values the matcher made (a term's label,
    offsets into the text), built as pydantic's `model_construct` builds a model: no
    validation, and no loop over the fields."""
    made = Match.__new__(Match)
    _set(made, "__dict__", {"term": term, "start": start, "end": end})
    _set(made, "__pydantic_fields_set__", set(_MATCH_FIELDS))
    _set(made, "__pydantic_extra__", None)
    _set(made, "__pydantic_private__", None)
    return made


class _Sub:
    """A subscription as the index files it: what matching a document reads of it, in one
    place (no look-up of its compiled filter by id)."""

    __slots__ = ("compiled", "exact", "id", "labels", "one", "uses_speaker")

    def __init__(
        self, sub_id: str, compiled: CompiledFilter, key_forms: Mapping[str, tuple[str, ...]]
    ) -> None:
        self.id = sub_id
        self.compiled = compiled
        self.exact = compiled.exact
        self.uses_speaker = compiled.uses_speaker
        #: (key, label) of each term a hit reports
        self.labels = compiled.labels
        #: of a filter that reports one term: its key, its label and its word forms
        self.one: tuple[str, str, tuple[str, ...]] | None = None
        if len(self.labels) == 1:
            key, label = self.labels[0]
            self.one = (key, label, key_forms.get(key, ()))


_BY_ID = attrgetter("id")
#: a phrase of words side by side: its form, its second longest word, its other words, its keys
_Phrase = tuple[str, str, frozenset[str], tuple[str, ...]]
#: the subscriptions under an atom and an atom of their next need: those that need nothing more,
#: and those that need more (each with the atoms of its other needs)
_Pair = tuple[list[_Sub], list[tuple[_Sub, tuple[frozenset[str], ...]]]]


#: an atom's place in the index: the subscriptions that need nothing more, the atoms of the
#: next needs of the others, and those others by each such atom
_Node = tuple[tuple[_Sub, ...], frozenset[str], Mapping[str, _Pair]]
_NO_PAIRS: Mapping[str, _Pair] = MappingProxyType({})
_ALONE = itemgetter(0)
_PARTNERS = itemgetter(1)


def _is_field(atom: str) -> bool:
    return ":" in atom and not atom.startswith(("w:", "p:"))


def _rarer(need: frozenset[str]) -> tuple[bool, int]:
    """Needs of words first (a field such as `kind:quote` is had by many documents), fewer
    atoms first."""
    return any(_is_field(a) for a in need), len(need)


class _Tables:
    """What the subscriptions are matched with, built once per set of subscriptions (again on
    the first match after one is added or removed).

    The forms of every term: words by a dict, phrases of words by their longest word, the rest
    (`u.n.`) by an automaton. And the index of subscriptions by atom: each subscription under
    the atoms of its triggers, either `alone` (it needs nothing else) or in `pairs`, under each
    atom of its next need (the one likeliest to be missing), with the atoms of its other needs
    if it has more; `index` holds both for each atom, to be looked up once.
    """

    __slots__ = (
        "alone",
        "automaton",
        "fields",
        "head_words",
        "heads",
        "index",
        "indexed",
        "joinable",
        "key_forms",
        "lone",
        "paired",
        "pairs",
        "partners",
        "places",
        "plain",
        "plain_forms",
        "speakers",
    )

    def __init__(self, filters: Mapping[str, CompiledFilter]) -> None:
        plain: dict[str, set[str]] = {}
        other: dict[str, set[str]] = {}
        for compiled in filters.values():
            for key, forms in compiled.forms.items():
                for form in forms:
                    into = plain if is_plain_word(form) else other
                    into.setdefault(form, set()).add(key)
        self.automaton: ahocorasick.Automaton | None = None
        heads: dict[str, list[_Phrase]] = {}
        for form, keys in other.items():
            parts = form.split(" ")
            if len(parts) > 1 and all(map(is_plain_word, parts)):
                # words side by side: looked for only in a text that has each of its words
                head, *others = sorted(set(parts), key=lambda w: (-len(w), w))
                second = others[0] if others else head
                phrase = (form, second, frozenset(others[1:]), tuple(sorted(keys)))
                heads.setdefault(head, []).append(phrase)
                continue
            if self.automaton is None:
                self.automaton = ahocorasick.Automaton()
            self.automaton.add_word(form, (len(form), tuple(sorted(keys))))
        if self.automaton is not None:
            self.automaton.make_automaton()
        #: a word -> the phrases of words side by side whose longest word it is
        self.heads = {head: tuple(found) for head, found in heads.items()}
        self.head_words = frozenset(heads)
        #: word form -> term keys
        self.plain = {form: frozenset(keys) for form, keys in plain.items()}
        self.plain_forms = frozenset(self.plain)
        key_forms: dict[str, list[str]] = {}
        for form, term_keys in self.plain.items():
            for key in term_keys:
                key_forms.setdefault(key, []).append(form)
        #: term key -> its word forms
        self.key_forms = {k: tuple(v) for k, v in key_forms.items()}
        alone: dict[str, list[_Sub]] = {}
        pairs: dict[str, dict[str, _Pair]] = {}
        asked: set[str] = set()
        for sub_id, compiled in filters.items():
            sub = _Sub(sub_id, compiled, self.key_forms)
            triggers = compiled.trigger_atoms
            # the other needs, the likeliest to be missing first (words before fields)
            rest = sorted((need for need in compiled.needs if need != triggers), key=_rarer)
            for need in rest:
                asked.update(need)
            for atom in triggers:
                if not rest:
                    alone.setdefault(atom, []).append(sub)
                    continue
                under = pairs.setdefault(atom, {})
                for needed in rest[0]:
                    pair = under.get(needed)
                    if pair is None:
                        pair = under[needed] = ([], [])
                    if len(rest) == 1:
                        pair[0].append(sub)
                    else:
                        pair[1].append((sub, tuple(rest[1:])))
        self.alone = alone
        self.lone = frozenset(alone)
        #: atom -> (the subscriptions under it that need nothing more, the atoms of the next
        #: needs of the others, those others by such an atom): one look-up per atom of a text
        self.index: dict[str, _Node] = {
            atom: (
                tuple(alone.get(atom, ())),
                frozenset(pairs.get(atom, ())),
                pairs.get(atom, _NO_PAIRS),
            )
            for atom in {*alone, *pairs}
        }
        #: atom -> for each atom of the next need, its subscriptions
        self.pairs = pairs
        self.paired = frozenset(pairs)
        #: atom -> the atoms of the next needs of its subscriptions
        self.partners = {atom: frozenset(under) for atom, under in pairs.items()}
        #: every atom the index has
        self.indexed = frozenset([*alone, *pairs])
        #: the words of every form: a word joined by hyphens that is none of them needs no fold
        #: with hyphens joined
        self.joinable = frozenset([*self.plain_forms, *(w for form in other for w in words(form))])
        #: the field keys (kind, blog, language, speaker) the index has or a subscription needs
        self.fields = frozenset(a for a in (*self.indexed, *asked) if _is_field(a))
        #: the names of `speaker:` keys among them
        self.speakers = frozenset(a[8:] for a in self.fields if a.startswith("speaker:"))
        #: (kind, blog, language) -> its keys
        self.places: dict[tuple[str, str, str | None], frozenset[str]] = {}


class _Scan(Mapping[str, Sequence[tuple[int, int]]]):
    """A text scanned for the subscriptions' terms: its atoms (`have`: its words and the keys
    of the terms the automaton found, with their places in `other`); as a mapping, each term key
    that occurs with its original (start, end) offsets, found on first use."""

    __slots__ = ("_done", "_first", "_folds", "_found", "_placed", "_tables", "have", "other")

    def __init__(
        self,
        tables: _Tables,
        folds: list[Folded],
        have: set[str],
        other: dict[str, set[tuple[int, int]]],
    ) -> None:
        self._tables = tables
        self._folds = folds
        self._done: dict[str, list[tuple[int, int]]] = {}
        self._placed: dict[
            tuple[str, str], tuple[list[tuple[int, int, Match]], tuple[Match, ...]]
        ] = {}
        self._first: dict[str, tuple[Match, ...]] = {}
        self._found: set[str] | None = None
        have.update(other)
        #: the atoms of the text (the matcher adds the document's field keys)
        self.have = have
        self.other = other

    @property
    def found(self) -> set[str]:
        """The term keys that occur (worked out on first use)."""
        found = self._found
        if found is None:
            plain = self._tables.plain
            found = set().union(*map(plain.__getitem__, self.have & self._tables.plain_forms))
            found.update(self.other)
            self._found = found
        return found

    def get(self, key: str, default: object = None) -> Sequence[tuple[int, int]] | None:  # type: ignore[override]
        done = self._done.get(key)
        if done is not None:
            return done
        found = self._spans(key, self._tables.key_forms.get(key, ()))
        return default if found is None else found  # type: ignore[return-value]

    def _spans(self, key: str, forms: tuple[str, ...]) -> list[tuple[int, int]] | None:
        """The places of a term key whose word forms are `forms` (None: it does not occur)."""
        have = self.have
        present = [f for f in forms if f in have]
        other = self.other.get(key)
        if other is None and not present:
            return None
        forms = tuple(present)
        if other is None and len(forms) == 1 and len(self._folds) == 1:
            # one form in one fold: its places come in order, each once
            done = word_spans(self._folds[0], forms[0])
        else:
            spans = set(other) if other is not None else set()
            for form in forms:
                for folded in self._folds:
                    spans.update(word_spans(folded, form))
            done = sorted(spans)
        self._done[key] = done
        return done

    def placed(self, key: str, label: str) -> list[tuple[int, int, Match]]:
        """Each place of a term key as (start, end, its `Match` labelled `label`), in order; one
        list however many hits share it."""
        return self._matches(key, label)[0]

    def first(self, key: str, label: str, forms: tuple[str, ...]) -> tuple[Match, ...]:
        """The `Match` objects of the first `MAX_MATCHES` places of a term key (whose word
        forms are `forms`), labelled `label`, in order (one tuple however many hits share it;
        kept by label, which gives its key: a term's text holds no `"`)."""
        done = self._first.get(label)
        if done is None:
            spans: Sequence[tuple[int, int]] | None = self._done.get(key)
            if spans is None:
                spans = self._spans(key, forms) or ()
            done = self._first[label] = tuple(
                [_new_match(label, s, e) for s, e in spans[:MAX_MATCHES]]
            )
        return done

    def _matches(
        self, key: str, label: str
    ) -> tuple[list[tuple[int, int, Match]], tuple[Match, ...]]:
        done = self._placed.get((key, label))
        if done is None:
            spans = self.get(key) or ()
            places = [(s, e, _new_match(label, s, e)) for s, e in spans]
            done = self._placed[key, label] = (places, tuple([p[2] for p in places[:MAX_MATCHES]]))
        return done

    def __getitem__(self, key: str) -> Sequence[tuple[int, int]]:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self.found)

    def __len__(self) -> int:
        return len(self.found)


_NO_WORDS: frozenset[str] = frozenset()


def _joined(tables: _Tables, text: str, split: Folded) -> tuple[AbstractSet[str], Folded | None]:
    """The words the fold of `text` with hyphens joined adds to those of its fold without
    (`split`), and that fold when a term might be found in it and not in `split`."""
    if "-" not in text and "\u2010" not in text and "\u2011" not in text:
        return _NO_WORDS, None
    if folds_alike(text):
        # the words of the fold with hyphens joined are those of `split` and its words joined
        # by hyphens; that fold itself is needed only for places of those
        found = compounds(split.text)
        if found.isdisjoint(tables.joinable):
            return found, None
        return found, fold_text(text, join_hyphens=True)
    if not has_join(text):
        return _NO_WORDS, None
    joined = fold_text(text, join_hyphens=True)
    return words(joined.text), joined


def _phrases(
    tables: _Tables, folds: list[Folded], seen: AbstractSet[str]
) -> dict[str, set[tuple[int, int]]]:
    """The original places, as whole words, of each term key of a form that is not one word,
    in `folds` (all of whose words are in `seen`). A phrase of words side by side is searched
    for only in a text that has each of its words (a whole-word place of the phrase is one of
    each), by its longest word; the other forms (`u.n.`) are found by the automaton."""
    other: dict[str, set[tuple[int, int]]] = {}
    heads = tables.heads
    for head in seen & tables.head_words:
        for form, second, rest, keys in heads[head]:
            if second not in seen or (rest and not rest <= seen):
                continue
            size = len(form)
            for folded in folds:
                text = folded.text
                at = text.find(form)
                while at >= 0:
                    if folded.bounded(at, at + size):
                        span = folded.span(at, at + size)
                        for key in keys:
                            other.setdefault(key, set()).add(span)
                    at = text.find(form, at + 1)
    if tables.automaton is not None:
        for folded in folds:
            for end, (length, keys) in tables.automaton.iter(folded.text):
                start = end - length + 1
                if not folded.bounded(start, end + 1):
                    continue
                span = folded.span(start, end + 1)
                for key in keys:
                    other.setdefault(key, set()).add(span)
    return other


def _scan(tables: _Tables, text: str) -> _Scan:
    """`text` folded once (a second time, hyphens joined, only when that can matter), its words
    taken as a set, and the automaton's terms found."""
    split = fold_text(text, join_hyphens=False)
    seen = words(split.text)
    extra, joined = _joined(tables, text, split)
    seen.update(extra)
    folds = [split] if joined is None else [split, joined]
    return _Scan(tables, folds, seen, _phrases(tables, folds, seen))


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
        self._tables: _Tables | None = None
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
        """Add or replace a subscription; its filter is compiled here (FilterSyntaxError). The
        tables are built again on the next match."""
        compiled = compile_filter(subscription.filter)
        self._subs[subscription.id] = subscription
        self._filters[subscription.id] = compiled
        self._tables = None

    def remove(self, subscription_id: str) -> bool:
        """Forget a subscription; whether there was one."""
        compiled = self._filters.pop(subscription_id, None)
        self._subs.pop(subscription_id, None)
        if compiled is None:
            return False
        self._tables = None
        return True

    def _build(self) -> _Tables:
        tables = self._tables
        if tables is None:
            tables = self._tables = _Tables(self._filters)
        return tables

    # documents -----------------------------------------------------------------------------------

    def scan(self, text: str) -> _Scan:
        """Which term keys of the subscriptions occur in `text` (their offsets on demand)."""
        return _scan(self._build(), text)

    def occurrences(self, text: str) -> dict[str, list[tuple[int, int]]]:
        """Every term key of every subscription found in `text`, with original offsets."""
        scan = self.scan(text)
        return {key: list(scan[key]) for key in scan.found}

    def _places(self, doc: Document) -> frozenset[str]:
        """The keys of a document's kind, blog and language that some subscription asks for
        (kept per kind, blog and language until the subscriptions change)."""
        tables = self._build()
        slot = (doc.kind, doc.blog_id, doc.language)
        cached = tables.places.get(slot)
        if cached is None:
            lang = language_key(doc.language) if doc.language else None
            blog = doc.blog_id.lower()
            keys = {f"kind:{doc.kind}", f"blog:{blog}"}
            keys.update(f"blog*:{blog[:i]}" for i in range(len(blog) + 1))
            if lang is not None:
                keys.add(f"lang:{lang}")
            cached = frozenset(keys) & tables.fields
            if len(tables.places) < _MAX_PLACES:
                tables.places[slot] = cached
        return cached

    def candidates(self, doc: Document, occurrences: Iterable[str]) -> set[str]:
        """Ids of the subscriptions indexed under one of the document's keys (the term keys
        found in its text: `occurrences`, and its kind, blog, language and speakers)."""
        tables = self._build()
        atoms = set(self._places(doc))
        for key in occurrences:
            atoms.add(key)
            atoms.update(tables.key_forms.get(key, ()))
        for names in doc.names.values():
            atoms.update(f"speaker:{name}" for name in names)
        out = {sub.id for a in atoms for sub in tables.alone.get(a, ())}
        for atom in atoms & tables.paired:
            for done, checked in tables.pairs[atom].values():
                out.update(sub.id for sub in done)
                out.update(sub.id for sub, _ in checked)
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
        tables = self._build()
        return self._match(tables, doc, _scan(tables, doc.text), speaker_voices, skip)

    def _match(
        self,
        tables: _Tables,
        doc: Document,
        scan: _Scan,
        speaker_voices: Callable[[], tuple[Voice, ...]] | None,
        skip: Container[str],
    ) -> list[Hit]:
        names = doc.names
        if len(names) == 1:
            [every] = names.values()
        else:
            every = frozenset().union(*names.values())
        have = scan.have
        # the field keys any subscription asks for (the others would not be looked up)
        have.update(self._places(doc))
        if every:
            have.update(["speaker:" + name for name in every & tables.speakers])
        # the subscriptions indexed under an atom of the document that have every key they need
        nodes = list(map(tables.index.__getitem__, have & tables.indexed))
        found = list(chain.from_iterable(map(_ALONE, nodes)))
        # the atoms with a partner the document has (the loop over them runs in C)
        for _, partners, under in compress(
            nodes, map(not_, map(have.isdisjoint, map(_PARTNERS, nodes)))
        ):
            for needed in partners & have:
                done, checked = under[needed]
                found.extend(done)
                for sub, needs in checked:
                    if all(not need.isdisjoint(have) for need in needs):
                        found.append(sub)
        if not found:
            return []
        survivors = sorted(
            [s for s in set(found) if s.id not in skip] if skip else set(found), key=_BY_ID
        )
        whole = View(doc.kind, doc.blog_id, doc.language, every)
        lone = doc.speakers[0] if len(doc.speakers) == 1 else None
        by_voice = doc.kind == "entry" and speaker_voices is not None
        parts: list[tuple[SpeakerRef | None, View]] | None = None
        hits: list[Hit] = []
        for sub in survivors:
            if by_voice and sub.uses_speaker:
                compiled = sub.compiled
                if not compiled.possible(whole, have):
                    continue
                if parts is None:
                    assert speaker_voices is not None
                    parts = _parts(doc, speaker_voices())
                for speaker, view in parts:
                    if compiled.evaluate(view, scan):
                        hits.append(_hit(sub, doc, speaker, view, scan))
                        break
            elif sub.exact or sub.compiled.holds(whole, have):
                one = sub.one
                if one is not None:
                    # one term on the whole text: its first places, kept by the scan
                    hits.append(_new_hit(Hit, (sub.id, doc, lone, scan.first(*one))))
                else:
                    hits.append(_hit(sub, doc, lone, whole, scan))
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
        tables = self._build()
        hits: list[Hit] = []
        for quote in entry.quotes:
            doc = self.quote_document(quote, entry.language)
            hits.extend(self._match(tables, doc, _scan(tables, doc.text), None, ()))
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
        hits.extend(self._match(tables, doc, _scan(tables, doc.text), parts, by_quote))
        return hits


def _parts(doc: Document, found: Iterable[Voice]) -> list[tuple[SpeakerRef | None, View]]:
    """Each voice of an entry as a view: its speaker's names, its spans."""
    none: frozenset[str] = frozenset()
    return [
        (
            v.speaker,
            View(
                doc.kind,
                doc.blog_id,
                doc.language,
                doc.names.get(v.speaker.id, none) if v.speaker else none,
                v.spans,
            ),
        )
        for v in found
    ]


def _hit(sub: _Sub, doc: Document, speaker: SpeakerRef | None, view: View, scan: _Scan) -> Hit:
    """The hit with the places of the filter's terms inside `view` (as `CompiledFilter.matched`
    gives them: in text order, a tie in the order of the terms)."""
    labels = sub.labels
    sub_id = sub.id
    if not labels:
        return _new_hit(Hit, (sub_id, doc, speaker, ()))
    if len(labels) == 1:
        if view.spans is None:
            assert sub.one is not None
            return _new_hit(Hit, (sub_id, doc, speaker, scan.first(*sub.one)))
        found = scan.placed(*labels[0])
    else:
        found = [p for key, label in labels for p in scan.placed(key, label)]
        found.sort(key=_PLACE)
    if view.spans is not None:
        spans = view.spans
        found = [p for p in found if any(s <= p[0] and p[1] <= e for s, e in spans)]
    return _new_hit(Hit, (sub_id, doc, speaker, tuple([p[2] for p in found[:MAX_MATCHES]])))


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
