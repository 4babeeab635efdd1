"""End to end through a real broker: raw topic -> Faust worker -> quotes topic.

Two workers run in turn against the same broker, each on its own topics: a passthrough Faust agent
(raw -> out, no stages, the same app settings) and the liveblog worker (`liveblog worker`: every
stage, the blog state table, fan-out). For each, once it is ready:

- throughput: N raw entries (the seed's blocks over many blog ids) produced as fast as the
  producer goes; entries/s from the first send until the last expected output has arrived;
- latency: entries offered at a fixed rate; for each entry, from its send to the arrival of its
  first record on the output topic (liveblog: its first quote), at a consumer in this process;
  p50 and p99.

`python -m bench kafka [--broker HOST:PORT] [--entries N] [--rate R] [--seconds S]`; without
--broker the local broker of `scripts/kafka` is started (or reused).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from bench.pipeline import stream
from connectors.kafka_admin import ensure_topics
from schemas.codec import decode
from schemas.events import RawEntry
from streams.core.settings import Settings
from streams.core.topics import TopicKind, bootstrap_servers
from streams.pipeline.chain import BlogState, process

ROOT = Path(__file__).absolute().parent.parent
CLI = str(Path(sys.executable).parent / "liveblog")
PER_BLOG = 35
#: seconds between the throughput run and the latency run
SETTLE = 3.0


@dataclass
class Result:
    name: str
    throughput: float
    p50_ms: float
    p99_ms: float
    samples: int


# ---------------------------------------------------------------------- workers ----


def _settings(broker: str, prefix: str, partitions: int) -> Settings:
    return Settings(
        broker=f"kafka://{broker}",
        topic_prefix=prefix,
        app_id=prefix,
        partitions=partitions,
        worker_dir=Path(tempfile.gettempdir()) / "liveblog-bench",
    )


def _env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEBLOG_")}
    env.update(
        LIVEBLOG_BROKER=settings.broker,
        LIVEBLOG_TOPIC_PREFIX=settings.topic_prefix,
        LIVEBLOG_APP_ID=settings.app_id,
        LIVEBLOG_PARTITIONS=str(settings.partitions),
        LIVEBLOG_WORKER_DIR=str(settings.worker_dir),
        LIVEBLOG_LOG_LEVEL="WARNING",
    )
    return env


def _start(kind: str, settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    if kind == "liveblog":
        args = [CLI, "worker"]
    else:
        args = [sys.executable, "-m", "bench", "kafka", "--role", "passthrough"]
    with log.open("wb") as err:
        return subprocess.Popen(
            args, env=_env(settings), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err
        )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def run_passthrough() -> int:
    """The passthrough worker: every raw record forwarded unchanged to the out topic."""

    from streams.core.topics import TopicNames
    from streams.runtime.kafka.app import faust_app, faust_worker

    settings = Settings()
    names = TopicNames.from_settings(settings)
    app = faust_app(settings)
    source = app.topic(names.raw, key_type=bytes, value_type=bytes, partitions=settings.partitions)
    out = app.topic(names.quotes, key_type=bytes, value_type=bytes, partitions=settings.partitions)

    async def passthrough(stream: Any) -> None:
        async for event in stream.events():
            await out.send(key=event.key, value=event.value)

    app.agent(source, name="bench.passthrough")(passthrough)
    faust_worker(
        app, loglevel="WARNING", quiet=True, redirect_stdouts=False
    ).execute_from_commandline()
    return 0


# ----------------------------------------------------------------------- driving ----


class Arrivals:
    """Consumes the output topic and notes when each entry's first record arrived."""

    def __init__(self, settings: Settings, key_of: Callable[[bytes], Any]) -> None:
        self.settings = settings
        self.key_of = key_of
        self.first: dict[Any, float] = {}
        self.records = 0
        self.changed = asyncio.Event()

    async def run(self) -> None:
        topic = f"{self.settings.topic_prefix}.quotes"
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_servers(self.settings.broker), enable_auto_commit=False
        )
        await consumer.start()
        try:
            tps = [TopicPartition(topic, p) for p in range(self.settings.partitions)]
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            while True:
                got = await consumer.getmany(timeout_ms=200)
                now = time.monotonic()
                for records in got.values():
                    for record in records:
                        self.records += 1
                        self.first.setdefault(self.key_of(record.value or b""), now)
                if got:
                    self.changed.set()
        finally:
            await consumer.stop()

    async def wait_for(self, keys: set[Any], timeout: float) -> float:
        """Until every key has arrived; returns the latest arrival time."""
        deadline = time.monotonic() + timeout
        while not keys <= self.first.keys():
            left = deadline - time.monotonic()
            if left <= 0:
                missing = len(keys - self.first.keys())
                raise TimeoutError(f"{missing} of {len(keys)} entries never reached the output")
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), min(left, 1.0))
        return max(self.first[k] for k in keys)


def _quote_key(value: bytes) -> Any:
    return json.loads(value)["entry_id"]


def _raw_key(value: bytes) -> Any:
    data = json.loads(value)
    return (data["blog_id"], data["seq"])


def _expected(records: list[bytes], kind: str) -> dict[int, Any]:
    """For each record index, the key its first output carries (none: no output expected)."""
    if kind == "passthrough":
        return {i: _raw_key(r) for i, r in enumerate(records)}
    states: dict[str, BlogState] = {}
    out: dict[int, Any] = {}
    for i, data in enumerate(records):
        raw = decode(RawEntry, data)
        entry, states[raw.blog_id] = process(raw, states.get(raw.blog_id) or BlogState())
        if entry.quotes:
            out[i] = entry.entry_id
    return out


def _relabel(records: list[bytes], tag: str) -> list[bytes]:
    out = []
    for data in records:
        raw = decode(RawEntry, data)
        out.append(
            raw.model_copy(update={"blog_id": f"{tag}-{raw.blog_id}"}).model_dump_json().encode()
        )
    return out


async def _measure(
    kind: str, settings: Settings, entries: int, rate: float, seconds: float, timeout: float
) -> Result:
    await ensure_topics(settings, kinds=_KINDS[kind])
    warm = _relabel(stream(1, PER_BLOG), "warm")
    blast = _relabel(stream(entries, PER_BLOG), "blast")
    paced = _relabel(stream(int(rate * seconds), PER_BLOG), "paced")
    arrivals = Arrivals(settings, _quote_key if kind == "liveblog" else _raw_key)
    reader = asyncio.create_task(arrivals.run())
    log = settings.worker_dir / f"{settings.app_id}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    proc = _start(kind, settings, log)
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers(settings.broker),
        enable_idempotence=True,
        acks="all",
        linger_ms=0,
    )
    await producer.start()
    topic = f"{settings.topic_prefix}.raw-entries"

    async def send(data: bytes) -> None:
        await producer.send(topic, data, key=decode(RawEntry, data).blog_id.encode())

    try:
        # ready: the first record made it through
        await send(warm[0])
        await producer.flush()
        await arrivals.wait_for(set(_expected(warm, kind).values()), timeout)

        want = _expected(blast, kind)
        start = time.monotonic()
        for data in blast:
            await send(data)
        await producer.flush()
        end = await arrivals.wait_for(set(want.values()), timeout)
        throughput = len(blast) / (end - start)

        # let the worker settle (commits, buffers) before the latency run
        await asyncio.sleep(SETTLE)
        want = _expected(paced, kind)
        sent: dict[Any, float] = {}
        begin = time.monotonic()
        for i, data in enumerate(paced):
            delay = begin + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if i in want:
                sent.setdefault(want[i], time.monotonic())
            await send(data)
        await producer.flush()
        await arrivals.wait_for(set(sent), timeout)
        latencies = sorted((arrivals.first[k] - t) * 1000 for k, t in sent.items())
    except TimeoutError as exc:
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-20:]
        raise TimeoutError(f"{kind}: {exc}; worker log {log}:\n" + "\n".join(tail)) from exc
    finally:
        await producer.stop()
        reader.cancel()
        _stop(proc)
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return Result(kind, throughput, statistics.median(latencies), cuts[98], len(latencies))


_KINDS: dict[str, tuple[TopicKind, ...]] = {
    "passthrough": ("raw", "quotes"),
    "liveblog": ("raw", "entries", "quotes", "speakers", "alerts", "dead_letters"),
}


def _median(runs: list[Result]) -> Result:
    return Result(
        runs[0].name,
        statistics.median(r.throughput for r in runs),
        statistics.median(r.p50_ms for r in runs),
        statistics.median(r.p99_ms for r in runs),
        sum(r.samples for r in runs),
    )


def _broker(given: str | None) -> str:
    if given:
        return given.removeprefix("kafka://")
    done = subprocess.run(
        [str(ROOT / "scripts" / "kafka"), "start"], capture_output=True, text=True, check=True
    )
    return done.stdout.strip().splitlines()[-1]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench kafka", description=__doc__)
    parser.add_argument("--broker", help="HOST:PORT of a running broker (else scripts/kafka)")
    parser.add_argument("--entries", type=int, default=5250, help="entries of the throughput run")
    parser.add_argument("--rate", type=float, default=50.0, help="offered entries/s for latency")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the latency run")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.add_argument("--repeat", type=int, default=1, help="runs per worker; medians shown")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--role", choices=["bench", "passthrough"], default="bench")
    args = parser.parse_args(argv)
    if args.role == "passthrough":
        return run_passthrough()
    broker = _broker(args.broker)
    results = []
    for kind in ("passthrough", "liveblog"):
        runs = []
        for _ in range(max(1, args.repeat)):
            prefix = f"bench-{kind}-{uuid.uuid4().hex[:8]}"
            settings = _settings(broker, prefix, args.partitions)
            runs.append(
                asyncio.run(
                    _measure(kind, settings, args.entries, args.rate, args.seconds, args.timeout)
                )
            )
        results.append(_median(runs))
    base, ours = results
    if args.json:
        print(json.dumps({r.name: r.__dict__ for r in results}, indent=2))
        return 0
    print(
        f"broker {broker}, {args.partitions} partitions; throughput: {args.entries} entries "
        f"({args.entries // PER_BLOG} blogs); latency: {args.rate:g} entries/s offered for "
        f"{args.seconds:g} s; median of {max(1, args.repeat)} run(s) each"
    )
    print(f"{'':24}{'entries/s':>12}{'p50 ms':>10}{'p99 ms':>10}{'samples':>9}")
    for r in results:
        print(f"{r.name:24}{r.throughput:12,.0f}{r.p50_ms:10.1f}{r.p99_ms:10.1f}{r.samples:9}")
    print(
        f"ratio liveblog/passthrough: throughput {ours.throughput / base.throughput:.2f}, "
        f"p50 {ours.p50_ms / base.p50_ms:.2f}x, p99 {ours.p99_ms / base.p99_ms:.2f}x"
    )
    return 0
