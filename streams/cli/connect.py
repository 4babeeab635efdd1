"""`liveblog connect ...`: live sources (pages, feeds, stdin, a YAML list) into the pipeline.

In embedded mode the entries run through `EmbeddedRunner` into the same sinks as `replay`
(`--output -` prints JSON lines exactly as `replay --output -` does). With `--broker` they are
produced onto the raw topic instead, for the Faust workers. `liveblog connect sources.yaml` is a
short form of `liveblog connect sources sources.yaml`.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date as date_type
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connectors.sources.config import SourceSpec
    from connectors.sources.cursor import CursorStore
    from connectors.sources.http.poller import HttpPoller
    from connectors.sources.polling import Emit
    from schemas.events import RawEntry
    from streams.core.settings import Settings
    from streams.runtime.embedded.runner import EmbeddedRunner, Sink

import typer
from rich.console import Console
from typer.core import TyperGroup

from streams.cli.shared import fail, start

__all__ = ["app", "register"]


class _ConnectGroup(TyperGroup):
    """`connect FILE.yaml` runs the `sources` command on that file."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in self.commands and args[0].endswith((".yaml", ".yml")):
            return "sources", self.commands["sources"], args
        return super().resolve_command(ctx, args)


app = typer.Typer(
    cls=_ConnectGroup,
    help="Watch live sources (pages, feeds, stdin) and emit each new or edited entry once.",
    no_args_is_help=True,
)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="connect")


@dataclass
class _Outputs:
    """Where entries go: the embedded pipeline and its sinks, or the broker."""

    settings: Settings
    output: str | None
    db: str | None
    no_db: bool
    broker: str | None
    runner: EmbeddedRunner | None = None
    console: Console = field(default_factory=lambda: Console(stderr=True))

    @asynccontextmanager
    async def emitter(self) -> AsyncIterator[Emit]:
        from connectors.sinks.jsonl import JsonlSink
        from connectors.sinks.sqlite import SqliteSink
        from streams.attribution.memory import SpeakerMemory, load_knowledge
        from streams.cli.view import LiveView
        from streams.runtime.embedded.runner import EmbeddedRunner

        if self.broker:
            async with self._broker() as produce:
                yield produce
            return
        sinks: list[Sink] = []
        if self.output:
            sinks.append(JsonlSink(self.output))
        if not self.no_db and (self.db is not None or self.output is None):
            sinks.append(SqliteSink(self.settings.db))
        memory = (
            load_knowledge(self.settings.speakers_file)
            if self.settings.speakers_file
            else SpeakerMemory()
        )
        view = LiveView(self.console, quiet=self.output == "-")
        runner = EmbeddedRunner(
            sinks, memory=memory, on_record=view, min_confidence=self.settings.min_confidence
        )
        self.runner = runner

        async def emit(items: Sequence[RawEntry]) -> None:
            for item in items:
                runner.handle(item)
            runner.flush()

        try:
            yield emit
        finally:
            runner.close()

    @asynccontextmanager
    async def _broker(self) -> AsyncIterator[Emit]:
        from connectors.kafka_admin import ensure_topics
        from connectors.sources.kafka_producer import raw_entry_producer

        await ensure_topics(self.settings)
        async with raw_entry_producer(self.settings) as producer:

            async def emit(items: Sequence[RawEntry]) -> None:
                for item in items:
                    await producer.send(item)
                await producer.flush()

            yield emit
        self.console.print(
            f"produced {producer.stats.entries} raw entries to {producer.names.raw}",
            highlight=False,
        )


def _state(settings: Settings, state: Path | None, name: str, once: bool) -> CursorStore | None:
    from connectors.sources.cursor import open_cursor_store

    if state is not None:
        return open_cursor_store(state)
    if once:
        return None
    return open_cursor_store(settings.cursor_dir / f"{name}.db")


async def _run(
    specs: list[SourceSpec],
    outputs: _Outputs,
    *,
    once: bool,
    store: CursorStore | None,
) -> int:
    """Poll every source; with `once` one poll each. Returns the number of failed sources."""
    import httpx

    from connectors.sources.config import build_poller
    from connectors.sources.polling import run_sources
    from schemas.exceptions import RetryLater

    settings = outputs.settings
    async with (
        httpx.AsyncClient(headers={"User-Agent": settings.user_agent}) as client,
        outputs.emitter() as emit,
    ):
        pollers = [build_poller(s, client=client, settings=settings) for s in specs]
        if not once:
            await run_sources(pollers, emit, store=store)
            return 0
        failed = 0
        for poller in pollers:
            if store is not None:
                poller.resume(store.load(poller.key))
            try:
                items = await poller.next_item()
            except RetryLater as exc:
                outputs.console.print(f"[red]{poller.url}: {exc}[/]", highlight=False)
                failed += 1
                continue
            await emit(items)
            if store is not None:
                store.save(poller.key, poller.snapshot())
        return failed


def _finish(outputs: _Outputs, failed: int) -> None:
    from streams.cli.view import LiveView

    if outputs.runner is not None and outputs.output != "-":
        LiveView(outputs.console).summary(outputs.runner.stats)
    if failed:
        fail(f"{failed} source(s) could not be read")


@dataclass(frozen=True, slots=True)
class _Common:
    """The options every `connect` command takes: where the entries go, the cursor, the people."""

    output: str | None
    db: str | None
    no_db: bool
    state: Path | None
    broker: str | None
    speakers: Path | None

    def start(self, interval: float | None = None) -> Settings:
        """This run's settings (environment, then these flags), logging configured."""
        return start(
            db=self.db, broker=self.broker, speakers_file=self.speakers, poll_interval=interval
        )

    def outputs(self, settings: Settings) -> _Outputs:
        return _Outputs(settings, self.output, self.db, self.no_db, self.broker)

    def poll(
        self,
        specs: list[SourceSpec],
        settings: Settings,
        *,
        name: str,
        once: bool,
    ) -> None:
        """The run of the polling commands: poll, print the summary, fail on failed sources."""
        outputs = self.outputs(settings)
        store = _state(settings, self.state, name, once)
        _finish(outputs, asyncio.run(_run(specs, outputs, once=once, store=store)))


_BLOG = typer.Option(..., "--blog", help="blog id the entries belong to")
_INTERVAL = typer.Option(None, help="seconds between polls (default LIVEBLOG_POLL_INTERVAL)")
_ONCE = typer.Option(False, "--once", help="poll once, process, and exit")
_TZ = typer.Option(None, "--tz", help="time zone to show entry times in, e.g. Europe/Berlin")
_OUTPUT = typer.Option(None, "--output", "-o", help="JSONL of entries; - for stdout")
_DB = typer.Option(None, help="SQLite database (default ./liveblog.db)")
_NO_DB = typer.Option(False, "--no-db", help="do not write the database")
_STATE = typer.Option(None, help="cursor file (default: LIVEBLOG_CURSOR_DIR/<blog>.json)")
_BROKER = typer.Option(None, help="produce raw entries to this Kafka broker instead")
_SPEAKERS = typer.Option(None, help="optional YAML knowledge file of people")
#: (name, type, option) of the `_Common` options, in the order `--help` lists them
_COMMON_OPTIONS: tuple[tuple[str, Any, Any], ...] = (
    ("output", str | None, _OUTPUT),
    ("db", str | None, _DB),
    ("no_db", bool, _NO_DB),
    ("state", Path | None, _STATE),
    ("broker", str | None, _BROKER),
    ("speakers", Path | None, _SPEAKERS),
)


def _command(name: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register a `connect` command whose `common: _Common` parameter stands for the shared
    options: Typer sees them as ordinary options after the command's own."""

    def decorate(fn: Callable[..., None]) -> Callable[..., None]:
        sig = inspect.signature(fn, eval_str=True)
        own = [p for p in sig.parameters.values() if p.name != "common"]
        shared = [
            inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=opt, annotation=kind)
            for n, kind, opt in _COMMON_OPTIONS
        ]

        @functools.wraps(fn)
        def command(**kwargs: Any) -> None:
            common = _Common(**{n: kwargs.pop(n) for n, _, _ in _COMMON_OPTIONS})
            fn(common=common, **kwargs)

        command.__signature__ = sig.replace(parameters=[*own, *shared])  # type: ignore[attr-defined]
        command.__annotations__ = {
            **{p.name: p.annotation for p in own},
            **{n: kind for n, kind, _ in _COMMON_OPTIONS},
            "return": None,
        }
        app.command(name)(command)
        return fn

    return decorate


@_command("http")
def http(
    common: _Common,
    url: str = typer.Argument(..., help="the live-blog page"),
    blog: str = _BLOG,
    interval: float | None = _INTERVAL,
    profile: str | None = typer.Option(None, help="CSS profile: a built-in name or a YAML file"),
    once: bool = _ONCE,
    tz: str | None = _TZ,
    explain: bool = typer.Option(
        False, "--explain", help="print what was extracted and from where, as JSON, and exit"
    ),
) -> None:
    """Poll a live-blog page (JSON-LD, common markups or a CSS profile)."""
    spec = _spec(url=url, blog=blog, kind="http", interval=interval, profile=profile, tz=tz)
    settings = common.start(interval)
    if explain:
        asyncio.run(_explain(spec, settings))
        return
    common.poll([spec], settings, name=blog, once=once)


@_command("feed")
def feed(
    common: _Common,
    url: str = typer.Argument(..., help="the RSS or Atom feed"),
    blog: str = _BLOG,
    interval: float | None = _INTERVAL,
    once: bool = _ONCE,
    tz: str | None = _TZ,
) -> None:
    """Poll an RSS or Atom feed."""
    spec = _spec(url=url, blog=blog, kind="feed", interval=interval, profile=None, tz=tz)
    common.poll([spec], common.start(interval), name=blog, once=once)


@_command("sources")
def sources(
    common: _Common,
    path: Path = typer.Argument(..., help="YAML list of sources"),
    once: bool = _ONCE,
) -> None:
    """Poll every source of a YAML list; one failing source never stops the others."""
    from connectors.sources.config import load_sources

    settings = common.start()
    common.poll(load_sources(path), settings, name=f"sources-{path.stem}", once=once)


@_command("stdin")
def stdin(
    common: _Common,
    blog: str = _BLOG,
    fmt: str = typer.Option("auto", "--format", help="auto, jsonl or text"),
    order: str = typer.Option(
        "oldest-first",
        help="text arrives oldest-first (streamed as it comes) or newest-first (a saved blog: "
        "read to the end, then reversed)",
    ),
    date: str | None = typer.Option(None, help="date of printed times, YYYY-MM-DD"),
    tz: str | None = _TZ,
) -> None:
    """Read entries from standard input: JSON lines (one entry object each) or live-blog text."""
    from connectors.sources.cursor import open_cursor_store
    from streams.core.timefmt import resolve_zone

    if fmt not in ("auto", "jsonl", "text"):
        fail("--format is auto, jsonl or text")
    if order not in ("oldest-first", "newest-first"):
        fail("--order is oldest-first or newest-first")
    try:
        day = date_type.fromisoformat(date) if date else None
    except ValueError:
        fail(f"--date must be YYYY-MM-DD, got {date!r}")
    if tz:
        resolve_zone(tz)
    outputs = common.outputs(common.start())
    store = open_cursor_store(common.state) if common.state else None
    asyncio.run(_stdin(blog, fmt, order == "newest-first", day, tz, outputs, store))
    _finish(outputs, 0)


async def _stdin(
    blog: str,
    fmt: str,
    newest_first: bool,
    day: date_type | None,
    tz: str | None,
    outputs: _Outputs,
    store: CursorStore | None,
) -> None:
    from connectors.sources.push import PushIngest, TextStream, entries_from_json, entries_from_text
    from schemas.exceptions import LiveblogError

    async with outputs.emitter() as emit:
        ingest = PushIngest(outputs.settings, emit, store=store, timezone=tz)
        stream = TextStream(day=day)
        lines: list[str] = []
        mode = fmt
        while line := await asyncio.to_thread(sys.stdin.readline):
            if mode == "auto" and line.strip():
                mode = "jsonl" if line.lstrip().startswith("{") else "text"
            if mode == "jsonl":
                if not line.strip():
                    continue
                try:
                    entries = entries_from_json(json.loads(line))
                except (json.JSONDecodeError, LiveblogError) as exc:
                    outputs.console.print(f"[red]skipped a line: {exc}[/]", highlight=False)
                    continue
            elif newest_first:
                lines.append(line)
                continue
            else:
                entries = stream.feed(line.rstrip("\n"))
            if entries:
                await ingest.accept(blog, entries, source="stdin")
        rest = stream.close()
        if lines:
            rest = entries_from_text("".join(lines), day=day, newest_first=True)
        if rest:
            await ingest.accept(blog, rest, source="stdin")


@_command("push")
def push(
    common: _Common,
    host: str | None = typer.Option(None, help="address to listen on (default LIVEBLOG_WEB_HOST)"),
    port: int | None = typer.Option(None, help="port (default LIVEBLOG_WEB_PORT)"),
    tz: str | None = _TZ,
) -> None:
    """Serve `POST /ingest/{blog_id}` (bearer LIVEBLOG_API_TOKEN) into the pipeline."""
    from connectors.sources.cursor import open_cursor_store

    settings = common.start()
    if settings.api_token is None:
        fail("set LIVEBLOG_API_TOKEN: push ingest needs a bearer token")
    outputs = common.outputs(settings)
    store = open_cursor_store(common.state or settings.cursor_dir / "push.db")
    asyncio.run(_serve(outputs, store, host or settings.web_host, port or settings.web_port, tz))


async def _serve(
    outputs: _Outputs, store: CursorStore, host: str, port: int, tz: str | None
) -> None:
    from aiohttp import web

    from connectors.sources.push import PushIngest, ingest_app

    async with outputs.emitter() as emit:
        ingest = PushIngest(outputs.settings, emit, store=store, timezone=tz)
        runner = web.AppRunner(ingest_app(ingest))
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        outputs.console.print(f"push ingest on http://{host}:{port}/ingest/{{blog_id}}")
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()


def _spec(**fields: Any) -> SourceSpec:
    from connectors.sources.config import SourceSpec
    from schemas.exceptions import ConfigError
    from streams.core.timefmt import resolve_zone

    try:
        spec = SourceSpec.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValueError as exc:
        raise ConfigError(str(exc).splitlines()[-1] if str(exc) else "bad source") from exc
    if spec.tz:
        resolve_zone(spec.tz)
    return spec


async def _explain(spec: SourceSpec, settings: Settings) -> None:
    import httpx

    from connectors.sources.config import build_poller
    from streams.core.clock import system_clock
    from streams.core.timefmt import resolve_zone

    async with httpx.AsyncClient() as client:
        poller: HttpPoller = build_poller(spec, client=client, settings=settings)
        from connectors.sources.http.fetch import fetch

        now = system_clock()
        result = await fetch(client, spec.url, policy=poller.policy, now=now)
        extraction = poller.extractor(result, now, poller.tz or resolve_zone("UTC"))
    out = {
        "url": result.url,
        "method": extraction.method,
        "title": extraction.title,
        "language": extraction.language,
        "notes": list(extraction.notes),
        "entries": [
            {
                "block_id": e.block_id,
                "time": e.time.isoformat() if e.time else None,
                "printed_time": e.printed_time,
                "headline": e.headline,
                "text": e.text,
                "sources": dict(e.sources),
            }
            for e in extraction.entries
        ],
    }
    sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
