"""The shapes the HTTP API answers with: pydantic models that `/openapi.json` is generated from."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.events import EnrichedEntry, Match, SpeakerRef

__all__ = [
    "AlertOut",
    "AlertsPage",
    "Blog",
    "BlogsPage",
    "Delivery",
    "EntriesPage",
    "FilterOk",
    "Health",
    "Problem",
    "QuoteOut",
    "QuotesPage",
    "SpeakerCount",
    "SpeakersPage",
    "SubscriptionIn",
    "SubscriptionOut",
]


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class Problem(_Out):
    """An error (RFC 9457 problem details); `error` repeats `detail`."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    error: str
    position: int | None = Field(None, description="0-based offset of a filter's fault")


class Health(_Out):
    status: Literal["ok", "starting"]
    reason: str | None = None
    last_event_id: int = 0


class FilterOk(_Out):
    ok: Literal[True]


class SubscriptionIn(BaseModel):
    id: str = Field(pattern=r"^[A-Za-z0-9_.:-]+$", min_length=1, max_length=200)
    filter: str = Field(min_length=1, max_length=4000)
    notify: list[str] = Field(default_factory=list, description="Apprise URLs")


class SubscriptionOut(_Out):
    id: str
    filter: str
    notify: list[str] = Field(description="redacted Apprise URLs")
    created_at: str | None = None


class QuoteOut(_Out):
    quote_id: str
    entry_id: str
    blog_id: str
    published_at: str | None
    text: str
    speaker: SpeakerRef | None
    kind: str
    confidence: float
    method: str | None = None
    language: str | None = None
    matches: list[Match] = Field(default_factory=list)
    event_id: int | None = Field(
        None, description="the event id (in /api/quotes; the feeds send it as the SSE `id:`)"
    )


class QuotesPage(_Out):
    quotes: list[QuoteOut]
    next_cursor: int | None = Field(description="pass back as `cursor` for the next page")


class EntriesPage(_Out):
    entries: list[EnrichedEntry]
    next_cursor: int | None


class Blog(_Out):
    blog_id: str
    source: str
    entries: int
    quotes: int
    last_published: str | None = Field(description="time of the newest entry (blog's zone)")
    last_change: int = Field(description="event id of the latest new or edited entry")
    dead_letters: int = 0
    last_error: str | None = None
    last_error_at: str | None = None
    last_poll: str | None = Field(None, description="only for sources polled by this process")
    polls: int | None = None


class BlogsPage(_Out):
    blogs: list[Blog]


class SpeakerCount(_Out):
    blog_id: str
    id: str
    name: str
    quotes: int


class SpeakersPage(_Out):
    speakers: list[SpeakerCount]


class Delivery(_Out):
    state: Literal["failed", "ok", "no-target"] = Field(
        description="failed: a target failed after every retry (reason); ok: no failure was "
        "reported; no-target: the subscription has no notify URL"
    )
    reason: str | None = None


class AlertOut(_Out):
    alert_id: str
    subscription_id: str
    blog_id: str
    entry_id: str
    quote_id: str | None = None
    speaker: SpeakerRef | None = None
    text: str
    matches: list[Match] = Field(default_factory=list)
    published_at: str | None = None
    created_at: str | None = None
    digest_count: int = 0
    delivery: Delivery
    event_id: int


class AlertsPage(_Out):
    alerts: list[AlertOut]
