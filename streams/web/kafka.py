"""The page, feeds and API served by a Kafka worker (`LIVEBLOG_WORKER_WEB`): subscriptions from
the topic, a local feed log filled from the entries, quotes and alerts topics."""

from __future__ import annotations

import asyncio

import structlog

from connectors.sinks.feedlog import FeedLog, FeedSink
from connectors.sinks.subscriptions import KafkaBook
from schemas.codec import decode_any
from schemas.exceptions import LiveblogError
from streams.alerts.matching import Matcher
from streams.core.settings import Settings
from streams.runtime.kafka.alerts import follow_topics
from streams.web.app import build_app, running
from streams.web.context import WebContext
from streams.web.notifier import Notifier

__all__ = ["serve_web"]

log = structlog.get_logger(__name__)


async def serve_web(settings: Settings, matcher: Matcher) -> None:
    """The page, feeds and API on this worker: subscriptions from the topic, a local feed log
    filled from the entries, quotes and alerts topics."""
    path = settings.feed_db or settings.worker_dir / f"{settings.app_id}-feed.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    feed = FeedLog(path)
    notifier = Notifier()
    sink = FeedSink(feed, matcher.directory, on_append=notifier.bump)

    def on_record(value: bytes) -> None:
        try:
            sink.write([decode_any(value)])
        except LiveblogError as exc:
            log.warning("feed record skipped", reason=str(exc))

    names = [f"{settings.topic_prefix}.{t}" for t in ("entries", "quotes", "alerts")]
    history = settings.db if "://" not in settings.db else None  # a `liveblog sink` SQLite file
    ctx = WebContext(settings, feed, notifier, KafkaBook(settings, matcher), history)
    follower = asyncio.get_running_loop().create_task(follow_topics(settings, names, on_record))
    try:
        async with running(build_app(ctx), settings.web_host, settings.web_port) as port:
            log.info("serving", host=settings.web_host, port=port)
            await asyncio.Event().wait()
    finally:
        follower.cancel()
        feed.close()
