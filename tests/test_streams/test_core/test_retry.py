"""The one retry policy: bounded, counted in Prometheus, the last error propagated."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stamina

from schemas.exceptions import SinkError
from streams.core.metrics import Metrics
from streams.core.retry import retrying


@pytest.fixture(autouse=True)
def fixture_no_waiting() -> Iterator[None]:
    """stamina's test mode: no real waits, attempts as configured."""
    stamina.set_testing(True, attempts=3)
    yield None
    stamina.set_testing(False)


class TestRetrying:
    async def test_retries_until_success_and_counts(self) -> None:
        """A block failing twice then succeeding runs three times; two retries are counted."""
        metrics = Metrics()
        calls = 0
        async for attempt in retrying("sink", on=SinkError, metrics=metrics, timeout=10):
            with attempt:
                calls += 1
                if calls < 3:
                    raise SinkError("connection lost")
        assert calls == 3
        assert metrics.value("liveblog_retries_total", what="sink") == 2

    async def test_gives_up_with_the_last_error(self) -> None:
        """A block that keeps failing raises its last error once the attempts are spent."""
        metrics = Metrics()
        with pytest.raises(SinkError, match="still down"):
            async for attempt in retrying("postgres", on=SinkError, metrics=metrics, attempts=3):
                with attempt:
                    raise SinkError("still down")
        assert metrics.value("liveblog_retries_total", what="postgres") == 2

    async def test_other_errors_are_not_retried(self) -> None:
        """Only the named exceptions are retried."""
        calls = 0
        with pytest.raises(ValueError):
            async for attempt in retrying("sink", on=SinkError, timeout=10):
                with attempt:
                    calls += 1
                    raise ValueError("a bug")
        assert calls == 1

    async def test_an_unbounded_retry_is_refused(self) -> None:
        """Every retry has a bound: attempts or a time budget."""
        with pytest.raises(ValueError, match="bound"):
            await retrying("sink", on=SinkError, attempts=None, timeout=None).__anext__()

    async def test_forever_must_be_asked_for(self) -> None:
        """An unbounded retry runs only when the caller says `forever` (a connector's source)."""
        calls = 0
        stamina.set_testing(True, attempts=10)
        async for attempt in retrying(
            "source", on=SinkError, attempts=None, timeout=None, forever=True
        ):
            with attempt:
                calls += 1
                if calls < 5:
                    raise SinkError("again")
        assert calls == 5
