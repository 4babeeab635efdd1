"""The one retry policy of the project: stamina's exponential backoff with jitter, capped waits and
a time budget, each retry counted in `liveblog_retries_total{what}` and logged once.

    async for attempt in retrying("sink", on=SinkError, metrics=metrics, timeout=120):
        with attempt:
            await sink.write(records)

The block is tried until it succeeds, `attempts` tries were made or `timeout` seconds passed;
then the last exception propagates (callers turn it into a one-line error). stamina's own retry
hooks (structlog and its Prometheus counter on the default registry) stay on; the counter here
lives on the process's `Metrics` registry with the rest of its metrics.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import stamina
import structlog

from streams.core.metrics import Metrics

__all__ = ["RetryOn", "retrying"]

#: what is retried: exception types, or stamina's backoff hook (the exception -> False: not
#: retried, True: the policy's exponential wait, a number: wait that long, e.g. Retry-After)
RetryOn = type[Exception] | tuple[type[Exception], ...] | Callable[[Exception], bool | float]

log = structlog.get_logger(__name__)


async def retrying(
    what: str,
    *,
    on: RetryOn,
    metrics: Metrics | None = None,
    attempts: int | None = None,
    timeout: float | None = 120.0,
    wait_initial: float = 0.5,
    wait_max: float = 8.0,
    forever: bool = False,
) -> AsyncIterator[stamina.Attempt]:
    """stamina's retry context, counting each retry of `what`; at least one bound is required,
    unless `forever` says the caller means it (a connector's source, restarted while it runs)."""
    if attempts is None and timeout is None and not forever:
        raise ValueError("a retry needs a bound: attempts or timeout")
    async for attempt in stamina.retry_context(
        on=on,
        attempts=attempts,
        timeout=timeout,
        wait_initial=wait_initial,
        wait_max=wait_max,
        wait_jitter=wait_initial,
    ):
        if attempt.num > 1:
            if metrics is not None:
                metrics.retries.labels(what).inc()
            log.warning("retrying", what=what, attempt=attempt.num)
        yield attempt
