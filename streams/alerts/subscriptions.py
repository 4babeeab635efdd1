"""Where subscriptions live: a YAML file, and the SQLite table of embedded mode.

The YAML file (`--subscriptions FILE`) is a list of items with `id`, `filter` and optional
`notify` (a list of Apprise URLs)::

    - id: okafor-rent
      filter: speaker:okafor (rent OR "rent cap")
      notify: ["json://127.0.0.1:8080/hook"]

Every filter is compiled when it is read, so a bad one is refused with its position.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from schemas.events import Subscription
from schemas.exceptions import ConfigError, FilterSyntaxError, SinkError
from streams.alerts.filters import compile_filter
from streams.core.sqlite import open_sqlite

__all__ = [
    "MAX_SUBSCRIPTIONS_FILE_BYTES",
    "SqliteSubscriptions",
    "load_subscriptions",
    "validate_subscription",
]

MAX_SUBSCRIPTIONS_FILE_BYTES = 5_000_000
#: Apprise URLs per subscription at most
MAX_TARGETS = 20


def validate_subscription(data: Any, *, now: datetime | None = None) -> Subscription:
    """A subscription from untrusted data: a valid model with a filter that compiles."""
    if not isinstance(data, dict):
        raise ConfigError("a subscription is a mapping with id, filter and optional notify")
    item = dict(data)
    notify = item.get("notify") or ()
    if isinstance(notify, str):
        notify = (notify,)
    item["notify"] = tuple(notify)
    if len(item["notify"]) > MAX_TARGETS:
        raise ConfigError(f"at most {MAX_TARGETS} notify targets per subscription")
    if now is not None and not item.get("created_at"):
        item["created_at"] = now
    try:
        sub = Subscription.model_validate(item)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "subscription"
        raise ConfigError(f"{loc}: {first['msg']}") from exc
    compile_filter(sub.filter)  # FilterSyntaxError with the position
    return sub


def load_subscriptions(path: Path) -> list[Subscription]:
    """The subscriptions of a YAML file; `ConfigError` names the item that is wrong."""
    try:
        size = path.stat().st_size
        if size > MAX_SUBSCRIPTIONS_FILE_BYTES:
            raise ConfigError(f"{path}: {size} bytes is over {MAX_SUBSCRIPTIONS_FILE_BYTES}")
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read subscriptions: {exc}") from exc
    if isinstance(data, dict) and "subscriptions" in data:
        data = data["subscriptions"]
    if data is None:
        return []
    if not isinstance(data, list):
        raise ConfigError(f"{path}: expected a list of subscriptions")
    out: dict[str, Subscription] = {}
    for i, item in enumerate(data):
        try:
            sub = validate_subscription(item)
        except FilterSyntaxError as exc:
            raise ConfigError(f"{path}: item {i}: filter: {exc}") from exc
        except ConfigError as exc:
            raise ConfigError(f"{path}: item {i}: {exc}") from exc
        if sub.id in out:
            raise ConfigError(f"{path}: item {i}: duplicate id {sub.id!r}")
        out[sub.id] = sub
    return list(out.values())


_DDL = (
    "CREATE TABLE IF NOT EXISTS subscriptions "
    "(id TEXT, filter TEXT, notify TEXT, created_at TEXT, PRIMARY KEY (id))"
)


class SqliteSubscriptions:
    """The `subscriptions` table of a SQLite database (the sink's file in embedded mode)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.conn = open_sqlite(self.path, [_DDL], what="subscriptions", check_same_thread=False)

    def put(self, subscription: Subscription) -> None:
        """Insert or replace one subscription."""
        self.put_many([subscription])

    def put_many(self, subscriptions: Iterable[Subscription]) -> None:
        rows = [
            (
                s.id,
                s.filter,
                json.dumps(list(s.notify)),
                s.created_at.isoformat() if s.created_at else None,
            )
            for s in subscriptions
        ]
        try:
            with self.conn:
                self.conn.executemany(
                    "INSERT INTO subscriptions (id, filter, notify, created_at) VALUES (?,?,?,?) "
                    "ON CONFLICT (id) DO UPDATE SET filter=excluded.filter, "
                    "notify=excluded.notify, created_at=excluded.created_at",
                    rows,
                )
        except sqlite3.Error as exc:
            raise SinkError(f"{self.path}: cannot save subscriptions: {exc}") from exc

    def delete(self, subscription_id: str) -> bool:
        """Remove one subscription; whether it existed."""
        try:
            with self.conn:
                cur = self.conn.execute(
                    "DELETE FROM subscriptions WHERE id = ?", (subscription_id,)
                )
        except sqlite3.Error as exc:
            raise SinkError(f"{self.path}: cannot delete subscription: {exc}") from exc
        return cur.rowcount > 0

    def all(self) -> list[Subscription]:
        """Every stored subscription, by id; rows that no longer validate are skipped."""
        try:
            rows = list(
                self.conn.execute(
                    "SELECT id, filter, notify, created_at FROM subscriptions ORDER BY id"
                )
            )
        except sqlite3.Error as exc:
            raise SinkError(f"{self.path}: cannot read subscriptions: {exc}") from exc
        out = []
        for sid, flt, notify, created in rows:
            try:
                out.append(
                    Subscription(
                        id=sid,
                        filter=flt,
                        notify=tuple(json.loads(notify or "[]")),
                        created_at=created,
                    )
                )
            except (ValidationError, ValueError):
                continue
        return out

    def get(self, subscription_id: str) -> Subscription | None:
        return next((s for s in self.all() if s.id == subscription_id), None)

    def sent_alerts(self, limit: int = 1_000_000) -> list[tuple[str, str]]:
        """(subscription id, alert id) of the alerts already in the alerts table, oldest first."""
        try:
            return [
                (str(sub), str(aid))
                for sub, aid in self.conn.execute(
                    "SELECT subscription_id, alert_id FROM alerts ORDER BY created_at LIMIT ?",
                    (limit,),
                )
            ]
        except sqlite3.OperationalError:
            return []  # no alerts table yet

    def close(self) -> None:
        self.conn.close()
