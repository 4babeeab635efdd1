"""The JSONL sink: one enriched entry per line, to a file or to stdout."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from pydantic import BaseModel

from schemas.events import EnrichedEntry

__all__ = ["JsonlSink"]


class JsonlSink:
    """Writes each entry as one JSON line (`-` is stdout); other records are not its business."""

    def __init__(
        self, target: str | Path, kinds: tuple[type[BaseModel], ...] = (EnrichedEntry,)
    ) -> None:
        self.kinds = kinds
        self._own = str(target) != "-"
        self.stream: IO[str] = (
            open(target, "w", encoding="utf-8") if self._own else sys.stdout  # noqa: SIM115
        )

    def write(self, records: Sequence[BaseModel]) -> None:
        for record in records:
            if isinstance(record, self.kinds):
                self.stream.write(record.model_dump_json() + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self._own:
            self.stream.close()
