"""End to end through a real broker: raw topic -> Faust worker -> quotes topic.

Two workers run in turn against the same broker, each on its own topics: a passthrough Faust agent
(raw -> out, no stages, the same app settings) and the liveblog worker (`liveblog worker`: every
stage, the blog state table, fan-out). For each, once it is ready:

- throughput: N raw entries (the seed's blocks over many blog ids) produced as fast as the
  producer goes; entries/s from the first send until the last expected output has arrived;
- CPU: the worker's CPU time over that run (utime + stime from /proc/PID/stat) per entry; for the
  liveblog worker it is split into the stages (the same entries through decode, every stage and
  encode, timed in this process) and the rest, the transport (Faust, the producer, checkpoints),
  so the ratio can be read even while the stages dominate or other processes share the cores;
- latency: entries offered at a fixed rate; for each entry, from its send to the arrival of its
  first record on the output topic (liveblog: its first quote), at a consumer in this process;
  p50 and p99.

`--scale-out` runs instead the liveblog worker's throughput with one worker and then with two
workers of one group sharing the partitions, and prints both, their ratio and the CPU use
(percent of one core) of the machine, the broker, this process (producer and reader) and each
worker over each run.

`python -m bench kafka [--broker HOST:PORT] [--entries N] [--rate R] [--seconds S] [--scale-out]
[--worker-log-level LEVEL]`; without --broker the local broker of `scripts/kafka` is started (or
reused). The workers log to `$TMPDIR/liveblog-bench/APP_ID-N.log` (WARNING unless told).
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment
from aiokafka.errors import KafkaError
from aiokafka.partitioner import murmur2

from bench.pipeline import stream
from connectors.kafka_admin import ensure_alert_topics, ensure_topics
from schemas.codec import decode, encode
from schemas.events import EnrichedEntry, RawEntry
from streams.core.logging import configure_logging
from streams.core.native import ENV as NATIVE_ENV
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
    #: CPU seconds per entry of the worker(s) over the throughput run
    cpu_ms: float = 0.0
    #: CPU seconds per entry of decode, stages and encode alone (liveblog), in this process
    stage_ms: float = 0.0
    #: percent of one core over the throughput run: "broker", "bench", "worker 1", ...
    cpu_percent: dict[str, float] = field(default_factory=dict)


# ---------------------------------------------------------------------- workers ----


def _settings(broker: str, prefix: str, partitions: int, log_level: str = "WARNING") -> Settings:
    return Settings(
        broker=f"kafka://{broker}",
        topic_prefix=prefix,
        app_id=prefix,
        partitions=partitions,
        worker_dir=Path(tempfile.gettempdir()) / "liveblog-bench",
        log_level=log_level,
    )


def _env(settings: Settings) -> dict[str, str]:
    # the settings are the benchmark's own; LIVEBLOG_NATIVE (which code the stages run, not a
    # setting) goes through, so that the workers run the code this process runs
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEBLOG_")}
    if NATIVE_ENV in os.environ:
        env[NATIVE_ENV] = os.environ[NATIVE_ENV]
    env.update(
        LIVEBLOG_BROKER=settings.broker,
        LIVEBLOG_TOPIC_PREFIX=settings.topic_prefix,
        LIVEBLOG_APP_ID=settings.app_id,
        LIVEBLOG_PARTITIONS=str(settings.partitions),
        LIVEBLOG_WORKER_DIR=str(settings.worker_dir),
        LIVEBLOG_LOG_LEVEL=settings.log_level,
    )
    return env


def _start(kind: str, settings: Settings, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    if kind == "liveblog":
        args = [CLI, "worker"]
    else:
        args = [sys.executable, "-m", "bench", "kafka", "--role", kind, *extra]
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


def run_transport(records: list[bytes]) -> int:
    """The liveblog worker with its stages replaced by their results, computed beforehand.

    The same app, agent, table, fan-out and alert agents as `liveblog worker`; for each raw entry
    the handler gets the entry and blog state the stages gave for it (computed here, before the
    worker starts, over the same records in order), so the same records and checkpoints go out
    at almost no stage CPU: its throughput is that of the transport alone.
    """
    from streams.runtime.kafka import worker
    from streams.runtime.kafka.alerts import alert_plugin
    from streams.runtime.kafka.app import create_app, faust_worker
    from streams.web.kafka import serve_web

    done: dict[tuple[str, int], tuple[EnrichedEntry, BlogState]] = {}
    states: dict[str, BlogState] = {}
    for data in records:
        raw = decode(RawEntry, data)
        result = process(raw, states.get(raw.blog_id) or BlogState())
        done[raw.blog_id, raw.seq] = result
        states[raw.blog_id] = result[1]

    def computed(
        raw: RawEntry, state: BlogState, *, min_confidence: float = 0.0
    ) -> tuple[EnrichedEntry, BlogState]:
        found = done.get((raw.blog_id, raw.seq))
        return found if found is not None else process(raw, state, min_confidence=min_confidence)

    worker.process = computed  # type: ignore[assignment]  # the point of this benchmark
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.run_until_complete(ensure_topics(settings))
    loop.run_until_complete(ensure_alert_topics(settings))
    runtime = create_app(settings, plugins=[alert_plugin(web=serve_web)])
    faust_worker(
        runtime.app, loop=loop, loglevel="WARNING", quiet=True, redirect_stdouts=False
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


class CpuClock:
    """CPU seconds (utime + stime) of processes, from /proc/PID/stat."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.start = self._read()
        self.began = time.monotonic()

    def _read(self) -> dict[str, float]:
        # the whole machine (every process of every user), busy time from /proc/stat
        ticks = [int(t) for t in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        out = {"machine": (sum(ticks) - ticks[3] - ticks[4]) / self.TICK}
        for name, pid in self.pids.items():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            out[name] = (int(fields[11]) + int(fields[12])) / self.TICK
        return out

    def used(self) -> tuple[dict[str, float], float]:
        """CPU seconds of each process since the start, and the wall seconds."""
        now = self._read()
        wall = time.monotonic() - self.began
        return {n: now[n] - self.start[n] for n in now if n in self.start}, wall


def _broker_pids() -> list[int]:
    """The local Kafka broker processes (java ... kafka.Kafka)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"kafka.Kafka" in cmdline:
            pids.append(int(proc.name))
    return pids


def _stage_seconds(records: list[bytes]) -> float:
    """CPU seconds of decode, every stage and encode of the entry over `records`, in order."""
    states: dict[str, BlogState] = {}
    start = time.process_time()
    for data in records:
        raw = decode(RawEntry, data)
        entry, states[raw.blog_id] = process(raw, states.get(raw.blog_id) or BlogState())
        encode(entry)
    return time.process_time() - start


def _warm_blogs(partitions: int) -> list[str]:
    """Blog ids whose records land on each partition (murmur2, as the producer picks)."""
    found: dict[int, str] = {}
    n = 0
    while len(found) < partitions:
        blog = f"warm-{n}"
        found.setdefault((murmur2(blog.encode()) & 0x7FFFFFFF) % partitions, blog)
        n += 1
    return [found[p] for p in range(partitions)]


async def _group_ready(settings: Settings, members: int, timeout: float) -> None:
    """Until the workers' group is stable with `members` members that all hold raw partitions."""
    deadline = time.monotonic() + timeout
    raw = f"{settings.topic_prefix}.raw-entries"
    while time.monotonic() < deadline:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers(settings.broker))
        held: list[int] = []
        try:
            await admin.start()
            for response in await admin.describe_consumer_groups([settings.app_id]):
                for group in response.to_object()["groups"]:
                    if group["state"] != "Stable":
                        continue
                    for member in group["members"]:
                        assigned = ConsumerProtocolMemberAssignment.decode(
                            member["member_assignment"]
                        )
                        held.append(sum(len(p) for t, p in assigned.assignment if t == raw))
        except KafkaError:
            held = []
        finally:
            await admin.close()
        if len(held) == members and all(held):
            return
        await asyncio.sleep(0.5)
    raise TimeoutError(f"the group {settings.app_id} never had {members} members with partitions")


def _records(
    partitions: int, entries: int, rate: float, seconds: float
) -> tuple[list[bytes], list[bytes], list[bytes]]:
    """The raw records of a run: a blog of every seed block on each partition to warm up (every
    stage's lazily loaded data and caches too), the throughput run's, the latency run's."""
    blocks = [decode(RawEntry, r) for r in stream(PER_BLOG, PER_BLOG)]
    warm = [
        encode(raw.model_copy(update={"blog_id": blog}))
        for blog in _warm_blogs(partitions)
        for raw in blocks
    ]
    blast = _relabel(stream(entries, PER_BLOG), "blast")
    paced = _relabel(stream(int(rate * seconds), PER_BLOG), "paced")
    return warm, blast, paced


async def _measure(
    kind: str,
    settings: Settings,
    entries: int,
    rate: float,
    seconds: float,
    timeout: float,
    *,
    workers: int = 1,
    latency: bool = True,
) -> Result:
    await ensure_topics(settings, kinds=_KINDS[kind])
    warm, blast, paced = _records(settings.partitions, entries, rate, seconds)
    arrivals = Arrivals(settings, _raw_key if kind == "passthrough" else _quote_key)
    reader = asyncio.create_task(arrivals.run())
    logs = [settings.worker_dir / f"{settings.app_id}-{n}.log" for n in range(workers)]
    logs[0].parent.mkdir(parents=True, exist_ok=True)
    given = ["--entries", str(entries), "--rate", str(rate), "--seconds", str(seconds)]
    procs = [_start(kind, settings, log, *given) for log in logs]
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

    p50 = p99 = 0.0
    samples = 0
    try:
        # ready: every worker holds partitions, and a record on each partition made it through
        await _group_ready(settings, workers, timeout)
        for data in warm:
            await send(data)
        await producer.flush()
        await arrivals.wait_for(set(_expected(warm, kind).values()), timeout)

        want = _expected(blast, kind)
        stage_s = _stage_seconds(blast) if kind != "passthrough" else 0.0
        pids = {f"worker {n + 1}": proc.pid for n, proc in enumerate(procs)}
        pids["bench"] = os.getpid()
        pids.update({f"broker {n + 1}": pid for n, pid in enumerate(_broker_pids())})
        clock = CpuClock(pids)
        start = time.monotonic()
        for data in blast:
            await send(data)
        await producer.flush()
        end = await arrivals.wait_for(set(want.values()), timeout)
        throughput = len(blast) / (end - start)
        used, wall = clock.used()
        worker_s = sum(v for n, v in used.items() if n.startswith("worker "))
        percent = {n: 100 * v / wall for n, v in used.items()}

        if latency:
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
            cuts = statistics.quantiles(latencies, n=100, method="inclusive")
            p50, p99, samples = statistics.median(latencies), cuts[98], len(latencies)
    except TimeoutError as exc:
        tails = []
        for log in logs:
            lines = log.read_text(encoding="utf-8", errors="replace").splitlines()[-20:]
            tails.append(f"worker log {log}:\n" + "\n".join(lines))
        raise TimeoutError(f"{kind}: {exc}; " + "\n".join(tails)) from exc
    finally:
        await producer.stop()
        reader.cancel()
        for proc in procs:
            _stop(proc)
    return Result(
        kind,
        throughput,
        p50,
        p99,
        samples,
        cpu_ms=1000 * worker_s / len(blast),
        stage_ms=1000 * stage_s / len(blast),
        cpu_percent=percent,
    )


_KINDS: dict[str, tuple[TopicKind, ...]] = {
    "passthrough": ("raw", "quotes"),
    "liveblog": ("raw", "entries", "quotes", "speakers", "alerts", "dead_letters"),
    "transport": ("raw", "entries", "quotes", "speakers", "alerts", "dead_letters"),
}


def _median(runs: list[Result]) -> Result:
    return Result(
        runs[0].name,
        statistics.median(r.throughput for r in runs),
        statistics.median(r.p50_ms for r in runs),
        statistics.median(r.p99_ms for r in runs),
        sum(r.samples for r in runs),
        statistics.median(r.cpu_ms for r in runs),
        statistics.median(r.stage_ms for r in runs),
        {
            k: statistics.median(r.cpu_percent.get(k, 0.0) for r in runs)
            for k in runs[0].cpu_percent
        },
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
    parser.add_argument("--rate", type=float, default=200.0, help="offered entries/s for latency")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the latency run")
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.add_argument("--repeat", type=int, default=1, help="runs per worker; medians shown")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--scale-out",
        action="store_true",
        help="instead: one liveblog worker against two sharing the partitions (throughput, CPU)",
    )
    parser.add_argument(
        "--worker-log-level",
        default="WARNING",
        help="log level of the workers started (their logs: TMPDIR/liveblog-bench/APP_ID-N.log)",
    )
    parser.add_argument("--role", choices=["bench", "passthrough", "transport"], default="bench")
    args = parser.parse_args(argv)
    if args.role == "passthrough":
        return run_passthrough()
    if args.role == "transport":
        return run_transport(
            [
                r
                for rs in _records(args.partitions, args.entries, args.rate, args.seconds)
                for r in rs
            ]
        )
    broker = _broker(args.broker)
    repeat = max(1, args.repeat)

    def measure(kind: str, workers: int = 1, latency: bool = True) -> Result:
        runs = []
        for _ in range(repeat):
            prefix = f"bench-{kind}-{workers}-{uuid.uuid4().hex[:8]}"
            settings = _settings(broker, prefix, args.partitions, args.worker_log_level)
            runs.append(
                asyncio.run(
                    _measure(
                        kind,
                        settings,
                        args.entries,
                        args.rate,
                        args.seconds,
                        args.timeout,
                        workers=workers,
                        latency=latency,
                    )
                )
            )
        return _median(runs)

    if args.scale_out:
        scaled = [measure("liveblog", 1, latency=False), measure("liveblog", 2, latency=False)]
        if args.json:
            print(json.dumps({f"workers_{n + 1}": r.__dict__ for n, r in enumerate(scaled)}))
        else:
            _print_scale_out(broker, args, scaled)
        return 0
    results = [measure("passthrough"), measure("liveblog"), measure("transport")]
    if args.json:
        print(json.dumps({r.name: r.__dict__ for r in results}, indent=2))
    else:
        _print(broker, args, results)
    return 0


def _print(broker: str, args: argparse.Namespace, results: list[Result]) -> None:
    base, ours, transport = results
    print(
        f"broker {broker}, {args.partitions} partitions; throughput: {args.entries} entries "
        f"({args.entries // PER_BLOG} blogs); latency: {args.rate:g} entries/s offered for "
        f"{args.seconds:g} s; median of {max(1, args.repeat)} run(s) each"
    )
    print(f"{'':24}{'entries/s':>12}{'p50 ms':>10}{'p99 ms':>10}{'samples':>9}{'CPU ms/entry':>14}")
    labels = {"transport": "liveblog, stages done"}
    for r in results:
        print(
            f"{labels.get(r.name, r.name):24}{r.throughput:12,.0f}{r.p50_ms:10.1f}"
            f"{r.p99_ms:10.1f}{r.samples:9}{r.cpu_ms:14.2f}"
        )
    print(
        f"ratio liveblog/passthrough: throughput {ours.throughput / base.throughput:.2f}, "
        f"p50 {ours.p50_ms / base.p50_ms:.2f}x, p99 {ours.p99_ms / base.p99_ms:.2f}x"
    )
    print(
        f"ratio liveblog with its stages done beforehand (the transport alone)/passthrough: "
        f"throughput {transport.throughput / base.throughput:.2f}, "
        f"p99 {transport.p99_ms / base.p99_ms:.2f}x"
    )
    print(
        f"liveblog worker CPU per entry (throughput run): {ours.cpu_ms:.2f} ms; the stages alone "
        f"on the same entries in this process (decode, every stage, encode) {ours.stage_ms:.2f} "
        f"ms, so transport about {ours.cpu_ms - ours.stage_ms:.2f} ms; the worker with its "
        f"stages done {transport.cpu_ms:.2f} ms; passthrough {base.cpu_ms:.2f} ms per record"
    )


def _print_scale_out(broker: str, args: argparse.Namespace, scaled: list[Result]) -> None:
    one, two = scaled
    print(
        f"broker {broker}, {args.partitions} partitions; throughput: {args.entries} entries "
        f"({args.entries // PER_BLOG} blogs) through the liveblog worker alone, then through two "
        f"workers of one group; median of {max(1, args.repeat)} run(s) each"
    )
    order = ("machine", "broker", "bench", "worker")
    names = sorted(
        {*one.cpu_percent, *two.cpu_percent}, key=lambda n: (order.index(n.split()[0]), n)
    )
    print(f"{'':12}{'entries/s':>12}" + "".join(f"{n + ' %CPU':>16}" for n in names))
    for label, r in (("1 worker", one), ("2 workers", two)):
        cells = "".join(
            f"{r.cpu_percent[n]:16.0f}" if n in r.cpu_percent else f"{'':16}" for n in names
        )
        print(f"{label:12}{r.throughput:12,.0f}{cells}")
    print(
        f"ratio 2 workers/1 worker: {two.throughput / one.throughput:.2f} "
        f"(%CPU: percent of one core, from /proc/PID/stat; machine: every process, from "
        f"/proc/stat, of {os.cpu_count()} cores = {100 * (os.cpu_count() or 1)} %)"
    )
