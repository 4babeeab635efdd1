"""The alert lines sink: each alert as one JSON line (`-` is stdout), for scripts.

A line holds the alert id, the subscription id, the blog id, the quote id (or, for an alert on a
whole entry, the entry id), the speaker, the alerted text, the matched terms with their offsets,
the publication time and the entry's source URL (when the sink saw the entry); a digest line
also says how many alerts it folds. Offsets point into the quote's text, or into the entry's
text (headline, a blank line, the body) for an entry alert.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel

from schemas.events import Alert, EnrichedEntry

__all__ = ["AlertLinesSink", "alert_line"]


def alert_line(alert: Alert, url: str | None = None) -> dict[str, Any]:
    """The JSON object of one alert line."""
    line: dict[str, Any] = {
        "alert_id": alert.alert_id,
        "subscription_id": alert.subscription_id,
        "blog_id": alert.blog_id,
    }
    if alert.quote_id is not None:
        line["quote_id"] = alert.quote_id
    else:
        line["entry_id"] = alert.entry_id
    line["speaker"] = alert.speaker.model_dump() if alert.speaker else None
    line["text"] = alert.text
    line["url"] = url
    line["matches"] = [m.model_dump() for m in alert.matches]
    line["published_at"] = alert.published_at.isoformat() if alert.published_at else None
    if alert.digest_count:
        line["digest_count"] = alert.digest_count
    return line


class AlertLinesSink:
    """Writes every alert it is given as one JSON line, flushing after each batch."""

    def __init__(self, target: str | Path) -> None:
        self._own = str(target) != "-"
        self._urls: dict[str, str] = {}
        self.stream: IO[str] = (
            open(target, "a", encoding="utf-8") if self._own else sys.stdout  # noqa: SIM115
        )

    def write(self, records: Sequence[BaseModel]) -> None:
        wrote = False
        for record in records:
            if isinstance(record, EnrichedEntry) and record.source.startswith(("http:", "https:")):
                self._urls[record.entry_id] = record.source
            if isinstance(record, Alert):
                line = alert_line(record, self._urls.get(record.entry_id))
                self.stream.write(json.dumps(line, ensure_ascii=False) + "\n")
                wrote = True
        if wrote:
            self.stream.flush()

    def close(self) -> None:
        if self._own:
            self.stream.close()
