"""The HTTP poller: a live-blog page (or a feed) polled politely, emitting only what is new.

`HttpPoller` has Bytewax's `SimplePollingSource` shape (`next_item()`, `RetryLater` carrying the
delay, `snapshot()` / `resume()`). Each poll is one conditional GET through the injected
`httpx.AsyncClient` (`connectors.sources.http.fetch`); a 304 costs nothing. A good page is
extracted (`connectors.sources.http.extract`, or a feed parser), compared with the cursor, and the
new and changed entries come back as `RawEntry` records, oldest first. A failed poll raises
`RetryLater`: the runner (`connectors.sources.polling`) backs off through the one retry policy
(`streams.core.retry`: exponential from the interval, jittered, capped at `max_backoff`); a 429
or 503 carries its `Retry-After` (at least the interval, at most an hour) as the wait.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

import httpx
import structlog

from connectors.sources.cursor import Diff, EntryCursor, to_raw_entries
from connectors.sources.http.extract import Extraction, Profile, extract_page
from connectors.sources.http.fetch import FetchPolicy, FetchResult, Validators, decode_page, fetch
from schemas.events import RawEntry
from schemas.exceptions import FetchError, RetryLater, SourceError
from streams.core.clock import Clock, system_clock
from streams.core.timefmt import resolve_zone

__all__ = ["Extractor", "HttpPoller", "PollStats", "page_extractor"]

log = structlog.get_logger(__name__)

#: (fetched page, fetch time, time zone) -> entries
Extractor = Callable[[FetchResult, datetime, tzinfo], Extraction]

#: never wait longer than this, whatever a server's Retry-After says
_MAX_RETRY_AFTER = 3600.0


def page_extractor(profile: Profile | None = None) -> Extractor:
    """An extractor for live-blog HTML pages, with an optional CSS profile."""

    def extract(result: FetchResult, now: datetime, tz: tzinfo) -> Extraction:
        html = decode_page(result.body or b"", result.charset)
        return extract_page(html, fetched_at=now, tz=tz, url=result.url, profile=profile)

    return extract


@dataclass(slots=True)
class PollStats:
    """What the poller has done, for logs, tests and the CLI."""

    polls: int = 0
    fetched: int = 0
    not_modified: int = 0
    failures: int = 0
    emitted: int = 0
    last_error: str | None = None
    last_diff: Diff | None = None


class HttpPoller:
    """Polls one URL and returns the entries that are new or changed since the last poll."""

    def __init__(
        self,
        url: str,
        blog_id: str,
        *,
        client: httpx.AsyncClient,
        interval: float,
        extractor: Extractor | None = None,
        policy: FetchPolicy | None = None,
        timezone: str | None = None,
        clock: Clock = system_clock,
        max_backoff: float = 900.0,
        kind: str = "http",
    ) -> None:
        self.url = url
        self.blog_id = blog_id
        self.client = client
        self.interval = interval
        self.extractor = extractor or page_extractor()
        self.policy = policy or FetchPolicy()
        self.timezone = timezone
        self.tz = resolve_zone(timezone) if timezone else None
        self.clock = clock
        self.max_backoff = max_backoff
        self.kind = kind
        self.key = f"{kind}:{blog_id}:{url}"
        self.cursor = EntryCursor()
        self.validators = Validators()
        self.stats = PollStats()
        self._failures = 0
        self.log = log.bind(blog_id=blog_id, source=url)

    # -- the SimplePollingSource shape -------------------------------------------------------
    async def next_item(self) -> list[RawEntry]:
        """One poll: the new and changed entries, oldest first (often none); `RetryLater` when
        the source failed and should be tried again after the delay it carries."""
        now = self.clock()
        self.stats.polls += 1
        try:
            result = await fetch(
                self.client, self.url, policy=self.policy, validators=self.validators, now=now
            )
            if result.not_modified:
                self.stats.not_modified += 1
                self._failures = 0
                self.log.debug("not modified")
                return []
            extraction = self.extractor(result, now, self.tz or UTC)
        except FetchError as exc:
            raise self._retry(str(exc), exc.retry_after, exc.status) from exc
        except SourceError as exc:
            raise self._retry(str(exc), None, None) from exc
        self.stats.fetched += 1
        self._failures = 0
        if not extraction.entries:
            # an empty page is more likely a broken render than a blog that deleted everything
            self.log.warning("no entries found", method=extraction.method)
            self.validators = Validators()
            return []
        diff = self.cursor.diff(extraction.entries, complete=True)
        self.stats.last_diff = diff
        for ident in diff.disappeared:
            self.log.warning("entry disappeared", entry=ident)
        raws = to_raw_entries(
            diff,
            self.cursor,
            blog_id=self.blog_id,
            source=f"{self.kind}:{self.url}",
            fetched_at=now,
            timezone=self.timezone,
            language=extraction.language,
        )
        self.validators = result.validators
        self.stats.emitted += len(raws)
        self.log.info(
            "polled",
            method=extraction.method,
            entries=len(extraction.entries),
            new=sum(1 for c in diff.changes if c.kind == "new"),
            changed=sum(1 for c in diff.changes if c.kind == "changed"),
            disappeared=len(diff.disappeared),
        )
        return raws

    def snapshot(self) -> dict[str, Any]:
        """Cursor and validators, JSON-ready."""
        return {
            "cursor": self.cursor.snapshot(),
            "etag": self.validators.etag,
            "last_modified": self.validators.last_modified,
        }

    def resume(self, state: dict[str, Any] | None) -> None:
        """Continue from a snapshot."""
        if not state:
            return
        self.cursor.resume(state.get("cursor"))
        self.validators = Validators(state.get("etag"), state.get("last_modified"))

    # -- failures ----------------------------------------------------------------------------
    def _retry(self, reason: str, retry_after: float | None, status: int | None) -> RetryLater:
        self._failures += 1
        self.stats.failures += 1
        self.stats.last_error = reason
        delay = None
        if retry_after is not None and status in (429, 503):
            # the server's word is a floor, within reason
            delay = min(_MAX_RETRY_AFTER, max(retry_after, self.interval))
        self.log.warning(
            "poll failed", reason=reason, status=status, failures=self._failures, retry_after=delay
        )
        return RetryLater(reason, delay=delay)
