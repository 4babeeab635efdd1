"""Prometheus metrics of the worker and sink, and their stdlib logs rendered by structlog."""

from __future__ import annotations

import json
import logging
import logging.config
from collections.abc import Iterator

import pytest

from streams.core.metrics import Metrics, RepeatFilter, stdlib_logging_config


class TestMetrics:
    def test_timed_counts_and_observes(self) -> None:
        """A timed block counts one record into the stage and observes its duration."""
        metrics = Metrics()
        with metrics.timed("process"):
            pass
        assert metrics.value("liveblog_records_in_total", stage="process") == 1
        assert metrics.value("liveblog_stage_seconds_count", stage="process") == 1

    def test_lag_is_the_records_behind_the_high_watermark(self) -> None:
        """After offset 9 of a partition whose next offset is 15, five records wait."""
        metrics = Metrics()
        metrics.set_lag("t", 2, 15, 9)
        assert metrics.value("liveblog_consumer_lag", topic="t", partition="2") == 5

    def test_registries_are_separate(self) -> None:
        """Two Metrics objects (two workers in one test) do not share counters."""
        first, second = Metrics(), Metrics()
        first.dead_letters.labels("validate").inc()
        assert second.value("liveblog_dead_letters_total", stage="validate") == 0


@pytest.fixture(name="restore_logging")
def fixture_restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


class TestStdlibLogging:
    @pytest.mark.usefixtures("restore_logging")
    def test_foreign_logs_become_json_lines(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Faust's and aiokafka's log records come out as JSON on stderr, tracebacks included."""
        logging.config.dictConfig(stdlib_logging_config("INFO", "json"))
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("faust.worker").exception("worker failed")
        logging.getLogger("aiokafka").info("chatty")
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
        assert len(lines) == 1
        assert lines[0]["event"] == "worker failed"
        assert lines[0]["level"] == "error"
        assert lines[0]["logger"] == "faust.worker"
        assert "ValueError: boom" in lines[0]["exception"]

    @pytest.mark.usefixtures("restore_logging")
    def test_retried_coordinator_lookup_is_a_warning(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """aiokafka's retried "Group Coordinator Request failed" (normal on a fresh broker) is a
        warning that says it is retried; a fatal one stays an error."""
        from aiokafka.errors import CoordinatorNotAvailableError, GroupAuthorizationFailedError

        logging.config.dictConfig(stdlib_logging_config("INFO", "json"))
        log = logging.getLogger("aiokafka.consumer.group_coordinator")
        log.error("Group Coordinator Request failed: %s", CoordinatorNotAvailableError())
        log.error("Group Coordinator Request failed: %s", GroupAuthorizationFailedError())
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
        assert [line["level"] for line in lines] == ["warning", "error"]
        assert lines[0]["event"].endswith("(retrying)")

    @pytest.mark.usefixtures("restore_logging")
    def test_a_storm_of_one_error_is_rate_limited(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A library logging the same error 5,000 times (a broker outage) gives one line."""
        logging.config.dictConfig(stdlib_logging_config("INFO", "json"))
        for _ in range(5000):
            logging.getLogger("aiokafka.conn").error("Unable connect to %s", "node 1")
        logging.getLogger("aiokafka.conn").error("another error")
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
        assert [x["event"] for x in lines] == ["Unable connect to node 1", "another error"]


class TestRepeatFilter:
    def test_one_line_per_window_with_the_count_held_back(self) -> None:
        """Repeats within the window are held back; the next after it says how many there were."""
        now = [0.0]
        kept = RepeatFilter(10.0, clock=lambda: now[0])

        def record() -> logging.LogRecord:
            return logging.LogRecord("aiokafka", logging.ERROR, "f", 1, "down %s", ("x",), None)

        assert kept.filter(record())
        assert not any(kept.filter(record()) for _ in range(99))
        now[0] = 10.5
        again = record()
        assert kept.filter(again)
        assert "and 99 more like it in 10 s" in again.getMessage()
