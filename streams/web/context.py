"""What the web handlers share: settings, storage, the subscription book, the notifier."""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from aiohttp import web

from connectors.sinks.feedlog import FeedLog
from schemas.events import Match, Subscription
from schemas.exceptions import FilterSyntaxError
from streams.alerts.book import SubscriptionBook
from streams.alerts.directory import name_keys
from streams.alerts.filters import parse
from streams.alerts.matching import Document, Matcher
from streams.core.settings import Settings
from streams.web.notifier import Notifier

__all__ = ["CSP", "QuoteFilter", "WebContext", "error", "json_response", "secure"]

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def secure(headers: Any) -> None:
    """The headers every response carries: a strict CSP and no sniffing or referrers."""
    headers["Content-Security-Policy"] = CSP
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"


def json_response(data: Any, status: int = 200) -> web.Response:
    resp = web.Response(
        text=json.dumps(data, ensure_ascii=False, default=str),
        status=status,
        content_type="application/json",
    )
    secure(resp.headers)
    return resp


def error(status: int, message: str, **extra: Any) -> web.Response:
    """An RFC 9457 problem (`application/problem+json`); `error` repeats `detail`."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": message,
        "error": message,
        **extra,
    }
    resp = json_response(body, status)
    resp.content_type = "application/problem+json"
    return resp


@dataclass
class WebContext:
    """The state behind the handlers of one web app."""

    settings: Settings
    feed: FeedLog
    notifier: Notifier
    book: SubscriptionBook | None = None
    db: str | None = None  # the sink's database (SQLite path or postgresql:// URL), if any
    clients: int = 0
    #: whether the app can answer from its store (`/readyz`): None when ready, else the reason
    not_ready: Callable[[], str | None] = lambda: None
    #: status of live sources polled in this process (`connect --serve`), for `/api/sources`
    sources: Callable[[], list[dict[str, Any]]] = lambda: []
    #: dead letters per blog: blog id -> (count, last time, last reason)
    errors: Callable[[], dict[str, tuple[int, str | None, str | None]]] = lambda: {}
    extra: dict[str, Any] = field(default_factory=dict)

    def authorised(self, request: web.Request) -> web.Response | None:
        """None when the bearer token is right, else the response to send."""
        token = self.settings.api_token
        if token is None:
            return error(503, "the subscriptions API is off: set LIVEBLOG_API_TOKEN")
        given = request.headers.get("Authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            value.strip().encode(), token.get_secret_value().encode()
        ):
            resp = error(401, "a valid bearer token is needed")
            resp.headers["WWW-Authenticate"] = 'Bearer realm="liveblog"'
            return resp
        return None


class QuoteFilter:
    """One filter applied to logged quotes (feeds, history); `None` filter lets all through."""

    def __init__(self, expression: str | None) -> None:
        self.expression = (expression or "").strip() or None
        self.matcher: Matcher | None = None
        if self.expression is not None:
            # parsed first: its bounds (length, depth, terms) are a FilterSyntaxError (HTTP 400),
            # where the Subscription model's own length check would be a ValidationError (500)
            parse(self.expression)
            self.matcher = Matcher([Subscription(id="filter", filter=self.expression)])

    @staticmethod
    def check(expression: str | None) -> web.Response | None:
        """None when the filter is valid, else a 400 with the message and position."""
        try:
            QuoteFilter(expression)
        except FilterSyntaxError as exc:
            return error(400, str(exc).splitlines()[0], position=exc.position)
        return None

    def test(
        self, data: dict[str, Any], names: frozenset[str], language: str | None
    ) -> tuple[Match, ...] | None:
        """The matches of a quote record, or None when it does not pass."""
        if self.matcher is None:
            return ()
        speaker = data.get("speaker") or None
        doc = Document(
            kind="quote",
            blog_id=str(data.get("blog_id") or ""),
            entry_id=str(data.get("entry_id") or ""),
            quote_id=str(data.get("quote_id") or ""),
            language=language,
            text=str(data.get("text") or ""),
            published_at=None,
            speakers=(),
            names={speaker["id"]: names | name_keys([speaker["name"], speaker["id"]])}
            if speaker
            else {},
        )
        hits = self.matcher.match(doc)
        return hits[0].matches if hits else None
