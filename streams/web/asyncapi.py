"""The AsyncAPI 3 description of the Kafka topics, the SSE feeds and the WebSocket feeds.

`python -m streams.web.asyncapi > docs/asyncapi.yaml` writes it; the payload schemas come from
the event models, so a test checks that the file is current and valid.
"""

from __future__ import annotations

import sys
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from schemas.events import (
    Alert,
    DeadLetter,
    EnrichedEntry,
    Quote,
    RawEntry,
    Speaker,
    Subscription,
)
from streams.web.models import QuoteOut

__all__ = ["document"]

_REF = "#/components/schemas/{model}"

#: (channel id, topic suffix, model, message name, key, what it carries)
_TOPICS: tuple[tuple[str, str, type[BaseModel], str, str, str], ...] = (
    ("rawEntries", "raw-entries", RawEntry, "rawEntry", "blog id",
     "Raw entries from the connectors and `replay --broker`, in order per blog."),
    ("entries", "entries", EnrichedEntry, "entry", "blog id",
     "Parsed, attributed and enriched entries (a new version replaces the older one)."),
    ("quotes", "quotes", Quote, "quote", "blog id", "Every quote with its speaker."),
    ("speakers", "speakers", Speaker, "speaker", "blog id",
     "The speaker memory of each blog as it grows."),
    ("alerts", "alerts", Alert, "alert", "subscription id",
     "Alerts (deduplicated and throttled) of the subscriptions."),
    ("deadLetters", "dead-letters", DeadLetter, "deadLetter", "blog id",
     "Records a stage refused, with the stage and the reason."),
    ("subscriptions", "subscriptions", Subscription, "subscription", "subscription id",
     "Compacted: the last value per key is the subscription; a tombstone deletes it."),
)  # fmt: skip

#: (channel id, path, model, message name, SSE event name, query parameters)
_FEEDS: tuple[tuple[str, str, type[BaseModel], str, str, str], ...] = (
    ("sseQuotes", "/feeds/quotes", QuoteOut, "quoteEvent", "quote", "filter, blog, backlog"),
    ("sseEntries", "/feeds/entries", EnrichedEntry, "entryEvent", "entry", "blog, backlog"),
    ("sseAlerts", "/feeds/alerts", Alert, "alertEvent", "alert",
     "subscription, blog, backlog"),
)  # fmt: skip


def _schemas() -> dict[str, Any]:
    models = {m for _, _, m, *_ in _TOPICS} | {m for _, _, m, *_ in _FEEDS}
    mode: Literal["serialization"] = "serialization"
    pairs: list[tuple[type[BaseModel], Literal["validation", "serialization"]]] = [
        (m, mode) for m in sorted(models, key=lambda m: m.__name__)
    ]
    _, defs = models_json_schema(pairs, ref_template=_REF)
    schemas: dict[str, Any] = defs.get("$defs", {})
    schemas["FeedMessage"] = {
        "type": "object",
        "description": "One WebSocket message: an event with its id, or a heartbeat.",
        "required": ["event"],
        "properties": {
            "id": {"type": "integer", "description": "the event id (resume with last_event_id)"},
            "event": {"type": "string", "enum": ["quote", "entry", "alert", "heartbeat"]},
            "data": {"type": "object"},
        },
    }
    return schemas


def document() -> dict[str, Any]:
    """The AsyncAPI 3.0 document."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for cid, suffix, model, name, key, what in _TOPICS:
        messages[name] = {
            "name": name,
            "contentType": "application/json",
            "payload": {"$ref": _REF.format(model=model.__name__)},
            "bindings": {"kafka": {"key": {"type": "string", "description": key}}},
        }
        channels[cid] = {
            "address": "{prefix}." + suffix,
            "description": what,
            "servers": [{"$ref": "#/servers/kafka"}],
            "parameters": {"prefix": {"$ref": "#/components/parameters/prefix"}},
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
        }
        action = "send" if cid in ("rawEntries", "subscriptions") else "receive"
        operations[f"{action}{cid[0].upper()}{cid[1:]}"] = {
            "action": action,
            "channel": {"$ref": f"#/channels/{cid}"},
            "summary": ("Produce to" if action == "send" else "Consume") + f" {{prefix}}.{suffix}",
            "messages": [{"$ref": f"#/channels/{cid}/messages/{name}"}],
        }
    for cid, path, model, name, event, params in _FEEDS:
        messages[name] = {
            "name": name,
            "title": f"`event: {event}`",
            "summary": "The SSE `id:` is the event id; reconnect with Last-Event-ID.",
            "contentType": "application/json",
            "payload": {"$ref": _REF.format(model=model.__name__)},
        }
        channels[cid] = {
            "address": path,
            "title": f"GET {path} (text/event-stream)",
            "description": f"Server-Sent Events; query: {params}, last_event_id. A comment "
            "line every LIVEBLOG_FEED_HEARTBEAT seconds keeps the stream open.",
            "servers": [{"$ref": "#/servers/web"}],
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
        }
        operations[f"receive{cid[0].upper()}{cid[1:]}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{cid}"},
            "messages": [{"$ref": f"#/channels/{cid}/messages/{name}"}],
            "bindings": {"http": {"method": "GET"}},
        }
        ws = "ws" + cid[3:]
        channels[ws] = {
            "address": path.replace("/feeds/", "/ws/"),
            "title": f"GET {path.replace('/feeds/', '/ws/')} (WebSocket)",
            "description": f"The WebSocket twin of {path}: one JSON message per event.",
            "servers": [{"$ref": "#/servers/websocket"}],
            "messages": {"feedMessage": {"$ref": "#/components/messages/feedMessage"}},
            "bindings": {"ws": {"method": "GET"}},
        }
        operations[f"receive{ws[0].upper()}{ws[1:]}"] = {
            "action": "receive",
            "channel": {"$ref": f"#/channels/{ws}"},
            "messages": [{"$ref": f"#/channels/{ws}/messages/feedMessage"}],
        }
    messages["feedMessage"] = {
        "name": "feedMessage",
        "contentType": "application/json",
        "payload": {"$ref": _REF.format(model="FeedMessage")},
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "liveblog",
            "version": "0.1.0",
            "description": "The topics of the Kafka runtime and the live feeds of the web app "
            "(docs/kafka.md, docs/subscriptions.md). Generated by "
            "`python -m streams.web.asyncapi` from the event models.",
        },
        "defaultContentType": "application/json",
        "servers": {
            "kafka": {
                "host": "127.0.0.1:9092",
                "protocol": "kafka",
                "description": "LIVEBLOG_BROKER",
            },
            "web": {
                "host": "127.0.0.1:6066",
                "protocol": "http",
                "description": "liveblog serve (LIVEBLOG_WEB_HOST:LIVEBLOG_WEB_PORT)",
            },
            "websocket": {"host": "127.0.0.1:6066", "protocol": "ws"},
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "schemas": _schemas(),
            "messages": messages,
            "parameters": {
                "prefix": {"default": "liveblog", "description": "LIVEBLOG_TOPIC_PREFIX"}
            },
        },
    }


def main() -> None:
    import yaml

    sys.stdout.write(
        "# Generated by `python -m streams.web.asyncapi`: edit the code, not this file.\n"
    )
    sys.stdout.write(yaml.safe_dump(document(), sort_keys=False, allow_unicode=True, width=100))


if __name__ == "__main__":
    main()
