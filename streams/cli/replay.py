"""`liveblog replay PATH`: a saved live blog replayed through the embedded pipeline."""

from __future__ import annotations

import asyncio
import itertools
import sys
from collections.abc import Iterator, Sequence
from datetime import date as date_type
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from pydantic import BaseModel

    from connectors.sources.blocks import Block
    from connectors.sources.files import BlogMeta, FileSource
    from schemas.events import DeadLetter, RawEntry
    from streams.attribution.memory import SpeakerMemory
    from streams.cli.view import LiveView
    from streams.core.settings import Settings
    from streams.runtime.embedded.runner import EmbeddedRunner, RunStats, Sink

from rich.console import Console

from streams.cli.shared import check_port, fail, start, usage

__all__ = ["build_meta", "raw_items", "register"]

#: files with more entries than this show a progress bar instead of every entry
_PROGRESS_OVER = 300


def register(app: typer.Typer) -> None:
    app.command("replay")(replay)


def build_meta(
    path: Path, *, blog: str | None, date: str | None, tz: str | None, order: str | None
) -> BlogMeta:
    """Flags first, then the sidecar file beside the seed, then defaults."""
    from connectors.sources.files import BlogMeta, load_sidecar
    from schemas.exceptions import ConfigError

    side = load_sidecar(path)
    when = date or side.get("date")
    try:
        day = date_type.fromisoformat(str(when)) if when else None
    except ValueError as exc:
        raise ConfigError(f"--date must be YYYY-MM-DD, got {when!r}") from exc
    return BlogMeta(
        blog_id=blog or str(side.get("blog_id") or path.stem),
        date=day,
        timezone=tz or (str(side["timezone"]) if side.get("timezone") else None),
        language=str(side["language"]) if side.get("language") else None,
        title=str(side["title"]) if side.get("title") else None,
        source=str(side.get("source") or ""),
        order=order or (str(side["order"]) if side.get("order") else None),
    )


def raw_items(source: FileSource, blocks: list[Block]) -> Iterator[RawEntry | DeadLetter]:
    """Raw entries of the blocks; an oversized block becomes a dead letter, the rest go on."""
    from schemas.exceptions import PayloadTooLarge
    from streams.pipeline.deadletter import dead_letter

    for seq, block in enumerate(blocks):
        try:
            yield source.to_raw(block, seq)
        except PayloadTooLarge as exc:
            yield dead_letter(
                "source",
                str(exc),
                block.text[:70000],
                now=source.fetched_at,
                blog_id=source.meta.blog_id,
            )


def _delays(blocks: list[Block], speed: float | None, max_gap: float | None = None) -> list[float]:
    """Seconds to wait before each block: the blog's own gaps (each at most `max_gap` seconds
    of blog time) divided by `speed`."""
    if not speed or speed <= 0:
        return [0.0] * len(blocks)
    out = [0.0]
    for a, b in itertools.pairwise(blocks):
        gap = ((b.time.minutes - a.time.minutes) % (24 * 60)) * 60.0
        if max_gap is not None:
            gap = min(gap, max_gap)
        out.append(gap / speed)
    return out


def _validate(
    *,
    tz: str | None,
    order: str | None,
    speed: float | None,
    max_gap: float | None,
    date: str | None,
    encoding: str | None,
    port: int | None,
    serve: bool,
    output: str | None,
    alerts: str | None,
    subscriptions: Path | None,
    speakers: Path | None,
) -> None:
    """Every flag checked before any work: one line and exit 2 for the first bad one."""
    import codecs

    from schemas.exceptions import ConfigError
    from streams.core.timefmt import resolve_zone

    if tz is not None:
        try:
            resolve_zone(tz)
        except ConfigError as exc:
            usage(f"--tz: {exc} (an IANA name like Europe/Berlin, or +02:00)")
    if order is not None and order not in ("newest-first", "oldest-first"):
        usage(f"--order must be newest-first or oldest-first, not {order!r}")
    if speed is not None and not speed > 0:
        usage(f"--speed must be above 0, got {speed:g}")
    if max_gap is not None and not max_gap > 0:
        usage(f"--max-gap must be above 0 seconds, got {max_gap:g}")
    if max_gap is not None and speed is None:
        usage("--max-gap needs --speed (it shortens the pauses of a paced replay)")
    if date is not None:
        try:
            date_type.fromisoformat(date)
        except ValueError:
            usage(f"--date must be YYYY-MM-DD, got {date!r}")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            usage(f"--encoding: unknown encoding {encoding!r}")
    if port is not None and not serve:
        usage("--port needs --serve")
    if output == "-" and alerts == "-":
        usage("--alerts - and --output - cannot both use stdout")
    for flag, path in (("--subscriptions", subscriptions), ("--speakers", speakers)):
        if path is not None and not path.is_file():
            usage(f"{flag}: no such file: {path}")


def replay(
    path: Path = typer.Argument(..., help="live blog as plain text or Markdown"),
    date: str | None = typer.Option(None, help="date of the entries, YYYY-MM-DD (else sidecar)"),
    tz: str | None = typer.Option(None, help="time zone of the printed times, e.g. Europe/Berlin"),
    blog: str | None = typer.Option(None, help="blog id (else sidecar, else the file name)"),
    output: str | None = typer.Option(
        None, "--output", "-o", help="JSONL of entries; - for stdout"
    ),
    db: str | None = typer.Option(None, help="SQLite database (default ./liveblog.db)"),
    no_db: bool = typer.Option(False, "--no-db", help="do not write the database"),
    speed: float | None = typer.Option(None, help="pace at N times real time (default: no pacing)"),
    loop: bool = typer.Option(False, help="start again at the end, forever"),
    speakers: Path | None = typer.Option(None, help="optional YAML knowledge file of people"),
    encoding: str | None = typer.Option(None, help="text encoding of the file (default UTF-8)"),
    order: str | None = typer.Option(None, help="newest-first or oldest-first (default: detect)"),
    broker: str | None = typer.Option(
        None, help="kafka://HOST:PORT: produce the raw entries to Kafka instead of processing"
    ),
    subscriptions: Path | None = typer.Option(
        None, help="YAML list of subscriptions (id, filter, notify) to alert on"
    ),
    alerts: str | None = typer.Option(None, help="write each alert as a JSON line; - for stdout"),
    serve: bool = typer.Option(False, help="serve the live page, feeds and API while replaying"),
    port: int | None = typer.Option(
        None, min=0, max=65535, help="--serve on this port (default 6066; 0 picks a free one)"
    ),
    max_gap: float | None = typer.Option(
        None, "--max-gap", help="with --speed: shorten pauses over S seconds of blog time to S"
    ),
) -> None:
    """Replay a saved live blog: parse, attribute and enrich each entry, then store or print it.

    Exits 1 with a summary line when no entry made it through (all were dead-lettered)."""
    from connectors.sinks.jsonl import JsonlSink
    from connectors.sinks.sqlite import SqliteSink
    from connectors.sources.files import FileSource
    from streams.attribution.memory import starting_memory
    from streams.cli.view import LiveView
    from streams.core.clock import system_clock

    _validate(
        tz=tz,
        order=order,
        speed=speed,
        max_gap=max_gap,
        date=date,
        encoding=encoding,
        port=port,
        serve=serve,
        output=output,
        alerts=alerts,
        subscriptions=subscriptions,
        speakers=speakers,
    )
    settings = start(db=db, speakers_file=speakers, broker=broker)
    if serve:
        check_port(settings.web_host, settings.web_port if port is None else port)
    meta = build_meta(path, blog=blog, date=date, tz=tz, order=order)
    source = FileSource(
        path,
        meta,
        max_bytes=settings.max_file_bytes,
        max_entry_chars=settings.max_entry_chars,
        fetched_at=system_clock(),
        encoding=encoding,
    )
    blocks = source.blocks()
    if broker is not None:
        from streams.cli.worker import replay_to_kafka

        delays = _delays(blocks, speed, max_gap) if speed else None
        replay_to_kafka(settings, lambda: raw_items(source, blocks), delays, loop=loop)
        return
    memory = starting_memory(settings.speakers_file, limit=settings.max_speakers)
    to_stdout = output == "-" or alerts == "-"
    console = Console(stderr=to_stdout)
    sinks: list[Sink] = []
    if output:
        sinks.append(JsonlSink(output))
    if not no_db and (db is not None or output is None):
        sinks.append(SqliteSink(settings.db))
    else:
        # no database keeps the dead letters: say so, one line each, rather than drop them
        sinks.append(_DeadLetterLines())
    view = LiveView(console, quiet=to_stdout or len(blocks) > _PROGRESS_OVER)
    if subscriptions or alerts or serve:
        from streams.cli.subscribe import run_replay_live

        stats = run_replay_live(
            settings,
            lambda: raw_items(source, blocks),
            _delays(blocks, speed, max_gap),
            sinks,
            memory,
            view,
            loop=loop,
            subscriptions=subscriptions,
            alerts=alerts,
            serve=serve,
            db=None if no_db else settings.db,
            port=port,
        )
        if not to_stdout:
            view.summary(stats)
        _all_dead(stats)
        return
    _all_dead(_run(settings, source, blocks, sinks, memory, view, speed, max_gap, loop, to_stdout))


def _all_dead(stats: RunStats) -> None:
    """Exit 1 with a summary line when every entry was dead-lettered."""
    if stats.entries == 0 and stats.dead_letters > 0:
        fail(
            f"no entry made it through: {stats.dead_letters} dead letters, 0 entries "
            "(see the dead_letters table, or run with --output - to see each reason)"
        )


def _run(
    settings: Settings,
    source: FileSource,
    blocks: list[Block],
    sinks: list[Sink],
    memory: SpeakerMemory,
    view: LiveView,
    speed: float | None,
    max_gap: float | None,
    loop: bool,
    to_stdout: bool,
) -> RunStats:
    from rich.progress import Progress

    from streams.runtime.embedded.runner import EmbeddedRunner

    progress = (
        Progress(console=view.console, transient=True) if view.quiet and not to_stdout else None
    )
    task = progress.add_task("replaying", total=len(blocks)) if progress else None

    def on_record(record: BaseModel) -> None:
        view(record)
        if progress is not None and task is not None:
            progress.advance(task)

    runner = EmbeddedRunner(
        sinks, memory=memory, on_record=on_record, min_confidence=settings.min_confidence
    )
    if progress:
        progress.start()
    try:
        while True:
            items = raw_items(source, blocks)
            if speed:
                asyncio.run(_paced(runner, items, _delays(blocks, speed, max_gap)))
            else:
                for item in items:
                    runner.handle(item)
                runner.flush()
            if not loop:
                break
    finally:
        if progress:
            progress.stop()
        runner.close()
    if not to_stdout:
        view.summary(runner.stats)
    return runner.stats


async def _paced(
    runner: EmbeddedRunner, items: Iterator[RawEntry | DeadLetter], delays: list[float]
) -> None:
    for item, delay in zip(items, delays, strict=False):
        if delay > 0:
            await asyncio.sleep(delay)
        runner.handle(item)
        runner.flush()


class _DeadLetterLines:
    """Without a database, each dead letter is one line on stderr (stdout carries data only)."""

    def write(self, records: Sequence[BaseModel]) -> None:
        from schemas.events import DeadLetter

        for record in records:
            if isinstance(record, DeadLetter):
                where = f" {record.blog_id}" if record.blog_id else ""
                print(
                    f"liveblog: dead letter{where} (stage {record.stage}): {record.reason}",
                    file=sys.stderr,
                )

    def close(self) -> None:
        return None
