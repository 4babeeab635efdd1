"""A Faust worker whose agent seeks its partition back once, mid-stream (`test_kafka_seek.py`).

`python -m tests.integration.seek_probe TRIGGER TARGET` with the `LIVEBLOG_*` settings of a test:
one agent on the raw topic (one partition) of the app `faust_app` builds, which prints a JSON line
per record it receives (`{"offset": N}`) and, on the first record at offset TRIGGER, seeks the
partition to TARGET with `FaustPositions.seek` (the order guard's seek) and prints
`{"sought": TARGET}` once the seek returned.

The stream buffer holds 4 records: while the agent waits for its seek, Faust's fetcher is blocked
in the middle of the batch it fetched before the seek, which is the case the seek must survive.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from streams.core.settings import Settings
from streams.core.topics import TopicNames
from streams.runtime.kafka.app import faust_app, faust_worker
from streams.runtime.kafka.offsets import FaustPositions

#: records Faust buffers per stream before its fetcher waits for the agent
BUFFER = 4


def main(argv: list[str]) -> int:
    trigger, target = int(argv[0]), int(argv[1])
    settings = Settings()
    app = faust_app(settings)
    app.conf.stream_buffer_maxsize = BUFFER
    positions = FaustPositions(app)
    source = app.topic(
        TopicNames.from_settings(settings).raw,
        key_type=bytes,
        value_type=bytes,
        partitions=settings.partitions,
    )
    sought = False

    def say(**line: int) -> None:
        print(json.dumps(line), flush=True)

    async def probe(stream: Any) -> None:
        nonlocal sought
        async for event in stream.events():
            message = event.message
            say(offset=message.offset)
            if not sought and message.offset == trigger:
                sought = True
                await positions.seek(message.tp, target)
                say(sought=target)

    app.agent(source, name="tests.seek_probe")(probe)
    faust_worker(
        app, loglevel="WARNING", quiet=True, redirect_stdouts=False
    ).execute_from_commandline()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
