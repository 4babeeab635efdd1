"""The web side: subscriptions API, quote history, SSE/WebSocket feeds and the live page."""

from streams.web.app import build_app, mount, running
from streams.web.context import CSP, QuoteFilter, WebContext
from streams.web.notifier import Notifier

__all__ = ["CSP", "Notifier", "QuoteFilter", "WebContext", "build_app", "mount", "running"]
