"""`/healthz` and `/readyz` for any aiohttp app of ours (push ingest, the worker's metrics port).

`/healthz` answers while the process runs; `/readyz` answers 200 when `not_ready()` gives None,
else 503 with the reason as a problem (`application/problem+json`).
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from streams.web.context import error, json_response

__all__ = ["health_app_routes"]


def health_app_routes(not_ready: Callable[[], str | None]) -> list[web.RouteDef]:
    """The two probes; `not_ready` returns None when ready, else why not."""

    async def healthz(request: web.Request) -> web.Response:
        return json_response({"status": "ok"})

    async def readyz(request: web.Request) -> web.Response:
        reason = not_ready()
        if reason is not None:
            return error(503, f"not ready: {reason}")
        return json_response({"status": "ok"})

    return [web.get("/healthz", healthz), web.get("/readyz", readyz)]
