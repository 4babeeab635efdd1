"""The connector cursor: which entries a source has already emitted, and in which version.

Each entry gets a stable identity: the publisher's block id, else its time and a hash of its
text. Comparing a fresh extraction with the cursor sorts entries into new (emitted as version 1),
changed (the same identity with other text: emitted again as version n+1) and disappeared
(reported once, never deleted). An entry without a block id whose text was edited keeps its
identity when exactly one vanished entry had the same time and similar text.

The cursor is a plain dict (`snapshot()` / `resume()`), kept in a SQLite store (`SqliteCursors`,
one row per source, an upsert per save, and an exclusive lock so two connectors never share and
overwrite one store), so a restarted connector re-emits nothing. A `.json` path keeps the older
one-JSON-file format (`CursorFile`); `open_cursor_store` picks by the suffix and moves a legacy
JSON file's cursors into a new SQLite store.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import sqlite3
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from rapidfuzz import fuzz

from connectors.sources.http.extract.model import ExtractedEntry
from schemas.events import MAX_RAW_CHARS, EntryHints, RawEntry
from schemas.exceptions import ConfigError
from streams.core.sqlite import open_sqlite

__all__ = [
    "Change",
    "CursorFile",
    "CursorStore",
    "Diff",
    "EntryCursor",
    "SqliteCursors",
    "identity_of",
    "open_cursor_store",
    "to_raw_entries",
]

_STATE_VERSION = 1
#: id-less entries at the same time whose texts are at least this similar are one edited entry
_EDIT_SIMILARITY = 60.0


def _hash(text: str, length: int = 16) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()[:length]


def _norm(text: str) -> str:
    return " ".join(text.split())


def _time_key(entry: ExtractedEntry) -> str:
    if entry.time is not None:
        return entry.time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
    return f"{entry.date or ''} {entry.printed_time or ''}".strip()


def identity_of(entry: ExtractedEntry) -> str:
    """The entry's stable identity: its block id, else its time and a hash of its text."""
    if entry.block_id:
        return f"id:{entry.block_id}"
    return f"t:{_time_key(entry)}|{_hash(_norm(entry.text), 12)}"


@dataclass(frozen=True, slots=True)
class Change:
    """An entry to emit: new (version 1) or changed (a later version)."""

    identity: str
    entry: ExtractedEntry
    version: int
    kind: Literal["new", "changed"]


@dataclass(frozen=True, slots=True)
class Diff:
    """What one look at a source found, against the cursor."""

    changes: tuple[Change, ...]
    unchanged: int
    disappeared: tuple[str, ...]


class EntryCursor:
    """Identities, versions and fingerprints of the entries one source has emitted."""

    def __init__(self, *, max_entries: int = 20_000) -> None:
        self.max_entries = max_entries
        self.records: dict[str, dict[str, Any]] = {}
        self.seq = 0
        self._order = 0

    def diff(self, entries: Sequence[ExtractedEntry], *, complete: bool = True) -> Diff:
        """Compare `entries` (oldest first) with the cursor and record them. `complete` says the
        entries are the whole source (a page), so that entries missing from it disappeared."""
        seen: set[str] = set()
        changes: list[Change] = []
        unchanged = 0
        pending: list[tuple[str, ExtractedEntry]] = []
        for entry in entries:
            ident = identity_of(entry)
            if ident in seen:
                continue
            seen.add(ident)
            pending.append((ident, entry))
        renamed = self._renamed(pending, seen) if complete else {}
        for ident, entry in pending:
            ident = renamed.get(ident, ident)
            seen.add(ident)
            fingerprint = _hash(_norm(entry.text))
            record = self.records.get(ident)
            self._order += 1
            if record is None:
                self.records[ident] = self._record(entry, fingerprint, 1)
                changes.append(Change(ident, entry, 1, "new"))
                continue
            record["gone"] = False
            record["n"] = self._order
            if record["fp"] == fingerprint:
                unchanged += 1
                continue
            version = int(record["v"]) + 1
            self.records[ident] = self._record(entry, fingerprint, version)
            changes.append(Change(ident, entry, version, "changed"))
        disappeared: list[str] = []
        if complete:
            for ident, record in self.records.items():
                if ident not in seen and not record.get("gone"):
                    record["gone"] = True
                    disappeared.append(ident)
        self._trim()
        return Diff(tuple(changes), unchanged, tuple(disappeared))

    def _record(self, entry: ExtractedEntry, fingerprint: str, version: int) -> dict[str, Any]:
        return {
            "fp": fingerprint,
            "v": version,
            "t": _time_key(entry),
            "head": _norm(entry.text)[:200],
            "gone": False,
            "n": self._order,
        }

    def _renamed(self, pending: list[tuple[str, ExtractedEntry]], seen: set[str]) -> dict[str, str]:
        """New id-less identities that are an edit of exactly one vanished id-less entry."""
        vanished: dict[str, list[str]] = {}
        for ident, record in self.records.items():
            if ident.startswith("t:") and ident not in seen and not record.get("gone"):
                vanished.setdefault(str(record["t"]), []).append(ident)
        out: dict[str, str] = {}
        for ident, entry in pending:
            if not ident.startswith("t:") or ident in self.records:
                continue
            candidates = vanished.get(_time_key(entry), [])
            text = _norm(entry.text)[:200]
            similar = [
                c
                for c in candidates
                if fuzz.ratio(text, str(self.records[c]["head"])) >= _EDIT_SIMILARITY
            ]
            if len(similar) == 1:
                out[ident] = similar[0]
                candidates.remove(similar[0])
        return out

    def _trim(self) -> None:
        if len(self.records) <= self.max_entries:
            return
        gone = sorted((r["n"], ident) for ident, r in self.records.items() if r.get("gone"))
        for _, ident in gone[: len(self.records) - self.max_entries]:
            del self.records[ident]

    def next_seq(self) -> int:
        """The next sequence number of the source's raw entries."""
        seq = self.seq
        self.seq += 1
        return seq

    def snapshot(self) -> dict[str, Any]:
        """The cursor as JSON-ready data, a copy: later diffs do not change it."""
        records = {ident: dict(record) for ident, record in self.records.items()}
        return {"version": _STATE_VERSION, "seq": self.seq, "records": records}

    def fork(self) -> EntryCursor:
        """An independent copy to diff against; adopted (or dropped) once the emit is known."""
        copy = EntryCursor(max_entries=self.max_entries)
        copy.resume(self.snapshot())
        return copy

    def resume(self, state: dict[str, Any] | None) -> None:
        """Continue from a snapshot (None: from the start)."""
        if not state:
            return
        if state.get("version") != _STATE_VERSION or not isinstance(state.get("records"), dict):
            raise ConfigError("cursor state has an unknown format; delete the cursor file")
        self.seq = int(state.get("seq", 0))
        self.records = {str(k): dict(v) for k, v in state["records"].items()}
        self._order = max((int(r.get("n", 0)) for r in self.records.values()), default=0)


def to_raw_entries(
    diff: Diff,
    cursor: EntryCursor,
    *,
    blog_id: str,
    source: str,
    fetched_at: datetime,
    timezone: str | None = None,
    language: str | None = None,
    max_chars: int = MAX_RAW_CHARS,
) -> list[RawEntry]:
    """Raw entries for the diff's changes, numbered by the cursor, oldest first. The identity is
    the entry's block id for the parse stage, so every version of an entry keeps one entry id."""
    out: list[RawEntry] = []
    for change in diff.changes:
        entry = change.entry
        body = entry.body_html
        if len(body) > max_chars:
            body = body[:max_chars]
        out.append(
            RawEntry(
                blog_id=blog_id,
                source=source[:2000],
                seq=cursor.next_seq(),
                fetched_at=fetched_at,
                raw=body,
                content_type="html",
                version=change.version,
                hints=EntryHints(
                    block_id=change.identity.removeprefix("id:"),
                    time=entry.time,
                    printed_time=entry.printed_time,
                    headline=entry.headline,
                    date=entry.date,
                    timezone=timezone or _offset_of(entry.time),
                    language=language,
                    url=entry.url,
                ),
            )
        )
    return out


def _offset_of(when: datetime | None) -> str | None:
    """`+01:00` for a time with that offset: entries are shown in the page's own offset."""
    offset = when.utcoffset() if when is not None else None
    if offset is None:
        return None
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


class CursorFile:
    """Cursor snapshots of several sources in one JSON file, written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = {}
        if path.exists():
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise ConfigError(f"{path}: cannot read the cursor file: {exc}") from exc
            if not isinstance(loaded, dict):
                raise ConfigError(f"{path}: the cursor file is not a JSON object")
            self.data = loaded

    def load(self, key: str) -> dict[str, Any] | None:
        value = self.data.get(key)
        return value if isinstance(value, dict) else None

    def save(self, key: str, state: dict[str, Any]) -> None:
        self.data[key] = state
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(self.data, out, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, self.path)
        except OSError:
            Path(tmp).unlink(missing_ok=True)
            raise


class CursorStore(Protocol):
    """Where connectors keep their cursors between runs."""

    def load(self, key: str) -> dict[str, Any] | None: ...

    def save(self, key: str, state: dict[str, Any]) -> None: ...


_CURSOR_DDL = (
    "CREATE TABLE IF NOT EXISTS cursors ("
    "key TEXT PRIMARY KEY, state TEXT NOT NULL, saved_at TEXT NOT NULL)",
)


class SqliteCursors:
    """Cursor snapshots in SQLite, one row per source, held by one process at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = open(f"{path}.lock", "a+")  # noqa: SIM115 - held for the store's lifetime
        try:
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            self._lock.close()
            raise ConfigError(
                f"{path}: another connector is using this cursor store; give each its own --state"
            ) from exc
        try:
            self.conn = open_sqlite(path, _CURSOR_DDL, what="the cursor store", synchronous="FULL")
        except Exception:
            self._lock.close()
            raise

    def load(self, key: str) -> dict[str, Any] | None:
        row = self.conn.execute("SELECT state FROM cursors WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        try:
            value = json.loads(row[0])
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{self.path}: the cursor of {key!r} is not JSON: {exc}") from exc
        return value if isinstance(value, dict) else None

    def save(self, key: str, state: dict[str, Any]) -> None:
        text = json.dumps(state, ensure_ascii=False, separators=(",", ":"))
        try:
            with self.conn:
                self.conn.execute(
                    "INSERT INTO cursors (key, state, saved_at) VALUES (?, ?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET state = excluded.state, "
                    "saved_at = excluded.saved_at",
                    (key, text, datetime.now(UTC).isoformat()),
                )
        except sqlite3.Error as exc:
            raise ConfigError(f"{self.path}: cannot save the cursor of {key!r}: {exc}") from exc

    def keys(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT key FROM cursors ORDER BY key")]

    def close(self) -> None:
        self.conn.close()
        self._lock.close()


def open_cursor_store(path: Path) -> CursorFile | SqliteCursors:
    """A `.json` path: the one-file JSON format; anything else: a SQLite store, into which the
    cursors of a legacy JSON file of the same name (`x.json` beside `x.db`) are moved once."""
    if path.suffix == ".json":
        return CursorFile(path)
    store = SqliteCursors(path)
    legacy = path.with_suffix(".json")
    if legacy.exists() and not store.keys():
        for key, state in CursorFile(legacy).data.items():
            if isinstance(state, dict):
                store.save(str(key), state)
        legacy.rename(legacy.with_name(legacy.name + ".imported"))
    return store
