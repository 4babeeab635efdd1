"""The order guard's seek on a real broker: a seek back mid-stream re-reads every record.

Faust drops a fetched record whose offset is below its read offset for the partition, and raises
that read offset with every record its fetcher hands to the streams, those of the batch it fetched
before a seek too. A seek back made while the fetcher was in the middle of such a batch therefore
lost the records between the seek's offset and the end of that batch: the two-worker warm-up of
`bench kafka --scale-out` lost one partition's blog that way. The probe
(`tests/integration/seek_probe.py`) makes that case certain: a stream buffer of 4 records keeps the
fetcher in the middle of its batch while the agent seeks.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from connectors.kafka_admin import ensure_topics
from streams.core.topics import TopicNames, bootstrap_servers
from tests.conftest import ROOT
from tests.integration.kafka_support import env_of, make_settings

pytestmark = pytest.mark.integration

#: records on the partition, the offset at which the agent seeks, the offset it seeks to
RECORDS = 300
TRIGGER = 5
TARGET = 1


def _runs(offsets: list[int]) -> str:
    """Offsets as runs, `0-4, 9, 12-299`, for a readable failure."""
    out: list[str] = []
    for offset in offsets:
        if out and offset == int(out[-1].rsplit("-", 1)[-1]) + 1:
            out[-1] = f"{out[-1].split('-')[0]}-{offset}"
        else:
            out.append(str(offset))
    return ", ".join(out)


async def test_a_seek_back_mid_stream_rereads_every_record(
    kafka_bootstrap: str, tmp_path: Path, unique: str
) -> None:
    """After `FaustPositions.seek(tp, 1)` on the record at offset 5, with the rest of Faust's
    batch still to deliver, the agent gets at most the records already buffered, then every
    record from offset 1 to the last, in order."""
    settings = make_settings(kafka_bootstrap, unique, partitions=1)
    await ensure_topics(settings, kinds=("raw",))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap_servers(settings.broker))
    await producer.start()
    try:
        topic = TopicNames.from_settings(settings).raw
        for n in range(RECORDS):
            await producer.send(topic, b"x" * 50, key=f"k{n}".encode(), partition=0)
        await producer.flush()
    finally:
        await producer.stop()

    log = tmp_path / "probe.log"
    with log.open("wb") as err:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.integration.seek_probe",
            str(TRIGGER),
            str(TARGET),
            cwd=ROOT,
            env=env_of(settings, LIVEBLOG_WORKER_DIR=str(tmp_path / "faust")),
            stdout=asyncio.subprocess.PIPE,
            stderr=err,
        )
    after: list[int] = []
    sought = False

    async def read() -> None:
        # until the re-read reached the last record, or the last record came twice (the re-read
        # was cut short to it)
        nonlocal sought
        assert proc.stdout is not None
        reread = False
        while line := await proc.stdout.readline():
            data = json.loads(line)
            if "sought" in data:
                sought = True
                continue
            if not sought:
                continue
            offset = data["offset"]
            after.append(offset)
            reread = reread or offset == TARGET
            if offset == RECORDS - 1 and (reread or after.count(offset) > 1):
                return

    try:
        await asyncio.wait_for(read(), 90)
    except TimeoutError:
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        pytest.fail(f"the probe did not finish; after the seek: {_runs(after)}\n{tail}")
    finally:
        if proc.returncode is None:
            proc.terminate()
            await proc.wait()

    first = after.index(TARGET) if TARGET in after else len(after)
    stale, reread = after[:first], after[first:]
    # what the fetcher had handed to the stream before the seek: the buffer, and no more
    assert stale == sorted(stale) and all(o > TRIGGER for o in stale), _runs(after)
    assert len(stale) <= 8, f"records fetched before the seek kept coming: {_runs(after)}"
    assert reread == list(range(TARGET, RECORDS)), (
        f"after the seek: {_runs(after)} (records before the seek, then the re-read)"
    )
