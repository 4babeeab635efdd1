"""Running polling sources: each on its own loop, so one failing source never stops the others.

A source has the shape of Bytewax's `SimplePollingSource`: `next_item()` returns what is new
(possibly nothing) or raises `RetryLater`; the runner then polls again through the one retry
policy (`streams.core.retry`, `what="poll"`: exponential from the interval, jittered, capped at
the source's `max_backoff`), waiting at least the `delay` the exception carries (a server's
Retry-After) when it has one; `interval` is
the pause after a good poll; `snapshot()` / `resume()` carry its cursor across restarts. The
runner persists the snapshot after the items were handed on, so a crash between the two re-emits
(the sinks upsert by id) and never loses an entry. When `emit` fails (the broker did not take the
batch), the same batch is emitted again (same seqs) through the one retry policy
(`streams.core.retry`, counted as `what="emit"`); the cursor stays where it was until it is
taken. A source that raises (or whose emit budget ran out) is restarted from its committed
snapshot through the same policy (`what="source"`, growing, jittered delays capped at 300 s):
one bad poll never stops it for good.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

import structlog

from connectors.sources.cursor import CursorStore
from schemas.events import RawEntry
from schemas.exceptions import LiveblogError, RetryLater
from streams.core.metrics import Metrics
from streams.core.retry import retrying

__all__ = ["Emit", "PollingSource", "Sleep", "poll_wait", "run_source", "run_sources"]

log = structlog.get_logger(__name__)

#: the longest pause before a source whose emit failed, or that crashed, is tried again
MAX_RESTART_DELAY = 300.0
#: the longest pause between polls of a failing source that names no maximum of its own
MAX_POLL_BACKOFF = 900.0
#: how long a failed emit is retried before the source gives up the batch and is restarted
EMIT_BUDGET = 600.0

_CRASHES = (LiveblogError, OSError, ValueError)

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
    metrics: Metrics | None = None,
    emit_budget: float = EMIT_BUDGET,
) -> None:
    """Poll `source` forever (or `polls` times), handing new items to `emit`; the cursor moves
    (in memory and in `store`) only after `emit` returned. A failed emit is retried (same items,
    same seqs) through the retry policy for up to `emit_budget` seconds; past it the source is
    resumed from its committed snapshot and the error propagates."""
    if store is not None:
        source.resume(store.load(source.key))
    committed = source.snapshot()
    done = 0
    while polls is None or done < polls:
        items: list[RawEntry] | None = None
        async for attempt in retrying(
            "poll",
            on=poll_wait,
            metrics=metrics,
            timeout=None,
            wait_initial=max(source.interval, 0.05),
            wait_max=float(getattr(source, "max_backoff", MAX_POLL_BACKOFF)),
            forever=True,
        ):
            with attempt:
                done += 1
                try:
                    items = await source.next_item()
                except RetryLater as retry:
                    if polls is None or done < polls:
                        log.warning(
                            "source backing off",
                            source=source.key,
                            delay=round(retry.delay if retry.delay else attempt.next_wait, 3),
                        )
                        raise
                    # out of polls while the source fails: `items` stays None
                except BaseException:
                    source.resume(committed)
                    raise
        if items is None:
            return
        if items:
            try:
                await _emit_retrying(source, emit, items, metrics, emit_budget)
            except BaseException:
                # not delivered: forget what this poll recorded, so the next one emits it again
                source.resume(committed)
                raise
        committed = source.snapshot()
        if store is not None:
            store.save(source.key, committed)
        if polls is None or done < polls:
            await sleep(source.interval)


def poll_wait(exc: Exception) -> bool | float:
    """stamina's backoff hook for a poll: a `RetryLater` is retried, after its own `delay` (plus
    a little jitter to keep many clients apart) when it carries one, else after the policy's
    exponential wait; anything else is not retried here."""
    if not isinstance(exc, RetryLater):
        return False
    if exc.delay is None:
        return True
    return exc.delay + random.uniform(0, min(exc.delay, 10.0) / 10)


async def _emit_retrying(
    source: PollingSource,
    emit: Emit,
    items: Sequence[RawEntry],
    metrics: Metrics | None,
    budget: float,
) -> None:
    async for attempt in retrying(
        "emit",
        on=LiveblogError,
        metrics=metrics,
        timeout=budget,
        wait_initial=max(source.interval, 0.05),
        wait_max=MAX_RESTART_DELAY,
    ):
        with attempt:
            try:
                await emit(items)
            except LiveblogError as exc:
                log.error(
                    "emit failed; cursor kept, retrying",
                    source=source.key,
                    entries=len(items),
                    reason=str(exc),
                    attempt=attempt.num,
                    next_wait=round(attempt.next_wait, 3),
                )
                raise


async def run_sources(
    sources: Sequence[PollingSource],
    emit: Emit,
    *,
    sleep: Sleep = asyncio.sleep,
    store: CursorStore | None = None,
    polls: int | None = None,
    restarts: int | None = None,
    metrics: Metrics | None = None,
) -> list[BaseException | None]:
    """Run every source on its own task; a source that crashes is logged and restarted from its
    committed cursor through the retry policy (growing, jittered, capped delays; at most
    `restarts` times when given), and the rest go on. Returns each source's last exception, or
    None for a source that ended normally."""

    async def guarded(source: PollingSource) -> BaseException | None:
        try:
            async for attempt in retrying(
                "source",
                on=_CRASHES,
                metrics=metrics,
                attempts=None if restarts is None else restarts + 1,
                timeout=None,
                wait_initial=max(source.interval, 0.05),
                wait_max=MAX_RESTART_DELAY,
                forever=restarts is None,
            ):
                with attempt:
                    try:
                        await run_source(
                            source, emit, sleep=sleep, store=store, polls=polls, metrics=metrics
                        )
                    except _CRASHES as exc:
                        if restarts is None or attempt.num <= restarts:
                            log.error(
                                "source crashed; restarting",
                                source=source.key,
                                error=str(exc),
                                crashes=attempt.num,
                                next_wait=round(attempt.next_wait, 3),
                            )
                        raise
        except _CRASHES as exc:
            log.error("source stopped", source=source.key, error=str(exc))
            return exc
        return None

    return list(await asyncio.gather(*(guarded(s) for s in sources)))
