"""Running polling sources: each on its own loop, so one failing source never stops the others.

A source has the shape of Bytewax's `SimplePollingSource`: `next_item()` returns what is new
(possibly nothing) or raises `RetryLater` carrying the delay before the next try; `interval` is
the pause after a good poll; `snapshot()` / `resume()` carry its cursor across restarts. The
runner persists the snapshot after the items were handed on, so a crash between the two re-emits
(the sinks upsert by id) and never loses an entry.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

import structlog

from connectors.sources.cursor import CursorFile
from schemas.events import RawEntry
from schemas.exceptions import LiveblogError, RetryLater

__all__ = ["Emit", "PollingSource", "Sleep", "run_source", "run_sources"]

log = structlog.get_logger(__name__)

Emit = Callable[[Sequence[RawEntry]], Awaitable[None]]
Sleep = Callable[[float], Awaitable[None]]


class PollingSource(Protocol):
    """What the runner needs of a source."""

    key: str
    interval: float

    async def next_item(self) -> list[RawEntry]: ...

    def snapshot(self) -> dict[str, Any]: ...

    def resume(self, state: dict[str, Any] | None) -> None: ...


async def run_source(
    source: PollingSource,
    emit: Emit,
    *,
    sleep: Sleep = asyncio.sleep,
    store: CursorFile | None = None,
    polls: int | None = None,
) -> None:
    """Poll `source` forever (or `polls` times), handing new items to `emit`."""
    if store is not None:
        source.resume(store.load(source.key))
    done = 0
    while polls is None or done < polls:
        done += 1
        try:
            items = await source.next_item()
        except RetryLater as retry:
            log.warning("source backing off", source=source.key, delay=round(retry.delay, 3))
            await sleep(retry.delay)
            continue
        if items:
            await emit(items)
        if store is not None:
            store.save(source.key, source.snapshot())
        if polls is None or done < polls:
            await sleep(source.interval)


async def run_sources(
    sources: Sequence[PollingSource],
    emit: Emit,
    *,
    sleep: Sleep = asyncio.sleep,
    store: CursorFile | None = None,
    polls: int | None = None,
) -> list[BaseException | None]:
    """Run every source on its own task; a source that crashes is logged and the rest go on.
    Returns each source's exception, or None for a source that ended normally."""

    async def guarded(source: PollingSource) -> BaseException | None:
        try:
            await run_source(source, emit, sleep=sleep, store=store, polls=polls)
        except (LiveblogError, OSError, ValueError) as exc:
            log.error("source stopped", source=source.key, error=str(exc))
            return exc
        return None

    return list(await asyncio.gather(*(guarded(s) for s in sources)))
