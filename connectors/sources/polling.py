"""Running polling sources: each on its own loop, so one failing source never stops the others.

A source has the shape of Bytewax's `SimplePollingSource`: `next_item()` returns what is new
(possibly nothing) or raises `RetryLater` carrying the delay before the next try; `interval` is
the pause after a good poll; `snapshot()` / `resume()` carry its cursor across restarts. The
runner persists the snapshot after the items were handed on, so a crash between the two re-emits
(the sinks upsert by id) and never loses an entry. When `emit` fails (the broker did not take the
batch), the source is resumed from its last committed snapshot, so the next poll finds the same
entries new again, and the runner backs off. A source that raises anything else is restarted
from its committed snapshot after a growing, capped delay: one bad poll never stops it for good.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

import structlog

from connectors.sources.cursor import CursorStore
from schemas.events import RawEntry
from schemas.exceptions import LiveblogError, RetryLater

__all__ = ["Emit", "PollingSource", "Sleep", "restart_delay", "run_source", "run_sources"]

log = structlog.get_logger(__name__)

#: the longest pause before a source whose emit failed, or that crashed, is tried again
MAX_RESTART_DELAY = 300.0

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
    store: CursorStore | None = None,
    polls: int | None = None,
) -> None:
    """Poll `source` forever (or `polls` times), handing new items to `emit`; the cursor moves
    (in memory and in `store`) only after `emit` returned."""
    if store is not None:
        source.resume(store.load(source.key))
    committed = source.snapshot()
    done = 0
    failures = 0
    while polls is None or done < polls:
        done += 1
        try:
            items = await source.next_item()
        except RetryLater as retry:
            log.warning("source backing off", source=source.key, delay=round(retry.delay, 3))
            await sleep(retry.delay)
            continue
        except BaseException:
            source.resume(committed)
            raise
        if items:
            try:
                await emit(items)
            except BaseException as exc:
                # not delivered: forget what this poll recorded, so the next one emits it again
                source.resume(committed)
                if not isinstance(exc, LiveblogError):
                    raise
                failures += 1
                delay = restart_delay(source.interval, failures)
                log.error(
                    "emit failed; cursor kept, retrying",
                    source=source.key,
                    entries=len(items),
                    reason=str(exc),
                    delay=round(delay, 3),
                )
                await sleep(delay)
                continue
        failures = 0
        committed = source.snapshot()
        if store is not None:
            store.save(source.key, committed)
        if polls is None or done < polls:
            await sleep(source.interval)


def restart_delay(interval: float, failures: int) -> float:
    """The pause before try `failures + 1`: doubling from the interval, capped."""
    return float(min(MAX_RESTART_DELAY, max(interval, 0.05) * 2.0 ** min(failures - 1, 20)))


async def run_sources(
    sources: Sequence[PollingSource],
    emit: Emit,
    *,
    sleep: Sleep = asyncio.sleep,
    store: CursorStore | None = None,
    polls: int | None = None,
    restarts: int | None = None,
) -> list[BaseException | None]:
    """Run every source on its own task; a source that crashes is logged and restarted after a
    growing delay (at most `restarts` times when given), and the rest go on. Returns each
    source's last exception, or None for a source that ended normally."""

    async def guarded(source: PollingSource) -> BaseException | None:
        crashes = 0
        while True:
            try:
                await run_source(source, emit, sleep=sleep, store=store, polls=polls)
            except (LiveblogError, OSError, ValueError) as exc:
                crashes += 1
                if restarts is not None and crashes > restarts:
                    log.error("source stopped", source=source.key, error=str(exc))
                    return exc
                delay = restart_delay(source.interval, crashes)
                log.error(
                    "source crashed; restarting",
                    source=source.key,
                    error=str(exc),
                    crashes=crashes,
                    delay=round(delay, 3),
                )
                await sleep(delay)
                continue
            return None

    return list(await asyncio.gather(*(guarded(s) for s in sources)))
