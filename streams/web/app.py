"""The web app: API, feeds and page as one aiohttp application, or mounted onto another one.

Faust's web server is aiohttp, so in Kafka mode `mount` adds the same routes to the worker's app;
`build_app` makes a standalone app for embedded mode (`liveblog serve`, `replay --serve`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from streams.web import api, feeds, page
from streams.web.context import WebContext, error, json_response

__all__ = ["build_app", "health_routes", "mount", "running"]

#: the context of an app, under this key
CONTEXT = web.AppKey("liveblog", WebContext)


def health_routes(ctx: WebContext) -> list[web.RouteDef]:
    """`/healthz` (the process answers), `/readyz` (it can answer from its store) and
    `/openapi.json`."""

    async def healthz(request: web.Request) -> web.Response:
        return json_response({"status": "ok", "last_event_id": ctx.feed.last_seq()})

    async def readyz(request: web.Request) -> web.Response:
        reason = ctx.not_ready()
        if reason is not None:
            return error(503, f"not ready: {reason}")
        return json_response({"status": "ok", "last_event_id": ctx.feed.last_seq()})

    async def spec(request: web.Request) -> web.Response:
        from importlib.metadata import PackageNotFoundError, version

        from streams.web.openapi import openapi

        try:
            release = version("liveblog")
        except PackageNotFoundError:
            release = "0"
        return json_response(openapi(release))

    return [
        web.get("/healthz", healthz),
        web.get("/readyz", readyz),
        web.get("/openapi.json", spec),
    ]


def mount(app: web.Application, ctx: WebContext) -> None:
    """Add every route (API, feeds, page) to an existing aiohttp app."""
    app.router.add_routes(
        [*health_routes(ctx), *api.routes(ctx), *feeds.routes(ctx), *page.routes(ctx)]
    )


def build_app(ctx: WebContext) -> web.Application:
    """A standalone app with every route; it polls the feed log for other writers."""
    app = web.Application(client_max_size=api.MAX_BODY)
    app[CONTEXT] = ctx
    mount(app, ctx)

    async def poller(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.get_running_loop().create_task(ctx.notifier.poll(ctx.feed))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.cleanup_ctx.append(poller)
    return app


@contextlib.asynccontextmanager
async def running(app: web.Application, host: str, port: int) -> AsyncIterator[int]:
    """Serve `app` on host:port (port 0: any free one) and yield the port."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    server = site._server  # the bound socket tells the port picked for port 0
    bound = port
    sockets = getattr(server, "sockets", None)
    if sockets:
        bound = int(sockets[0].getsockname()[1])
    try:
        yield bound
    finally:
        await runner.cleanup()
