"""`liveblog subscribe add|list|remove|check`, `liveblog serve`, and the live branch of replay.

Subscriptions are kept in the SQLite database (`--db`, default settings.db) in embedded mode.
`replay PATH --subscriptions FILE --alerts - --serve` runs through `run_replay_live`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from pydantic import BaseModel

    from schemas.events import DeadLetter, RawEntry, Subscription
    from schemas.exceptions import FilterSyntaxError
    from streams.attribution.memory import SpeakerMemory
    from streams.core.settings import Settings
    from streams.runtime.embedded.runner import RunStats, Sink

from rich.console import Console

from streams.cli.shared import err_console, fail, start

__all__ = ["register", "run_replay_live"]

subscribe_app = typer.Typer(
    help="Manage keyword alert subscriptions (embedded mode: the SQLite database).",
    no_args_is_help=True,
)

_DB = typer.Option(None, "--db", help="SQLite database (else LIVEBLOG_DB, default liveblog.db)")
_BROKER = typer.Option(
    None, "--broker", help="kafka://HOST:PORT: Kafka mode, the compacted subscriptions topic"
)


def register(app: typer.Typer) -> None:
    app.add_typer(subscribe_app, name="subscribe")
    app.command("serve")(serve)


def _filter_error(exc: FilterSyntaxError) -> None:
    """The error line, the filter with a caret under the fault (docs/subscriptions.md), exit 2."""
    sys.stderr.write(f"liveblog: error: invalid filter: {exc}\n")
    raise typer.Exit(2)


@subscribe_app.command("add")
def add(
    subscription_id: str = typer.Argument(..., metavar="ID", help="letters, digits, . _ : -"),
    filter_: str = typer.Argument(..., metavar="FILTER", help="e.g. 'speaker:okafor rent'"),
    notify: list[str] = typer.Option([], "--notify", help="Apprise URL (repeatable)"),
    db: str | None = _DB,
    broker: str | None = _BROKER,
) -> None:
    """Add or replace a subscription."""
    from schemas.exceptions import FilterSyntaxError
    from streams.alerts.subscriptions import SqliteSubscriptions, validate_subscription
    from streams.core.clock import system_clock

    settings = start(db=db, broker=broker)
    try:
        sub = validate_subscription(
            {"id": subscription_id, "filter": filter_, "notify": notify}, now=system_clock()
        )
    except FilterSyntaxError as exc:
        _filter_error(exc)
        return
    if broker is not None:
        asyncio.run(_publish(settings, sub.id, sub))
    else:
        store = SqliteSubscriptions(settings.db)
        try:
            store.put(sub)
        finally:
            store.close()
    err_console.print(f"subscription {sub.id} saved", highlight=False)


@subscribe_app.command("list")
def list_(
    db: str | None = _DB,
    broker: str | None = _BROKER,
    as_json: bool = typer.Option(False, "--json", help="one JSON object per line"),
) -> None:
    """List the subscriptions (notify URLs redacted): from the database, or with --broker from
    the compacted subscriptions topic of Kafka mode."""
    from rich.table import Table

    from connectors.sinks.delivery import redact
    from streams.alerts.subscriptions import SqliteSubscriptions

    settings = start(db=db, broker=broker)
    if broker is not None:
        subs = asyncio.run(_read_subscriptions(settings))
    else:
        store = SqliteSubscriptions(settings.db)
        try:
            subs = store.all()
        finally:
            store.close()
    if as_json:
        for sub in subs:
            data = sub.model_dump(mode="json", exclude={"schema_version", "event"})
            data["notify"] = [redact(u) for u in sub.notify]
            sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        return
    table = Table(show_lines=False)
    table.add_column("id")
    table.add_column("filter")
    table.add_column("notify")
    for sub in subs:
        table.add_row(sub.id, sub.filter, "\n".join(redact(u) for u in sub.notify))
    Console(highlight=False).print(table)


@subscribe_app.command("remove")
def remove(
    subscription_id: str = typer.Argument(..., metavar="ID"),
    db: str | None = _DB,
    broker: str | None = _BROKER,
) -> None:
    """Remove a subscription."""
    from streams.alerts.subscriptions import SqliteSubscriptions

    settings = start(db=db, broker=broker)
    if broker is not None:
        asyncio.run(_publish(settings, subscription_id, None))
        err_console.print(f"subscription {subscription_id} removed", highlight=False)
        return
    store = SqliteSubscriptions(settings.db)
    try:
        found = store.delete(subscription_id)
    finally:
        store.close()
    if not found:
        fail(f"no subscription {subscription_id!r}")
    err_console.print(f"subscription {subscription_id} removed", highlight=False)


async def _read_subscriptions(settings: Settings) -> list[Subscription]:
    """The subscriptions topic read to its end: the last value of each key, tombstones deleting."""
    from aiokafka import AIOKafkaConsumer, TopicPartition
    from aiokafka.errors import KafkaError

    from connectors.kafka_admin import partition_count
    from schemas.codec import decode_any
    from schemas.events import Subscription
    from schemas.exceptions import ConfigError, LiveblogError
    from streams.core.topics import alert_topics, bootstrap_servers

    topic, _ = alert_topics(settings)
    found: dict[str, Subscription] = {}
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers(settings.broker), enable_auto_commit=False
    )
    try:
        count = await partition_count(settings, topic)
        if not count:
            return []
        await consumer.start()
        tps = [TopicPartition(topic, p) for p in range(count)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        pending = {tp for tp in tps if ends[tp] > 0}
        while pending:
            batch = await consumer.getmany(*pending, timeout_ms=1000)
            for tp, records in batch.items():
                for record in records:
                    key = record.key.decode("utf-8", "replace") if record.key else ""
                    if record.value is None:
                        found.pop(key, None)
                        continue
                    try:
                        sub = decode_any(record.value)
                    except LiveblogError:
                        continue
                    if isinstance(sub, Subscription):
                        found[key] = sub
                if await consumer.position(tp) >= ends[tp]:
                    pending.discard(tp)
    except KafkaError as exc:
        raise ConfigError(f"cannot read {topic} at {settings.broker}: {exc}") from exc
    finally:
        await consumer.stop()
    return sorted(found.values(), key=lambda s: s.id)


async def _publish(settings: Settings, subscription_id: str, sub: Subscription | None) -> None:
    from connectors.kafka_admin import ensure_alert_topics
    from connectors.sinks.subscriptions import publish_subscription

    await ensure_alert_topics(settings)
    await publish_subscription(settings, subscription_id, sub)


@subscribe_app.command("check")
def check(filter_: str = typer.Argument(..., metavar="FILTER")) -> None:
    """Check a filter: prints its parsed form, or the error with its position."""
    from schemas.exceptions import FilterSyntaxError
    from streams.alerts.filters import compile_filter

    try:
        compiled = compile_filter(filter_)
    except FilterSyntaxError as exc:
        _filter_error(exc)
        return
    sys.stdout.write(f"{compiled.tree}\n")


def serve(
    db: str | None = typer.Option(
        None, "--db", help="SQLite path or postgresql:// URL that replay, connect or sink fill"
    ),
    host: str | None = typer.Option(None, help="address to listen on (default 127.0.0.1)"),
    port: int | None = typer.Option(
        None, min=0, max=65535, help="port (default 6066; 0 picks a free one)"
    ),
    feed_db: Path | None = typer.Option(
        None,
        "--feed-db",
        help="the feed log (SQLite) that numbers events; default: in the "
        "SQLite store, or beside the worker's scratch files for PostgreSQL",
    ),
) -> None:
    """Serve the live page, feeds and API over a database that `replay`, `connect` or `sink`
    fill (SQLite or PostgreSQL); new rows reach the page and the feeds as they are written."""
    from streams.cli.shared import check_port
    from streams.web.live import serve_forever

    settings = start(db=db, web_host=host)
    bind = settings.web_port if port is None else port
    check_port(settings.web_host, bind)

    def serving(bound: int) -> None:
        err_console.print(f"serving http://{settings.web_host}:{bound}/", highlight=False)

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            serve_forever(settings, settings.db, port=bind, feed_db=feed_db, on_serving=serving)
        )


def run_replay_live(
    settings: Settings,
    items: Callable[[], Iterable[RawEntry | DeadLetter]],
    delays: Sequence[float],
    sinks: list[Sink],
    memory: SpeakerMemory,
    on_record: Callable[[BaseModel], None],
    *,
    loop: bool,
    subscriptions: Path | None,
    alerts: str | None,
    serve: bool,
    db: str | None,
    port: int | None = None,
) -> RunStats:
    """The replay with subscriptions, alert lines and/or the web app (embedded mode)."""
    from schemas.exceptions import ConfigError
    from streams.alerts.subscriptions import load_subscriptions
    from streams.runtime.embedded.runner import RunStats
    from streams.web.live import LiveOptions, LiveSession

    subs = load_subscriptions(subscriptions) if subscriptions else []
    if alerts == "-" and any(getattr(s, "stream", None) is sys.stdout for s in sinks):
        raise ConfigError("--alerts - and --output - cannot both use stdout")
    options = LiveOptions(subscriptions=subs, alerts_out=alerts, serve=serve, db=db, port=port)
    session = LiveSession(settings, sinks, options, memory=memory, on_record=on_record)

    def serving(bound: int) -> None:
        err_console.print(
            f"serving http://{settings.web_host}:{bound}/  (Ctrl-C to stop)", highlight=False
        )

    stats = RunStats()
    with contextlib.suppress(KeyboardInterrupt):
        stats = asyncio.run(session.run(items, delays, loop=loop, on_serving=serving))
    return stats
