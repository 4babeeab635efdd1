"""The embedded runner: source -> stages -> sinks in one process, no broker.

It has the semantics of the Faust topology: records of one blog are processed in order with that
blog's state, a failing record becomes a dead letter and the stream goes on, and every write is an
upsert by id.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import structlog
from pydantic import BaseModel

from schemas.events import DeadLetter, EnrichedEntry, RawEntry
from schemas.exceptions import StageError
from streams.attribution.memory import SpeakerMemory
from streams.attribution.stage import DEFAULT_MIN_CONFIDENCE
from streams.core.clock import Clock, system_clock
from streams.pipeline.chain import BlogState, Extra, process
from streams.pipeline.deadletter import dead_letter

__all__ = ["EmbeddedRunner", "RunStats", "Sink"]

log = structlog.get_logger(__name__)

#: speaker names `RunStats.speakers` counts quotes for; when a new one would go beyond, the less
#: quoted half is let go, so a long run holds a bounded table (its most quoted speakers)
MAX_SPEAKER_NAMES = 10_000


class Sink(Protocol):
    def write(self, records: Sequence[BaseModel]) -> None: ...

    def close(self) -> None: ...


@dataclass
class RunStats:
    entries: int = 0
    quotes: int = 0
    attributed: int = 0
    dead_letters: int = 0
    extras: int = 0
    speakers: dict[str, int] = field(default_factory=dict)


class EmbeddedRunner:
    """Drives raw entries through the stages into sinks, keeping per-blog state."""

    def __init__(
        self,
        sinks: Sequence[Sink],
        *,
        clock: Clock = system_clock,
        memory: SpeakerMemory | None = None,
        extras: Sequence[Extra] = (),
        on_record: Callable[[BaseModel], None] | None = None,
        batch_size: int = 200,
        min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    ) -> None:
        self.sinks = list(sinks)
        self.clock = clock
        self.initial_memory = memory or SpeakerMemory()
        self.extras = list(extras)
        self.on_record = on_record
        self.batch_size = batch_size
        self.min_confidence = min_confidence
        self.states: dict[str, BlogState] = {}
        self.stats = RunStats()
        self._pending: list[BaseModel] = []
        self._touched: set[str] = set()  # blogs whose speakers changed since the last flush

    def state(self, blog_id: str) -> BlogState:
        if blog_id not in self.states:
            self.states[blog_id] = BlogState(memory=self.initial_memory.model_copy(deep=True))
        return self.states[blog_id]

    def handle(self, item: RawEntry | DeadLetter) -> list[BaseModel]:
        """Process one record; returns what it produced (an entry and extras, or a dead letter)."""
        if isinstance(item, DeadLetter):
            out: list[BaseModel] = [item]
        else:
            bound = log.bind(blog_id=item.blog_id, seq=item.seq)
            try:
                entry, new_state = process(
                    item, self.state(item.blog_id), min_confidence=self.min_confidence
                )
            except StageError as exc:
                bound.warning("stage failed", stage=exc.stage, reason=str(exc))
                out = [
                    dead_letter(
                        exc.stage,
                        str(exc),
                        item.model_dump_json(),
                        now=self.clock(),
                        blog_id=item.blog_id,
                    )
                ]
            else:
                self.states[item.blog_id] = new_state
                self._touched.add(item.blog_id)
                out = [entry]
                for extra in self.extras:
                    out.extend(extra(entry))
        for record in out:
            self._count(record)
            if self.on_record is not None:
                self.on_record(record)
        self._pending.extend(out)
        if len(self._pending) >= self.batch_size:
            self.flush()
        return out

    def _count(self, record: BaseModel) -> None:
        if isinstance(record, EnrichedEntry):
            self.stats.entries += 1
            self.stats.quotes += len(record.quotes)
            self.stats.attributed += sum(1 for q in record.quotes if q.speaker is not None)
            for q in record.quotes:
                if q.speaker is not None:
                    self._count_speaker(q.speaker.name)
        elif isinstance(record, DeadLetter):
            self.stats.dead_letters += 1
        else:
            self.stats.extras += 1

    def _count_speaker(self, name: str) -> None:
        counts = self.stats.speakers
        if name not in counts and len(counts) >= MAX_SPEAKER_NAMES:
            ranked = sorted(counts, key=counts.__getitem__, reverse=True)
            keep = set(ranked[: MAX_SPEAKER_NAMES // 2])
            kept = {n: c for n, c in counts.items() if n in keep}
            counts.clear()
            counts.update(kept)
        counts[name] = counts.get(name, 0) + 1

    def run(self, items: Iterable[RawEntry | DeadLetter]) -> RunStats:
        for item in items:
            self.handle(item)
        self.close()
        return self.stats

    async def run_paced(
        self, items: Iterable[RawEntry | DeadLetter], delays: Iterable[float]
    ) -> RunStats:
        """Like `run`, waiting `delay` seconds before each record; flushes after each one."""
        for item, delay in zip(items, delays, strict=False):
            if delay > 0:
                await asyncio.sleep(delay)
            self.handle(item)
            self.flush()
        self.close()
        return self.stats

    def flush(self) -> None:
        """Write the pending records to every sink; they are let go only once all sinks took
        them, so a sink that raised gets the same batch (and more) at the next flush; sinks upsert,
        so the ones that already wrote it lose nothing by a second write."""
        records = list(self._pending)
        for blog_id in sorted(self._touched):
            state = self.states[blog_id]
            records.extend(state.memory.speakers(blog_id))
        if records:
            for sink in self.sinks:
                sink.write(records)
        self._pending.clear()
        self._touched = set()

    def close(self) -> None:
        self.flush()
        for sink in self.sinks:
            sink.close()
