"""An embedded live session: the runner with alerts, delivery, feeds and the web app in one loop.

`liveblog replay PATH --subscriptions FILE --alerts - --serve` and `liveblog serve` come here.
The alert stage runs as an extra of the embedded runner; alerts go to the sinks (the alerts
table), to the alert lines (`--alerts`), to the delivery worker (Apprise targets of their
subscription) and to the feed log that the web feeds read. Delivery runs on its own tasks, so a
dead target never slows the replay.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import structlog
from pydantic import BaseModel

from connectors.sinks.alertlines import AlertLinesSink
from connectors.sinks.delivery import Delivery, Sender, apprise_send
from connectors.sinks.feedlog import FeedLog, FeedSink
from connectors.sinks.postgres import is_postgres_url
from schemas.events import Alert, DeadLetter, RawEntry, Subscription
from schemas.exceptions import LiveblogError
from streams.alerts.book import EmbeddedBook
from streams.alerts.directory import SpeakerDirectory
from streams.alerts.matching import Matcher
from streams.alerts.policy import AlertPolicy
from streams.alerts.stage import AlertStage
from streams.alerts.subscriptions import SqliteSubscriptions
from streams.attribution.memory import SpeakerMemory
from streams.core.clock import Clock, system_clock
from streams.core.settings import Settings
from streams.runtime.embedded.runner import EmbeddedRunner, RunStats, Sink
from streams.web.app import build_app, running
from streams.web.context import WebContext
from streams.web.mirror import Mirror, open_reader
from streams.web.notifier import Notifier

__all__ = ["LiveOptions", "LiveSession", "feed_path", "serve_forever"]

log = structlog.get_logger(__name__)

#: seconds between looks at the subscriptions table for changes made by other processes
_REFRESH = 2.0


@dataclass
class LiveOptions:
    """What a live session does besides processing."""

    subscriptions: list[Subscription] = field(default_factory=list)
    alerts_out: str | None = None
    serve: bool = False
    db: str | None = None  # SQLite file of subscriptions, alerts and the feed log
    port: int | None = None  # web port (default: settings.web_port; 0 picks a free one)


class _DeliverySink:
    """Hands each alert to the delivery worker with its subscription's targets."""

    def __init__(self, matcher: Matcher, delivery: Delivery) -> None:
        self.matcher = matcher
        self.delivery = delivery

    def write(self, records: Sequence[BaseModel]) -> None:
        for record in records:
            if isinstance(record, Alert):
                sub = self.matcher.get(record.subscription_id)
                if sub is not None and sub.notify:
                    self.delivery.submit(record, sub.notify)

    def close(self) -> None:
        pass


class LiveSession:
    """The parts of one embedded session, built from settings and options."""

    def __init__(
        self,
        settings: Settings,
        sinks: Sequence[Sink],
        options: LiveOptions,
        *,
        memory: SpeakerMemory | None = None,
        on_record: Callable[[BaseModel], None] | None = None,
        clock: Clock = system_clock,
        send: Sender = apprise_send,
    ) -> None:
        self.settings = settings
        self.options = options
        self.clock = clock
        self.directory = SpeakerDirectory()
        self.matcher = Matcher(directory=self.directory)
        self.store = SqliteSubscriptions(options.db) if options.db else None
        self.book = EmbeddedBook(self.matcher, self.store)
        self.book.refresh()
        self.book.load(options.subscriptions)
        self.stage = AlertStage(
            self.matcher,
            policy=AlertPolicy(limit=settings.alert_limit, window=settings.alert_window),
            clock=clock,
        )
        if self.store is not None:
            self.stage.remember(self.store.sent_alerts())
        self.notifier = Notifier()
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        feed_path = options.db
        if feed_path is None and options.serve:
            self._tmp = tempfile.TemporaryDirectory(prefix="liveblog-feed-")
            feed_path = str(Path(self._tmp.name) / "feed.db")
        self.feed = FeedLog(feed_path) if feed_path else None
        self.delivery = Delivery(
            self._dead_letter,
            send=send,
            attempts=settings.delivery_attempts,
            backoff=settings.delivery_backoff,
            timeout=settings.delivery_timeout,
            clock=clock,
        )
        mine: list[Sink] = [_DeliverySink(self.matcher, self.delivery)]
        if options.alerts_out:
            mine.append(AlertLinesSink(options.alerts_out))
        if self.feed is not None:
            mine.append(FeedSink(self.feed, self.directory, on_append=self.notifier.bump))
        self.sinks: list[Sink] = [*sinks, *mine]
        self.runner = EmbeddedRunner(
            self.sinks,
            memory=memory,
            extras=[self.stage],
            on_record=on_record,
            clock=clock,
            min_confidence=settings.min_confidence,
        )
        self.stage.memory_of = lambda blog: self.runner.state(blog).memory

    def _dead_letter(self, record: DeadLetter) -> None:
        self.emit([record])

    def emit(self, records: Sequence[BaseModel]) -> None:
        """Records made outside the runner (digests, delivery dead letters) to every sink."""
        if not records:
            return
        for record in records:
            if self.runner.on_record is not None:
                self.runner.on_record(record)
        for sink in self.sinks:
            sink.write(records)

    def web_context(self) -> WebContext:
        assert self.feed is not None
        db = self.options.db
        return WebContext(self.settings, self.feed, self.notifier, self.book, db)

    async def process(
        self,
        items: Callable[[], Iterable[RawEntry | DeadLetter]],
        delays: Sequence[float],
        *,
        loop: bool = False,
    ) -> RunStats:
        """Run the items (again and again with `loop`), paced by `delays` when they are not 0."""
        paced = any(d > 0 for d in delays)
        while True:
            for n, (item, delay) in enumerate(zip(items(), [*delays], strict=False)):
                if delay > 0:
                    await asyncio.sleep(delay)
                self.runner.handle(item)
                if paced:
                    self.runner.flush()
                    self.emit(self.stage.tick())
                elif n % 20 == 0:
                    await asyncio.sleep(0)  # let the delivery worker and the web app run
            self.runner.flush()
            if not loop:
                break
        self.emit(self.stage.finish())
        self.runner.flush()
        return self.runner.stats

    async def run(
        self,
        items: Callable[[], Iterable[RawEntry | DeadLetter]],
        delays: Sequence[float],
        *,
        loop: bool = False,
        on_serving: Callable[[int], None] | None = None,
    ) -> RunStats:
        """Process, deliver, and with `serve` keep the web app up until cancelled."""
        self.delivery.start()
        try:
            if self.options.serve:
                app = build_app(self.web_context())
                port = self.settings.web_port if self.options.port is None else self.options.port
                async with running(app, self.settings.web_host, port) as bound:
                    if on_serving is not None:
                        on_serving(bound)
                    refresher = asyncio.get_running_loop().create_task(self._refresh())
                    try:
                        stats = await self.process(items, delays, loop=loop)
                        await self._drain()
                        await asyncio.Event().wait()  # serve until interrupted
                    finally:
                        refresher.cancel()
                return stats
            stats = await self.process(items, delays, loop=loop)
            await self._drain()
            return stats
        finally:
            await self.delivery.stop()
            self.close()

    async def _drain(self) -> None:
        s = self.settings
        longest = sum(
            min(s.delivery_backoff * 2**i, 60.0) + s.delivery_timeout
            for i in range(s.delivery_attempts)
        )
        if not await self.delivery.drain(longest + 5):
            log.warning("deliveries still pending at the end", pending=True)

    async def _refresh(self) -> None:
        while True:
            await asyncio.sleep(_REFRESH)
            self.book.refresh()

    def close(self) -> None:
        self.runner.close()
        if self.store is not None:
            self.store.close()
        if self.feed is not None:
            self.feed.close()
        if self._tmp is not None:
            self._tmp.cleanup()


def feed_path(settings: Settings, db: str, feed_db: Path | None) -> Path:
    """Where `serve` keeps its feed log: given, else inside a SQLite store, else beside the
    worker's scratch files (named after the database, so a restart resumes the same ids)."""
    if feed_db is not None:
        return feed_db
    if not is_postgres_url(db):
        return Path(db)
    digest = hashlib.blake2b(db.encode(), digest_size=6).hexdigest()
    return settings.worker_dir / f"serve-feed-{digest}.db"


async def serve_forever(
    settings: Settings,
    db: str,
    *,
    port: int | None = None,
    feed_db: Path | None = None,
    on_serving: Callable[[int], None] | None = None,
    sources: Callable[[], list[dict[str, Any]]] | None = None,
) -> None:
    """`liveblog serve`: the web app over a database that other processes fill (SQLite or
    PostgreSQL), mirrored into the feed log as it grows."""
    path = feed_path(settings, db, feed_db)
    path.parent.mkdir(parents=True, exist_ok=True)
    store = None if is_postgres_url(db) else SqliteSubscriptions(db)
    book = EmbeddedBook(Matcher(), store) if store is not None else None
    if book is not None:
        book.refresh()
    feed = FeedLog(path)
    notifier = Notifier()
    notifier.bump(feed.last_seq())
    mirror = Mirror(open_reader(db), feed, notifier)
    ctx = WebContext(settings, feed, notifier, book, db)
    ctx.not_ready = lambda: None if mirror.ready else (mirror.error or "store not read yet")
    ctx.errors = lambda: mirror.errors_by_blog
    if sources is not None:
        ctx.sources = sources
    follower = asyncio.get_running_loop().create_task(mirror.run())
    try:
        async with running(
            build_app(ctx), settings.web_host, port if port is not None else settings.web_port
        ) as bound:
            log.info("ready", url=f"http://{settings.web_host}:{bound}/", store=mirror.reader.where)
            if on_serving is not None:
                on_serving(bound)
            while True:
                await asyncio.sleep(_REFRESH)
                if book is not None:
                    with contextlib.suppress(LiveblogError):
                        book.refresh()
    finally:
        follower.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await follower
        await mirror.reader.close()
        if store is not None:
            store.close()
        feed.close()
