"""Prometheus metrics of the Kafka runtime (worker and sink), and its stdlib logging as structlog.

One `Metrics` object per process, on its own registry (so tests and the benchmark can build
several), exposed by `serve(port)` at `/metrics`, beside `/healthz` (the process answers) and
`/readyz` (200 once `ready` is set: the worker has started, the sink has its store; else 503):

- `liveblog_records_in_total{stage}` / `liveblog_records_out_total{stage}`: records a stage took
  and gave (stages: decode, process, publish, sink);
- `liveblog_dead_letters_total{stage}`: records dead-lettered, by the stage that refused them;
- `liveblog_replays_skipped_total`: redelivered records whose effect the state already holds;
- `liveblog_consumer_gaps_total`: holes in a partition's offsets the worker sought back over;
- `liveblog_consumer_lag{topic,partition}`: records behind the partition's high watermark;
- `liveblog_retries_total{what}`: retries of the one retry policy (`streams.core.retry`), by
  what was retried (`sink`, `postgres`, ...);
- `liveblog_stage_seconds{stage}`: time a stage took per record (per batch for the sink);
  `delivery` is the time from a record's send to the broker's acknowledgement of all its outputs.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, make_wsgi_app

__all__ = ["Metrics", "RepeatFilter", "RetriedCoordinator", "stdlib_logging_config"]

_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class _Timed:
    """`Metrics.timed`: counts one record in on entry, observes the seconds on exit."""

    __slots__ = ("_counter", "_histogram", "_start")

    def __init__(self, counter: Any, histogram: Any) -> None:
        self._counter = counter
        self._histogram = histogram
        self._start = 0.0

    def __enter__(self) -> None:
        self._counter.inc()
        self._start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self._histogram.observe(time.perf_counter() - self._start)


class Metrics:
    """The counters, gauges and histograms of one worker or sink process."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        #: what `/readyz` answers: set once the process does its work
        self.ready = False
        self.port: int | None = None
        self.records_in = Counter(
            "liveblog_records_in",
            "Records a stage received.",
            ["stage"],
            registry=self.registry,
        )
        self.records_out = Counter(
            "liveblog_records_out",
            "Records a stage emitted.",
            ["stage"],
            registry=self.registry,
        )
        self.dead_letters = Counter(
            "liveblog_dead_letters",
            "Records sent to the dead-letter topic, by the stage that refused them.",
            ["stage"],
            registry=self.registry,
        )
        self.replays_skipped = Counter(
            "liveblog_replays_skipped",
            "Redelivered records whose effect the restored state already holds.",
            registry=self.registry,
        )
        self.gaps = Counter(
            "liveblog_consumer_gaps",
            "Holes in a partition's offsets that the worker sought back over.",
            registry=self.registry,
        )
        self.retries = Counter(
            "liveblog_retries",
            "Retries of a failed operation, by what was retried.",
            ["what"],
            registry=self.registry,
        )
        self.lag = Gauge(
            "liveblog_consumer_lag",
            "Records between the last one processed and the partition's high watermark.",
            ["topic", "partition"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "liveblog_stage_seconds",
            "Seconds a stage took per record (per batch for the sink).",
            ["stage"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        #: the labelled children used per record, by label values: `labels()` validates and
        #: locks at every call, a few microseconds that the worker paid several times per record
        self._children: dict[tuple[Any, ...], Any] = {}

    def _child(self, metric: Any, *values: str) -> Any:
        key = (metric, *values)
        found = self._children.get(key)
        if found is None:
            found = self._children[key] = metric.labels(*values)
        return found

    def timed(self, stage: str) -> _Timed:
        """Count one record into `stage` and observe how long the block took (a `with` block)."""
        return _Timed(self._child(self.records_in, stage), self._child(self.latency, stage))

    def count_out(self, stage: str, records: int = 1) -> None:
        """Count `records` emitted by `stage` (`liveblog_records_out_total{stage}`)."""
        self._child(self.records_out, stage).inc(records)

    def observe(self, stage: str, seconds: float) -> None:
        """Observe `seconds` of `stage` (`liveblog_stage_seconds{stage}`) without counting."""
        self._child(self.latency, stage).observe(seconds)

    def set_lag(self, topic: str, partition: int, highwater: int | None, offset: int) -> None:
        """Lag after processing `offset`: the high watermark is the offset of the next record."""
        if highwater is not None and highwater >= 0:
            self._child(self.lag, topic, str(partition)).set(max(0, highwater - offset - 1))

    def value(self, name: str, **labels: str) -> float:
        """The current value of a sample (0 when absent), for tests and the benchmark."""
        found = self.registry.get_sample_value(name, labels)
        return float(found) if found is not None else 0.0

    def serve(self, port: int, addr: str = "127.0.0.1") -> int:
        """Expose `/metrics`, `/healthz` and `/readyz` on a background thread; the bound port."""
        import threading
        from socketserver import ThreadingMixIn
        from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

        metrics_app = make_wsgi_app(self.registry)

        def app(environ: dict[str, Any], start: Any) -> Any:
            path = environ.get("PATH_INFO", "")
            if path in ("/healthz", "/readyz"):
                ok = path == "/healthz" or self.ready
                body = (
                    b'{"status":"ok"}'
                    if ok
                    else b'{"type":"about:blank","title":"Service Unavailable","status":503,'
                    b'"detail":"not ready: starting","error":"not ready: starting"}'
                )
                kind = "application/json" if ok else "application/problem+json"
                start("200 OK" if ok else "503 Service Unavailable", [("Content-Type", kind)])
                return [body]
            return metrics_app(environ, start)

        class _Server(ThreadingMixIn, WSGIServer):
            daemon_threads = True

        class _Quiet(WSGIRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = make_server(addr, port, app, _Server, handler_class=_Quiet)
        self.port = int(server.server_address[1])
        threading.Thread(target=server.serve_forever, daemon=True, name="metrics").start()
        return self.port


class RetriedCoordinator(logging.Filter):
    """aiokafka logs "Group Coordinator Request failed" at ERROR and then retries; on a fresh
    broker that is the normal first start (the offsets topic is being created), so it becomes a
    WARNING that says it is retried."""

    def filter(self, record: logging.LogRecord) -> bool:
        if (
            record.levelno == logging.ERROR
            and record.name.startswith("aiokafka")
            and str(record.msg).startswith("Group Coordinator Request failed")
            and any(getattr(a, "retriable", False) for a in record.args or ())
        ):
            record.levelno = logging.WARNING
            record.levelname = "WARNING"
            record.msg = str(record.msg) + " (retrying)"
        return True


class RepeatFilter(logging.Filter):
    """Lets a repeated library log line (same logger, level and message template) through once
    per `window` seconds, with the number held back since: a broker outage makes aiokafka log the
    same error many times a second, which would bury everything else."""

    def __init__(
        self,
        window: float = 10.0,
        *,
        clock: Any = time.monotonic,
        max_keys: int = 1000,
    ) -> None:
        super().__init__()
        self.window = window
        self.clock = clock
        self.max_keys = max_keys
        #: key -> (time the line last went through, repeats held back since)
        self.seen: dict[tuple[str, int, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.levelno, str(record.msg))
        now = float(self.clock())
        last = self.seen.get(key)
        if last is not None and now - last[0] < self.window:
            self.seen[key] = (last[0], last[1] + 1)
            return False
        if last is not None and last[1]:
            record.msg = f"{record.msg} (and {last[1]} more like it in {self.window:g} s)"
        if len(self.seen) >= self.max_keys and key not in self.seen:
            self.seen.clear()
        self.seen[key] = (now, 0)
        return True


def stdlib_logging_config(level: str = "INFO", fmt: str = "json") -> dict[str, Any]:
    """A `logging.config.dictConfig` that renders Faust's and aiokafka's logs like ours.

    They go to stderr through structlog's `ProcessorFormatter`, as JSON lines or for a console;
    their level is at least WARNING (Faust is chatty at INFO) unless ours is DEBUG.
    """
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.INFO
    floor = numeric if numeric <= logging.DEBUG else max(numeric, logging.WARNING)
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structlog": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    renderer,
                ],
                "foreign_pre_chain": [
                    structlog.contextvars.merge_contextvars,
                    structlog.stdlib.add_log_level,
                    structlog.stdlib.add_logger_name,
                    structlog.processors.TimeStamper(fmt="iso", utc=True),
                ],
            }
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "structlog",
                "filters": ["coordinator", "repeats"],
            }
        },
        "filters": {
            "coordinator": {"()": RetriedCoordinator},
            "repeats": {"()": RepeatFilter},
        },
        "root": {"handlers": ["stderr"], "level": logging.getLevelName(floor)},
    }
