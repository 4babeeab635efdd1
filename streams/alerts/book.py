"""The subscription book: the live set of subscriptions, with the store behind it.

The matcher holds the compiled subscriptions the stream is matched against; the book keeps it in
step with where subscriptions are stored. In embedded mode that is the SQLite table (changes made
by another process, `liveblog subscribe add`, are picked up by `refresh`); in Kafka mode the
compacted subscriptions topic (`streams.runtime.kafka.alerts`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

import structlog

from schemas.events import Subscription
from schemas.exceptions import LiveblogError
from streams.alerts.matching import Matcher
from streams.alerts.subscriptions import SqliteSubscriptions

__all__ = ["EmbeddedBook", "SubscriptionBook"]

log = structlog.get_logger(__name__)


class SubscriptionBook(Protocol):
    """What the HTTP API needs of the subscriptions."""

    def list(self) -> list[Subscription]: ...

    def get(self, subscription_id: str) -> Subscription | None: ...

    async def put(self, subscription: Subscription) -> None: ...

    async def delete(self, subscription_id: str) -> bool: ...


class EmbeddedBook:
    """Subscriptions of embedded mode: the matcher in memory, the SQLite table (optional)."""

    def __init__(self, matcher: Matcher, store: SqliteSubscriptions | None = None) -> None:
        self.matcher = matcher
        self.store = store

    def load(self, subscriptions: Iterable[Subscription]) -> None:
        """Add subscriptions (a YAML file's) to the matcher and the store."""
        subs = list(subscriptions)
        for sub in subs:
            self.matcher.add(sub)
        if self.store is not None and subs:
            self.store.put_many(subs)

    def refresh(self) -> bool:
        """Take in the store's changes made elsewhere; whether anything changed."""
        if self.store is None:
            return False
        stored = {s.id: s for s in self.store.all()}
        changed = False
        for sub_id in [s.id for s in self.matcher.subscriptions() if s.id not in stored]:
            self.matcher.remove(sub_id)
            changed = True
        for sub in stored.values():
            if self.matcher.get(sub.id) != sub:
                try:
                    self.matcher.add(sub)
                except LiveblogError as exc:
                    log.warning(
                        "stored subscription skipped", subscription_id=sub.id, reason=str(exc)
                    )
                    continue
                changed = True
        return changed

    def list(self) -> list[Subscription]:
        return sorted(self.matcher.subscriptions(), key=lambda s: s.id)

    def get(self, subscription_id: str) -> Subscription | None:
        return self.matcher.get(subscription_id)

    async def put(self, subscription: Subscription) -> None:
        self.matcher.add(subscription)
        if self.store is not None:
            self.store.put(subscription)

    async def delete(self, subscription_id: str) -> bool:
        found = self.matcher.remove(subscription_id)
        if self.store is not None:
            found = self.store.delete(subscription_id) or found
        return found
