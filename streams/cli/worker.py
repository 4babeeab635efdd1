"""Commands of the Kafka runtime: `worker`, `sink`, `tail`, `dev kafka start|stop`.

Also the Kafka branch of `liveblog replay PATH --broker kafka://HOST:PORT` (`replay_to_kafka`).
Faust is imported only by `worker`, so the other commands start quickly.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
from collections.abc import Callable, Iterable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from pydantic import BaseModel
    from rich.text import Text

    from schemas.events import DeadLetter, RawEntry, SpeakerRef
    from streams.core.settings import Settings
    from streams.core.topics import TopicKind

from rich.console import Console

from streams.cli.shared import check_port, err_console, fail, start, usage

__all__ = ["register", "replay_to_kafka", "speaker_matches"]

_SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"

dev_app = typer.Typer(help="Local services for development.", no_args_is_help=True)
kafka_app = typer.Typer(help="The local single-node Kafka broker (scripts/kafka).")
dev_app.add_typer(kafka_app, name="kafka")


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)
    app.command("sink")(sink)
    app.command("tail")(tail)
    app.add_typer(dev_app, name="dev")


# ------------------------------------------------------------------------------ settings ----


def _settings(
    *,
    broker: str | None,
    prefix: str | None,
    log_format: str | None,
    json_logs: bool,
    **more: Any,
) -> Settings:
    """Settings from env and flags; long-running services log JSON unless told otherwise."""
    settings = start(broker=broker, topic_prefix=prefix, log_format=log_format, **more)
    if json_logs and "log_format" not in settings.model_fields_set:
        settings = start(broker=broker, topic_prefix=prefix, log_format="json", **more)
    return settings


_BROKER = typer.Option(None, "--broker", help="kafka://HOST:PORT (else LIVEBLOG_BROKER)")
_PREFIX = typer.Option(None, "--prefix", help="topic name prefix (else LIVEBLOG_TOPIC_PREFIX)")
_LOG_FORMAT = typer.Option(None, "--log-format", help="json (default) or console")
_METRICS = typer.Option(
    None,
    "--metrics-port",
    min=0,
    max=65535,
    help="serve Prometheus /metrics, /healthz and /readyz on this port",
)


# -------------------------------------------------------------------------------- worker ----


def worker(
    broker: str | None = _BROKER,
    prefix: str | None = _PREFIX,
    app_id: str | None = typer.Option(None, "--app-id", help="Faust app id = consumer group"),
    partitions: int | None = typer.Option(None, help="partitions of new topics"),
    speakers: Path | None = typer.Option(None, help="YAML knowledge file of people"),
    metrics_port: int | None = _METRICS,
    log_format: str | None = _LOG_FORMAT,
    web: bool | None = typer.Option(
        None, "--web/--no-web", help="serve the page, feeds and API too (LIVEBLOG_WORKER_WEB)"
    ),
    port: int | None = typer.Option(
        None, "--port", min=1, max=65535, help="--web on this port (LIVEBLOG_WEB_PORT, 6066)"
    ),
) -> None:
    """Run a Faust worker: raw entries -> parse, attribute, enrich -> entries, quotes, speakers.

    Several workers with the same app id share the partitions; a blog's speaker memory lives in
    a changelog-backed table, so a restarted or rebalanced worker carries on where it stopped.
    """
    from connectors.kafka_admin import ensure_topics
    from streams.attribution.memory import starting_memory
    from streams.core.metrics import stdlib_logging_config

    settings = _settings(
        broker=broker,
        prefix=prefix,
        log_format=log_format,
        json_logs=True,
        app_id=app_id,
        partitions=partitions,
        speakers_file=speakers,
        metrics_port=metrics_port,
        worker_web=web,
        web_port=port,
    )
    if port is not None and not settings.worker_web:
        usage("--port needs --web (or LIVEBLOG_WORKER_WEB=1)")
    if settings.worker_web:
        check_port(settings.web_host, settings.web_port)
    if settings.metrics_port:
        check_port(settings.metrics_host, settings.metrics_port)
    # slow to import (Faust): only this command needs it
    from streams.runtime.kafka.app import create_app, faust_worker

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(ensure_topics(settings))
    from connectors.kafka_admin import ensure_alert_topics
    from streams.runtime.kafka.alerts import alert_plugin  # subscriptions, alerts
    from streams.web.kafka import serve_web

    loop.run_until_complete(ensure_alert_topics(settings))
    memory = starting_memory(settings.speakers_file, limit=settings.max_speakers)
    runtime = create_app(settings, memory=memory, plugins=[alert_plugin(web=serve_web)])
    if settings.metrics_port is not None:
        runtime.metrics.serve(settings.metrics_port, settings.metrics_host)
    _report(runtime.app, runtime.metrics, settings, "worker", "process")
    faust_worker(
        runtime.app,
        loop=loop,
        loglevel=settings.log_level,
        quiet=True,
        redirect_stdouts=False,
        logging_config=stdlib_logging_config(settings.log_level, settings.log_format),
    ).execute_from_commandline()


#: seconds between the INFO progress lines of worker and sink
_PROGRESS = 30.0


def _progress_line(metrics: Any, stage: str) -> dict[str, float]:
    return {
        "records_in": metrics.value("liveblog_records_in_total", stage=stage),
        "records_out": metrics.value("liveblog_records_out_total", stage=stage),
        "dead_letters": sum(
            metrics.value("liveblog_dead_letters_total", stage=s)
            for s in ("decode", "process", "publish", "sink", "source")
        ),
    }


def _report(app: Any, metrics: Any, settings: Settings, what: str, stage: str) -> None:
    """A "ready" line once the Faust app has started (and `/readyz` turns 200), then a
    progress line every `_PROGRESS` seconds, at INFO."""
    import structlog

    log = structlog.get_logger("liveblog." + what)

    async def started() -> None:
        metrics.ready = True
        from streams.core.native import status

        log.info(
            "ready",
            broker=settings.broker,
            prefix=settings.topic_prefix,
            metrics_port=metrics.port,
            stages=str(status()),
        )

    # Faust runs app tasks once it has fully started (tables recovered); `on_startup_finished`
    # is taken by faust.Worker itself
    app.task(started)

    async def progress() -> None:
        log.info("progress", **_progress_line(metrics, stage))

    app.timer(interval=_PROGRESS)(progress)


async def _sink_progress(metrics: Any) -> None:
    import structlog

    log = structlog.get_logger("liveblog.sink")
    while True:
        await asyncio.sleep(_PROGRESS)
        log.info("progress", **_progress_line(metrics, "sink"))


# ---------------------------------------------------------------------------------- sink ----


def sink(
    db: str | None = typer.Option(None, "--db", help="SQLite path or postgresql:// URL"),
    broker: str | None = _BROKER,
    prefix: str | None = _PREFIX,
    group: str | None = typer.Option(None, "--group", help="consumer group (APP_ID-sink)"),
    batch_size: int | None = typer.Option(None, "--batch-size", help="records per write"),
    until_idle: float | None = typer.Option(
        None, "--until-idle", help="exit after this many seconds without a record"
    ),
    metrics_port: int | None = _METRICS,
    log_format: str | None = _LOG_FORMAT,
) -> None:
    """Write entries, quotes, speakers, alerts and dead letters from Kafka into a database."""
    settings = _settings(
        broker=broker,
        prefix=prefix,
        log_format=log_format,
        json_logs=True,
        db=db,
        sink_group=group,
        sink_batch_size=batch_size,
        metrics_port=metrics_port,
    )
    asyncio.run(_sink(settings, until_idle))


async def _sink(settings: Settings, until_idle: float | None) -> None:
    from connectors.kafka_admin import ensure_topics
    from connectors.sinks.consumer_sink import TopicSink, open_sink
    from streams.core.metrics import Metrics

    await ensure_topics(settings)
    metrics = Metrics()
    if settings.metrics_port is not None:
        metrics.serve(settings.metrics_port, settings.metrics_host)
    stop = _stop_on_signals()
    store = await open_sink(settings.db)
    metrics.ready = True
    import structlog

    structlog.get_logger("liveblog.sink").info(
        "ready", broker=settings.broker, db=_redacted_db(settings.db), metrics_port=metrics.port
    )
    reporter = asyncio.get_running_loop().create_task(_sink_progress(metrics))
    try:
        sink = TopicSink(settings, store, database=_redacted_db(settings.db), metrics=metrics)
        stats = await sink.run(stop=stop, idle_exit=until_idle)
    finally:
        reporter.cancel()
        await store.close()
    err_console.print(
        f"sink: {stats.records} records in {stats.batches} batches, {stats.invalid} invalid",
        highlight=False,
        soft_wrap=True,
    )


def _redacted_db(db: str) -> str:
    """A database URL without its password, for logs."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(db)
    if parts.password is None:
        return db
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop


# ---------------------------------------------------------------------------------- tail ----


class TailKind(StrEnum):
    quotes = "quotes"
    entries = "entries"
    alerts = "alerts"


def speaker_matches(wanted: str, ref: SpeakerRef | None) -> bool:
    """`--speaker NAME`: the speaker's id, or every word of NAME in their name (folded)."""
    from streams.attribution.memory import fold

    if ref is None:
        return False
    key = fold(wanted)
    if not key:
        return True
    return key == fold(ref.id) or set(key.split()) <= set(fold(ref.name).split())


def _speakers_of(record: BaseModel) -> list[SpeakerRef | None]:
    from schemas.events import Alert, EnrichedEntry, Quote

    if isinstance(record, Quote | Alert):
        return [record.speaker]
    if isinstance(record, EnrichedEntry):
        return [*record.speakers, *(q.speaker for q in record.quotes)]
    return []


def tail(
    kind: TailKind = typer.Argument(..., help="quotes, entries or alerts"),
    speaker: str | None = typer.Option(None, "--speaker", help="only records of this speaker"),
    filter_: str | None = typer.Option(
        None, "--filter", help="only records that pass this filter (see docs/subscriptions.md)"
    ),
    from_beginning: bool = typer.Option(
        False, "--from-beginning", help="start at the oldest record, not the newest"
    ),
    max_records: int | None = typer.Option(None, "--max", min=1, help="stop after N records"),
    as_json: bool = typer.Option(False, "--json", help="one JSON record per line"),
    timeout: float | None = typer.Option(
        None, "--timeout", help="stop after this many seconds without a record"
    ),
    broker: str | None = _BROKER,
    prefix: str | None = _PREFIX,
) -> None:
    """Print records of a topic as they arrive: readable, or JSON with --json."""
    settings = _settings(broker=broker, prefix=prefix, log_format=None, json_logs=False)
    console = Console(highlight=False, soft_wrap=True)

    from streams.alerts.matching import record_filter  # compiles the filter (FilterSyntaxError)

    passes = record_filter(filter_) if filter_ else None

    def keep(record: BaseModel) -> bool:
        if passes is not None and not passes(record):
            return False
        return speaker is None or any(speaker_matches(speaker, s) for s in _speakers_of(record))

    def show(record: BaseModel) -> None:
        if as_json:
            sys.stdout.write(record.model_dump_json() + "\n")
            sys.stdout.flush()
        else:
            console.print(_readable(record))

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_tail(settings, kind.value, keep, show, from_beginning, max_records, timeout))


async def _tail(
    settings: Settings,
    kind: TopicKind,
    keep: Callable[[BaseModel], bool],
    show: Callable[[BaseModel], None],
    from_beginning: bool,
    max_records: int | None,
    timeout: float | None,
) -> None:
    from connectors.sinks.kafka_reader import read_topic

    shown = 0
    reader = read_topic(settings, kind, from_beginning=from_beginning, idle_timeout=timeout)
    async for record, partition, offset, error in reader:
        if record is None:
            err_console.print(
                f"skipped invalid record at {partition}:{offset}: {error}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
            continue
        if keep(record):
            show(record)
            shown += 1
            if max_records is not None and shown >= max_records:
                break
    await reader.aclose()


def _readable(record: BaseModel) -> Text:
    from rich.text import Text

    from schemas.events import Alert, EnrichedEntry, Quote

    when = getattr(record, "published_at", None)
    line = Text(when.strftime("%H:%M ") if when else "--:-- ", style="bold")
    if isinstance(record, Quote):
        line.append("“" + record.text + "”")
        who = record.speaker.name if record.speaker else "unattributed"
        line.append(f"  — {who}", style="cyan")
        line.append(f"  [{record.blog_id}]", style="dim")
    elif isinstance(record, EnrichedEntry):
        if record.headline:
            line.append(record.headline + "  ", style="underline")
        names = ", ".join(s.name for s in record.speakers)
        line.append(f"{len(record.quotes)} quotes" + (f" ({names})" if names else ""))
        line.append(f"  [{record.blog_id}]", style="dim")
    elif isinstance(record, Alert):
        line.append(f"{record.subscription_id}: ", style="bold magenta")
        if record.speaker:
            line.append(record.speaker.name + ": ", style="cyan")
        line.append(record.text)
    return line


# ------------------------------------------------------------------------------- replay ----


def replay_to_kafka(
    settings: Settings,
    items: Callable[[], Iterable[RawEntry | DeadLetter]],
    delays: list[float] | None,
    *,
    loop: bool = False,
) -> None:
    """`replay --broker`: produce the raw entries (idempotent, acks=all) instead of processing."""
    asyncio.run(_produce(settings, items, delays, loop))


async def _produce(
    settings: Settings,
    items: Callable[[], Iterable[RawEntry | DeadLetter]],
    delays: list[float] | None,
    loop: bool,
) -> None:
    from connectors.kafka_admin import ensure_topics
    from connectors.sources.kafka_producer import raw_entry_producer

    await ensure_topics(settings)
    async with raw_entry_producer(settings) as producer:
        while True:
            stats = await producer.send_all(items(), delays)
            if not loop:
                break
    err_console.print(
        f"produced {stats.entries} raw entries and {stats.dead_letters} dead letters to "
        f"{producer.names.raw} at {settings.broker}",
        highlight=False,
        soft_wrap=True,
    )


# -------------------------------------------------------------------------------- dev ----


def _script(name: str, action: str) -> None:
    path = _SCRIPTS / name
    if not path.is_file():
        fail(f"{path} not found: `liveblog dev` runs from a source checkout")
    # from the checkout, so the broker's state is its .cache/kafka, as with `make kafka`
    done = subprocess.run([str(path), action], cwd=_SCRIPTS.parent, check=False)
    if done.returncode != 0:
        raise typer.Exit(done.returncode)


@kafka_app.command("start")
def kafka_start() -> None:
    """Start (or reuse) the local KRaft broker; prints its bootstrap server last."""
    _script("kafka", "start")


@kafka_app.command("stop")
def kafka_stop() -> None:
    """Stop the local broker."""
    _script("kafka", "stop")
