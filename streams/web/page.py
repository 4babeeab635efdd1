"""The page at `/` (static HTML, CSS and JS from the package) and the entry pages.

The page builds every node from feed data with `textContent`; the entry page is rendered here
with every value escaped. Both are served under a strict Content-Security-Policy: scripts and
styles from this origin only, no inline script, no plugins, no frames.
"""

from __future__ import annotations

import html
from importlib import resources

from aiohttp import web

from streams.web.context import WebContext, secure

__all__ = ["routes"]

_STATIC = {
    "app.js": "application/javascript",
    "app.css": "text/css",
}


def _asset(name: str) -> str:
    return resources.files("streams.web").joinpath("static", name).read_text(encoding="utf-8")


def _page(body: str, status: int = 200) -> web.Response:
    resp = web.Response(text=body, status=status, content_type="text/html", charset="utf-8")
    secure(resp.headers)
    resp.headers["Cache-Control"] = "no-cache"
    return resp


def _entry_html(data: dict[str, object]) -> str:
    esc = html.escape
    found = data.get("quotes")
    quotes = found if isinstance(found, list) else []
    items = "".join(
        f"<li><q>{esc(str(q.get('text', '')))}</q> — "
        f"{esc(str((q.get('speaker') or {}).get('name', 'unattributed')))}</li>"
        for q in quotes
        if isinstance(q, dict)
    )
    paragraphs = "".join(
        f"<p>{esc(p)}</p>" for p in str(data.get("body") or "").split("\n\n") if p.strip()
    )
    title = esc(str(data.get("headline") or data.get("printed_time") or "entry"))
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<title>{title}</title><link rel="stylesheet" href="/static/app.css"></head><body>'
        f'<main class="entry"><p class="meta"><a href="/">← live quotes</a> · '
        f"{esc(str(data.get('blog_id', '')))} · {esc(str(data.get('published_at') or ''))}</p>"
        f"<h1>{title}</h1>{paragraphs}<h2>Quotes</h2><ol>{items}</ol></main></body></html>"
    )


def routes(ctx: WebContext) -> list[web.RouteDef]:
    """The page routes bound to `ctx`."""

    async def index(request: web.Request) -> web.Response:
        return _page(_asset("index.html"))

    async def static(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        kind = _STATIC.get(name)
        if kind is None:
            return _page("<!doctype html><title>not found</title>", 404)
        resp = web.Response(text=_asset(name), content_type=kind, charset="utf-8")
        secure(resp.headers)
        return resp

    async def entry(request: web.Request) -> web.Response:
        from streams.web.api import entry_data

        data = entry_data(ctx, request.match_info["eid"])
        if data is None:
            return _page("<!doctype html><title>no such entry</title><p>No such entry.</p>", 404)
        return _page(_entry_html(data))

    return [
        web.get("/", index),
        web.get("/static/{name}", static),
        web.get("/entries/{eid}", entry),
    ]
