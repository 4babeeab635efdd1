"""`/openapi.json`: the OpenAPI 3.1 description, generated from the response models of the
handlers (`streams.web.models`) and one table of operations kept beside the routes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from schemas.events import EnrichedEntry
from streams.web import models

__all__ = ["OPERATIONS", "Operation", "openapi"]

_REF = "#/components/schemas/{model}"


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation: method, path, what it answers, its query parameters (name, description)."""

    method: str
    path: str
    summary: str
    response: type[BaseModel] | None
    params: tuple[tuple[str, str], ...] = ()
    status: int = 200
    errors: tuple[int, ...] = ()
    body: type[BaseModel] | None = None
    auth: bool = False
    media: str = "application/json"


_FILTER = ("filter", "a filter in the query language (docs/subscriptions.md)")
_BLOG = ("blog", "only this blog id")
_CURSOR = ("cursor", "the `next_cursor` of the previous page")
_LIMIT = ("limit", "items per page (at most 500)")
_FEED = (
    _BLOG,
    ("backlog", "start this many events back"),
    ("last_event_id", "resume after this event id (or the Last-Event-ID header)"),
)

OPERATIONS: tuple[Operation, ...] = (
    Operation("get", "/healthz", "The process is up", models.Health),
    Operation("get", "/readyz", "The store is readable", models.Health, errors=(503,)),
    Operation(
        "get",
        "/api/quotes",
        "Quote history, filtered and paged",
        models.QuotesPage,
        (_FILTER, _BLOG, ("since", "ISO time with zone"), _LIMIT, _CURSOR),
        errors=(400,),
    ),
    Operation(
        "get",
        "/api/entries",
        "Entries in their newest version",
        models.EntriesPage,
        (_BLOG, _LIMIT, _CURSOR),
        errors=(400,),
    ),
    Operation(
        "get", "/api/entries/{eid}", "One entry, newest version", EnrichedEntry, errors=(404,)
    ),
    Operation("get", "/api/blogs", "Blogs and their sources' status", models.BlogsPage),
    Operation(
        "get", "/api/speakers", "Speakers and their quote counts", models.SpeakersPage, (_BLOG,)
    ),
    Operation(
        "get",
        "/api/alerts",
        "Newest alerts with delivery state",
        models.AlertsPage,
        (_LIMIT,),
        errors=(400,),
    ),
    Operation(
        "get", "/api/filters/check", "Check a filter", models.FilterOk, (_FILTER,), errors=(400,)
    ),
    Operation(
        "get",
        "/api/subscriptions",
        "List subscriptions",
        models.SubscriptionOut,
        auth=True,
        errors=(401, 503),
    ),
    Operation(
        "post",
        "/api/subscriptions",
        "Add or replace a subscription",
        models.SubscriptionOut,
        status=201,
        body=models.SubscriptionIn,
        auth=True,
        errors=(400, 401, 413, 503),
    ),
    Operation(
        "get",
        "/api/subscriptions/{sid}",
        "One subscription",
        models.SubscriptionOut,
        auth=True,
        errors=(401, 404),
    ),
    Operation(
        "delete",
        "/api/subscriptions/{sid}",
        "Remove a subscription",
        None,
        status=204,
        auth=True,
        errors=(401, 404),
    ),
    Operation(
        "get",
        "/feeds/quotes",
        "Quotes as Server-Sent Events (docs/asyncapi.yaml)",
        None,
        (_FILTER, *_FEED),
        errors=(400, 503),
        media="text/event-stream",
    ),
    Operation(
        "get",
        "/feeds/entries",
        "Entries as Server-Sent Events",
        None,
        _FEED,
        errors=(400, 503),
        media="text/event-stream",
    ),
    Operation(
        "get",
        "/feeds/alerts",
        "Alerts as Server-Sent Events",
        None,
        (("subscription", "only this subscription"), *_FEED),
        errors=(400, 503),
        media="text/event-stream",
    ),
)


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": _REF.format(model=model.__name__)}


def _operation(op: Operation) -> dict[str, Any]:
    params: list[dict[str, Any]] = [
        {
            "name": n,
            "in": "query",
            "required": False,
            "description": d,
            "schema": {"type": "string"},
        }
        for n, d in op.params
    ]
    for name in ("eid", "sid"):
        if "{" + name + "}" in op.path:
            params.append(
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            )
    ok: dict[str, Any] = {"description": op.summary}
    if op.response is not None:
        schema: dict[str, Any] = _ref(op.response)
        if op.path == "/api/subscriptions" and op.method == "get":
            schema = {"type": "array", "items": schema}
        ok["content"] = {op.media: {"schema": schema}}
    elif op.media != "application/json":
        ok["content"] = {op.media: {"schema": {"type": "string"}}}
    elif op.status != 204:
        ok["content"] = {op.media: {"schema": {"type": "object"}}}
    responses: dict[str, Any] = {str(op.status): ok}
    for code in op.errors:
        responses[str(code)] = {
            "description": "a problem",
            "content": {"application/problem+json": {"schema": _ref(models.Problem)}},
        }
    out: dict[str, Any] = {
        "summary": op.summary,
        "operationId": f"{op.method}_{op.path.strip('/').replace('/', '_').strip('{}')}".replace(
            "{", ""
        ).replace("}", ""),
        "parameters": params,
        "responses": responses,
    }
    if op.body is not None:
        out["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(op.body)}},
        }
    if op.auth:
        out["security"] = [{"bearer": []}]
    return out


def openapi(version: str) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the app."""
    used = {op.response for op in OPERATIONS} | {op.body for op in OPERATIONS} | {models.Problem}
    mode: Literal["serialization"] = "serialization"
    pairs: list[tuple[type[BaseModel], Literal["validation", "serialization"]]] = [
        (m, mode) for m in sorted((m for m in used if m is not None), key=lambda m: m.__name__)
    ]
    _, defs = models_json_schema(pairs, ref_template=_REF)
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "liveblog",
            "version": version,
            "description": "Quotes, entries, speakers, alerts and subscriptions of live blogs. "
            "Errors are application/problem+json (RFC 9457).",
        },
        "paths": paths,
        "components": {
            "schemas": defs.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
