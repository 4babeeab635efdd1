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
        from streams.attribution.memory import starting_memory
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
        memory = starting_memory(self.settings.speakers_file, limit=self.settings.max_speakers)
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


class _Watched:
    """A polling source that remembers its last poll, last change and last error, for the
    source status of `connect --serve` (`/api/blogs`)."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self.key: str = source.key
        self.interval: float = float(source.interval)
        self.max_backoff: float = float(getattr(source, "max_backoff", 900.0))
        self.polls = 0
        self.errors = 0
        self.last_poll: str | None = None
        self.last_change: str | None = None
        self.last_error: str | None = None

    async def next_item(self) -> list[RawEntry]:
        from schemas.exceptions import RetryLater
        from streams.core.clock import system_clock

        self.polls += 1
        self.last_poll = system_clock().isoformat(timespec="seconds")
        try:
            items: list[RawEntry] = await self.source.next_item()
        except RetryLater as exc:
            self.errors += 1
            self.last_error = str(exc)
            raise
        if items:
            self.last_change = self.last_poll
        return items

    def snapshot(self) -> dict[str, Any]:
        state: dict[str, Any] = self.source.snapshot()
        return state

    def resume(self, state: dict[str, Any] | None) -> None:
        self.source.resume(state)

    def status(self) -> dict[str, Any]:
        return {
            "blog_id": getattr(self.source, "blog_id", self.key),
            "source": getattr(self.source, "url", self.key),
            "polls": self.polls,
            "last_poll": self.last_poll,
            "last_polled_change": self.last_change,
            "poll_errors": self.errors,
            "last_poll_error": self.last_error,
        }


async def _run(
    specs: list[SourceSpec],
    outputs: _Outputs,
    *,
    once: bool,
    store: CursorStore | None,
    port: int | None = None,
) -> int:
    """Poll every source; with `once` one poll each. Returns the number of failed sources.
    With `port`, the live page, feeds and API are served over the database meanwhile."""
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
            if port is None:
                await run_sources(pollers, emit, store=store)
                return 0
            from streams.web.live import serve_forever

            watched = [_Watched(p) for p in pollers]

            def serving(bound: int) -> None:
                outputs.console.print(f"serving http://{settings.web_host}:{bound}/")

            web = asyncio.get_running_loop().create_task(
                serve_forever(
                    settings,
                    settings.db,
                    port=port,
                    on_serving=serving,
                    sources=lambda: [w.status() for w in watched],
                )
            )
            try:
                await run_sources(watched, emit, store=store)
                await web  # the sources ended: keep serving until interrupted
            finally:
                web.cancel()
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
        serve: bool = False,
        port: int | None = None,
    ) -> None:
        """The run of the polling commands: poll, print the summary, fail on failed sources."""
        from streams.cli.shared import check_port, usage

        if port is not None and not serve:
            usage("--port needs --serve")
        if serve and (once or self.no_db or self.broker):
            usage("--serve shows the database as it fills: not with --once, --no-db or --broker")
        bind = None
        if serve:
            bind = settings.web_port if port is None else port
            check_port(settings.web_host, bind)
        outputs = self.outputs(settings)
        store = _state(settings, self.state, name, once)
        _finish(outputs, asyncio.run(_run(specs, outputs, once=once, store=store, port=bind)))


_BLOG = typer.Option(..., "--blog", help="blog id the entries belong to")
_INTERVAL = typer.Option(None, help="seconds between polls (default LIVEBLOG_POLL_INTERVAL)")
_ONCE = typer.Option(False, "--once", help="poll once, process, and exit")
_TZ = typer.Option(None, "--tz", help="time zone to show entry times in, e.g. Europe/Berlin")
_OUTPUT = typer.Option(None, "--output", "-o", help="JSONL of entries; - for stdout")
_DB = typer.Option(None, help="SQLite database (default ./liveblog.db)")
_NO_DB = typer.Option(False, "--no-db", help="do not write the database")
_STATE = typer.Option(None, help="cursor store (default: LIVEBLOG_CURSOR_DIR/<blog>.db)")
_BROKER = typer.Option(None, help="produce raw entries to this Kafka broker instead")
_SPEAKERS = typer.Option(None, help="optional YAML knowledge file of people")
_SERVE = typer.Option(
    False, "--serve", help="serve the live page, feeds and API (with source status) meanwhile"
)
_PORT = typer.Option(
    None, "--port", min=0, max=65535, help="--serve on this port (default 6066; 0: any free one)"
)
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
    serve: bool = _SERVE,
    port: int | None = _PORT,
) -> None:
    """Poll a live-blog page (JSON-LD, common markups or a CSS profile)."""
    spec = _spec(url=url, blog=blog, kind="http", interval=interval, profile=profile, tz=tz)
    settings = common.start(interval)
    if explain:
        asyncio.run(_explain(spec, settings))
        return
    common.poll([spec], settings, name=blog, once=once, serve=serve, port=port)


@_command("feed")
def feed(
    common: _Common,
    url: str = typer.Argument(..., help="the RSS or Atom feed"),
    blog: str = _BLOG,
    interval: float | None = _INTERVAL,
    once: bool = _ONCE,
    tz: str | None = _TZ,
    serve: bool = _SERVE,
    port: int | None = _PORT,
) -> None:
    """Poll an RSS or Atom feed."""
    spec = _spec(url=url, blog=blog, kind="feed", interval=interval, profile=None, tz=tz)
    common.poll([spec], common.start(interval), name=blog, once=once, serve=serve, port=port)


@_command("sources")
def sources(
    common: _Common,
    path: Path = typer.Argument(..., help="YAML list of sources"),
    once: bool = _ONCE,
    serve: bool = _SERVE,
    port: int | None = _PORT,
) -> None:
    """Poll every source of a YAML list; one failing source never stops the others."""
    from connectors.sources.config import load_sources

    settings = common.start()
    specs = load_sources(path)
    common.poll(specs, settings, name=f"sources-{path.stem}", once=once, serve=serve, port=port)


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
    from schemas.exceptions import ConfigError
    from streams.cli.shared import usage
    from streams.core.timefmt import resolve_zone

    if fmt not in ("auto", "jsonl", "text"):
        usage("--format is auto, jsonl or text")
    if order not in ("oldest-first", "newest-first"):
        usage("--order is oldest-first or newest-first")
    try:
        day = date_type.fromisoformat(date) if date else None
    except ValueError:
        usage(f"--date must be YYYY-MM-DD, got {date!r}")
    if tz:
        try:
            resolve_zone(tz)
        except ConfigError as exc:
            usage(f"--tz: {exc}")
    outputs = common.outputs(common.start())
    store = open_cursor_store(common.state) if common.state else None
    good, bad = asyncio.run(_stdin(blog, fmt, order == "newest-first", day, tz, outputs, store))
    _finish(outputs, 0)
    if bad and not good:
        fail(f"no input line was valid: {bad} skipped, 0 entries")
    if not good and not bad:
        fail("no entries on standard input")


async def _stdin(
    blog: str,
    fmt: str,
    newest_first: bool,
    day: date_type | None,
    tz: str | None,
    outputs: _Outputs,
    store: CursorStore | None,
) -> tuple[int, int]:
    """Returns the entries accepted and the lines skipped."""
    from connectors.sources.push import PushIngest, TextStream, entries_from_json, entries_from_text
    from schemas.exceptions import LiveblogError

    async with outputs.emitter() as emit:
        ingest = PushIngest(outputs.settings, emit, store=store, timezone=tz)
        stream = TextStream(day=day)
        lines: list[str] = []
        mode = fmt
        good = bad = 0
        while line := await asyncio.to_thread(sys.stdin.readline):
            if mode == "auto" and line.strip():
                mode = "jsonl" if line.lstrip().startswith("{") else "text"
            if mode == "jsonl":
                if not line.strip():
                    continue
                try:
                    entries = entries_from_json(json.loads(line))
                except (json.JSONDecodeError, LiveblogError) as exc:
                    bad += 1
                    outputs.console.print(
                        f"skipped a line: {exc}", highlight=False, markup=False, style="red"
                    )
                    continue
            elif newest_first:
                lines.append(line)
                continue
            else:
                entries = stream.feed(line.rstrip("\n"))
            if entries:
                good += len(entries)
                await ingest.accept(blog, entries, source="stdin")
        rest = stream.close()
        if lines:
            rest = entries_from_text("".join(lines), day=day, newest_first=True)
        if rest:
            good += len(rest)
            await ingest.accept(blog, rest, source="stdin")
    return good, bad


@_command("push")
def push(
    common: _Common,
    host: str | None = typer.Option(None, help="address to listen on (default LIVEBLOG_WEB_HOST)"),
    port: int | None = typer.Option(
        None, min=0, max=65535, help="port (default LIVEBLOG_WEB_PORT; 0: any free one)"
    ),
    tz: str | None = _TZ,
) -> None:
    """Serve `POST /ingest/{blog_id}` (bearer LIVEBLOG_API_TOKEN) into the pipeline."""
    from connectors.sources.cursor import open_cursor_store
    from schemas.exceptions import ConfigError
    from streams.cli.shared import check_port, usage
    from streams.core.timefmt import resolve_zone

    if tz:
        try:
            resolve_zone(tz)
        except ConfigError as exc:
            usage(f"--tz: {exc}")
    settings = common.start()
    if settings.api_token is None:
        fail("set LIVEBLOG_API_TOKEN: push ingest needs a bearer token")
    bind_host = host or settings.web_host
    bind = settings.web_port if port is None else port
    check_port(bind_host, bind)
    outputs = common.outputs(settings)
    store = open_cursor_store(common.state or settings.cursor_dir / "push.db")
    asyncio.run(_serve(outputs, store, bind_host, bind, tz))


async def _serve(
    outputs: _Outputs, store: CursorStore, host: str, port: int, tz: str | None
) -> None:
    from aiohttp import web

    from connectors.sources.push import PushIngest, ingest_app
    from streams.web.health import health_app_routes

    async with outputs.emitter() as emit:
        ingest = PushIngest(outputs.settings, emit, store=store, timezone=tz)
        app = ingest_app(ingest)
        app.router.add_routes(health_app_routes(lambda: None))
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        sockets = getattr(site._server, "sockets", None)  # the port picked for port 0
        bound = int(sockets[0].getsockname()[1]) if sockets else port
        outputs.console.print(f"push ingest on http://{host}:{bound}/ingest/{{blog_id}}")
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()


def _spec(**fields: Any) -> SourceSpec:
    from connectors.sources.config import SourceSpec
    from schemas.exceptions import ConfigError
    from streams.cli.shared import usage
    from streams.core.timefmt import resolve_zone

    try:
        spec = SourceSpec.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValueError as exc:
        usage(str(exc).splitlines()[-1] if str(exc) else "bad source")
    if spec.tz:
        try:
            resolve_zone(spec.tz)
        except ConfigError as exc:
            usage(f"--tz: {exc}")
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
