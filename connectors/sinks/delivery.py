"""Alert delivery through Apprise URLs: a separate worker with retries and a dead-letter exit.

`Delivery.deliver(alert, targets)` returns once every target has the alert or its dead letter was
handed on (awaited, when the callback is a coroutine): the Kafka delivery agent awaits it before
it acknowledges the alert record, so a worker killed during retries leaves the record uncommitted
and its successor delivers it again (at-least-once; alert ids make a repeat recognisable).
`Delivery.submit(alert, targets)` never waits: it puts the work on a bounded queue (a full queue
dead-letters at once) and returns; the embedded runner and the web server use it. Each (alert,
target) pair is sent on its own task, at most `concurrency` at a time, retrying through the one
retry policy (`streams.core.retry`: stamina's exponential backoff with jitter, capped at
`max_backoff`, each retry counted in `liveblog_retries_total{what="delivery"}`); a target that
still fails after `attempts` tries sends the alert to the dead-letter callback with the reason.
A slow or dead target holds up neither processing nor other targets.

Apprise URLs carry secrets (tokens, passwords, webhook paths): they are only ever logged or put
in a reason through `redact`, which keeps the scheme, the host of plain web hooks and a short
fingerprint to tell targets apart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import structlog

from schemas.events import Alert, DeadLetter, stable_id
from streams.core.clock import Clock, system_clock
from streams.core.metrics import Metrics
from streams.core.retry import retrying
from streams.pipeline.deadletter import dead_letter

__all__ = ["Delivery", "DeliveryStats", "Sender", "apprise_send", "format_alert", "redact"]

log = structlog.get_logger(__name__)

#: (url, title, body, timeout seconds) -> delivered
Sender = Callable[[str, str, str, float], Awaitable[bool]]

# schemes whose host part is a plain host, not a token; only those show it
_HOST_SCHEMES = frozenset({"json", "jsons", "form", "forms", "xml", "xmls", "http", "https"})
_URL = re.compile(r"\b[a-z][a-z0-9+.-]{1,15}://[^\s'\"<>]+", re.IGNORECASE)


def redact(url: str) -> str:
    """A URL safe to log: scheme, host only for plain web hooks, a fingerprint; no secrets."""
    mark = stable_id("target", url, length=8)
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower() or "?"
        host = parts.hostname if scheme in _HOST_SCHEMES else None
        port = parts.port if host else None
    except ValueError:
        return f"?://***#{mark}"
    where = f"{host}:{port}" if host and port else host or "***"
    return f"{scheme}://{where}/…#{mark}"


class _RedactingFilter(logging.Filter):
    """Rewrites URLs in Apprise's own log records, whose messages may hold tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = _URL.sub(lambda m: redact(m.group(0)), message)
        record.args = ()
        return True


def _quiet_apprise() -> None:
    logger = logging.getLogger("apprise")
    if not any(isinstance(f, _RedactingFilter) for f in logger.filters):
        logger.addFilter(_RedactingFilter())
    logger.setLevel(logging.ERROR)


async def apprise_send(url: str, title: str, body: str, timeout: float) -> bool:
    """Send one notification with Apprise; whether the target took it."""
    import apprise

    _quiet_apprise()
    notifier = apprise.Apprise()
    if not notifier.add(url):
        return False
    result = await notifier.async_notify(body=body, title=title, timeout=timeout)
    return bool(result)


def format_alert(alert: Alert) -> tuple[str, str]:
    """The title and body of an alert's notification."""
    who = alert.speaker.name if alert.speaker else "an entry"
    if alert.digest_count:
        title = f"liveblog: {alert.digest_count} more alerts ({alert.subscription_id})"
        return title, alert.text
    title = f"liveblog: {who} ({alert.subscription_id})"
    terms = ", ".join(sorted({m.term for m in alert.matches}))
    text = alert.text if len(alert.text) <= 2000 else alert.text[:2000] + "…"
    lines = [text, ""]
    if terms:
        lines.append(f"matched: {terms}")
    if alert.published_at:
        lines.append(f"published: {alert.published_at.isoformat()}")
    lines.append(f"alert: {alert.alert_id}  entry: {alert.entry_id}")
    return title, "\n".join(lines)


class _NotDelivered(Exception):
    """One try that did not deliver; `reason` says why (no secrets)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class DeliveryStats:
    delivered: int = 0
    retried: int = 0
    dead_lettered: int = 0


class Delivery:
    """The delivery worker: a bounded queue, retries with backoff, dead letters at the end."""

    def __init__(
        self,
        on_dead_letter: Callable[[DeadLetter], Awaitable[None] | None],
        *,
        send: Sender = apprise_send,
        attempts: int = 4,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        timeout: float = 10.0,
        concurrency: int = 8,
        queue_size: int = 10_000,
        clock: Clock = system_clock,
        metrics: Metrics | None = None,
    ) -> None:
        self.on_dead_letter = on_dead_letter
        self.send = send
        self.attempts = attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.timeout = timeout
        self.clock = clock
        self.metrics = metrics
        self.stats = DeliveryStats()
        self._queue: asyncio.Queue[tuple[Alert, str]] = asyncio.Queue(maxsize=queue_size)
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._worker: asyncio.Task[None] | None = None

    def submit(self, alert: Alert, targets: Sequence[str]) -> None:
        """Queue an alert for its targets and return at once."""
        for url in targets:
            try:
                self._queue.put_nowait((alert, url))
            except asyncio.QueueFull:
                handed = self._dead(alert, url, "delivery queue is full", 0)
                if handed is not None:
                    task = asyncio.ensure_future(handed)
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)

    async def deliver(self, alert: Alert, targets: Sequence[str]) -> None:
        """Deliver `alert` to every target, retrying; returns once each target has it or its
        dead letter was handed on. At most `concurrency` sends run at once."""
        await asyncio.gather(*(self._bounded(alert, url) for url in targets))

    async def _bounded(self, alert: Alert, url: str) -> None:
        async with self._slots:
            await self._deliver(alert, url)

    def start(self) -> None:
        if self._worker is None:
            self._worker = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            alert, url = await self._queue.get()
            await self._slots.acquire()
            task = asyncio.get_running_loop().create_task(self._deliver(alert, url))
            self._tasks.add(task)
            task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._slots.release()
        self._queue.task_done()

    async def _deliver(self, alert: Alert, url: str) -> None:
        target = redact(url)
        title, body = format_alert(alert)
        bound = log.bind(alert_id=alert.alert_id, subscription_id=alert.subscription_id)
        tries = 0
        try:
            async for attempt in retrying(
                "delivery",
                on=_NotDelivered,
                metrics=self.metrics,
                attempts=self.attempts,
                timeout=None,
                wait_initial=self.backoff,
                wait_max=self.max_backoff,
            ):
                with attempt:
                    tries = attempt.num
                    if tries > 1:
                        self.stats.retried += 1
                    await self._send_once(url, title, body, bound, target, tries)
        except _NotDelivered as exc:
            handed = self._dead(alert, url, exc.reason, tries)
            if handed is not None:
                await handed
            return
        self.stats.delivered += 1
        bound.info("alert delivered", target=target, attempt=tries)

    async def _send_once(
        self, url: str, title: str, body: str, bound: Any, target: str, attempt: int
    ) -> None:
        """One try; `_NotDelivered` with the reason when the target did not take it."""
        try:
            ok = await asyncio.wait_for(self.send(url, title, body, self.timeout), self.timeout + 1)
            reason = "the target refused the notification or could not be reached"
        except TimeoutError:
            ok, reason = False, f"no answer within {self.timeout:g} s"
        except (OSError, ValueError, RuntimeError) as exc:
            ok, reason = False, f"{type(exc).__name__}"
        if not ok:
            if attempt < self.attempts:
                bound.warning("delivery failed, retrying", target=target, attempt=attempt)
            raise _NotDelivered(reason)

    def _dead(self, alert: Alert, url: str, reason: str, attempts: int) -> Awaitable[None] | None:
        target = redact(url)
        why = f"delivery to {target} failed after {attempts} attempts: {reason}"
        self.stats.dead_lettered += 1
        log.error("alert dead-lettered", alert_id=alert.alert_id, target=target, reason=reason)
        return self.on_dead_letter(
            dead_letter(
                "delivery", why, alert.model_dump_json(), now=self.clock(), blog_id=alert.blog_id
            )
        )

    async def drain(self, timeout: float) -> bool:
        """Wait until every queued delivery is done (or `timeout`); whether it finished."""
        try:
            await asyncio.wait_for(self._queue.join(), timeout)
        except TimeoutError:
            return False
        return True

    async def stop(self) -> None:
        """Stop the worker and cancel deliveries in flight."""
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
