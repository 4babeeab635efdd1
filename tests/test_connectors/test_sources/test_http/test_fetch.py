"""Bounded, polite fetches and a runner that keeps good sources flowing past broken ones."""

from __future__ import annotations

import asyncio
import gzip
import time
import zlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from aiohttp import web
from structlog.testing import capture_logs

from connectors.sources.http.fetch import (
    INFLATE_CHUNK,
    FetchPolicy,
    Validators,
    decode_page,
    fetch,
    inflate,
    retry_after_seconds,
)
from connectors.sources.http.poller import HttpPoller
from connectors.sources.polling import run_sources
from schemas.events import RawEntry
from schemas.exceptions import FetchError, PayloadTooLarge, RetryLater
from tests.test_connectors._live import LivePage, fixture_text, serve

POLICY = FetchPolicy(user_agent="liveblog-test/1", timeout=0.5, max_bytes=1_000_000)
TWENTY_MB = 20 * 1024 * 1024


def _broken_app() -> web.Application:
    async def error(_: web.Request) -> web.Response:
        return web.Response(status=500, text="upstream exploded")

    async def busy(_: web.Request) -> web.Response:
        return web.Response(status=503, headers={"Retry-After": "7"})

    async def slow(_: web.Request) -> web.Response:
        await asyncio.sleep(3)
        return web.Response(text="too late")

    async def huge(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        await response.prepare(request)
        chunk = b"<p>" + b"x" * 65_530 + b"</p>"
        try:
            for _ in range(TWENTY_MB // len(chunk) + 1):
                await response.write(chunk)
        except (ConnectionResetError, RuntimeError):
            pass
        return response

    async def huge_declared(_: web.Request) -> web.Response:
        return web.Response(body=b"x" * TWENTY_MB, content_type="text/html")

    async def loop(_: web.Request) -> web.Response:
        raise web.HTTPFound("/loop")

    async def to_ftp(_: web.Request) -> web.Response:
        raise web.HTTPFound("ftp://127.0.0.1/live")

    app = web.Application()
    for path, handler in [
        ("/500", error),
        ("/503", busy),
        ("/slow", slow),
        ("/huge", huge),
        ("/huge-declared", huge_declared),
        ("/loop", loop),
        ("/ftp", to_ftp),
    ]:
        app.router.add_get(path, handler)
    return app


def _gzip_app(body: bytes, coding: str = "gzip") -> web.Application:
    async def page(_: web.Request) -> web.Response:
        return web.Response(
            body=body, headers={"Content-Type": "text/html", "Content-Encoding": coding}
        )

    app = web.Application()
    app.router.add_get("/live", page)
    return app


class TestCompressedBodies:
    """gzip and deflate bodies are inflated in bounded pieces, and cut at the size cap."""

    async def test_a_gzip_bomb_stops_near_the_cap(self) -> None:
        """64 MB of zeros gzipped (~64 KB on the wire) fails with PayloadTooLarge once the
        inflated size passes the 1 MB cap, having inflated at most one piece past it."""
        bomb = gzip.compress(b"\0" * 64 * 1024 * 1024, compresslevel=9)
        assert len(bomb) < POLICY.max_bytes // 4, "the wire size is far under the cap"
        async with serve(_gzip_app(bomb)) as base, httpx.AsyncClient() as client:
            with pytest.raises(PayloadTooLarge) as caught:
                await fetch(client, f"{base}/live", policy=POLICY)
        assert POLICY.max_bytes < caught.value.size <= POLICY.max_bytes + INFLATE_CHUNK

    async def test_inflate_never_makes_a_piece_over_the_chunk(self) -> None:
        """The inflater yields pieces of at most INFLATE_CHUNK bytes, whatever one read holds."""
        body = zlib.compress(b"ab" * 2_000_000)

        async def one_read() -> AsyncIterator[bytes]:
            yield body

        pieces = [len(p) async for p in inflate(one_read(), zlib.MAX_WBITS)]
        assert sum(pieces) == 4_000_000
        assert max(pieces) <= INFLATE_CHUNK and len(pieces) >= 4_000_000 // INFLATE_CHUNK

    @pytest.mark.parametrize("coding", ["gzip", "deflate", "raw-deflate"])
    async def test_a_compressed_page_is_read_whole(self, coding: str) -> None:
        """A page under the cap arrives intact whichever way it was compressed."""
        html = ("<html><body>" + "<p>Ein Eintrag</p>" * 5000 + "</body></html>").encode()
        if coding == "gzip":
            wire = gzip.compress(html)
        elif coding == "deflate":
            wire = zlib.compress(html)
        else:
            packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
            wire = packer.compress(html) + packer.flush()
        header = "deflate" if coding == "raw-deflate" else coding
        async with serve(_gzip_app(wire, header)) as base, httpx.AsyncClient() as client:
            result = await fetch(client, f"{base}/live", policy=POLICY)
        assert result.body == html

    async def test_damaged_or_unknown_codings_are_one_line_errors(self) -> None:
        """A damaged gzip body, or a coding never asked for, is a FetchError, not a crash."""
        async with (
            serve(_gzip_app(b"\x1f\x8b not gzip at all")) as base,
            httpx.AsyncClient() as client,
        ):
            with pytest.raises(FetchError, match="damaged"):
                await fetch(client, f"{base}/live", policy=POLICY)
        async with serve(_gzip_app(b"x", "br")) as base, httpx.AsyncClient() as client:
            with pytest.raises(FetchError, match="Content-Encoding 'br'"):
                await fetch(client, f"{base}/live", policy=POLICY)


class TestFetch:
    @pytest.mark.parametrize(
        ("path", "error", "status"),
        [
            ("/500", FetchError, 500),
            ("/503", FetchError, 503),
            ("/slow", FetchError, None),
            ("/huge", PayloadTooLarge, None),
            ("/huge-declared", PayloadTooLarge, None),
            ("/loop", FetchError, 310),
            ("/ftp", FetchError, None),
        ],
    )
    async def test_failures_are_bounded_and_typed(
        self, path: str, error: type[Exception], status: int | None
    ) -> None:
        """A 500, a 503, a server that stalls, 20 MB of body (streamed or declared), a redirect
        loop and a redirect off http(s) each end quickly in one typed error."""
        async with serve(_broken_app()) as base, httpx.AsyncClient() as client:
            started = time.monotonic()
            with pytest.raises(error) as caught:
                await fetch(client, f"{base}{path}", policy=POLICY)
            assert time.monotonic() - started < 2.5
        if status is not None:
            assert getattr(caught.value, "status", None) == status

    async def test_retry_after_is_read(self) -> None:
        """A 503's Retry-After travels on the error."""
        async with serve(_broken_app()) as base, httpx.AsyncClient() as client:
            with pytest.raises(FetchError) as caught:
                await fetch(client, f"{base}/503", policy=POLICY)
        assert caught.value.retry_after == 7

    @pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "not a url"])
    async def test_only_http_and_https(self, url: str) -> None:
        """Other schemes are refused before any request is made."""
        async with httpx.AsyncClient() as client:
            with pytest.raises(FetchError):
                await fetch(client, url, policy=POLICY)

    async def test_conditional_get(self) -> None:
        """The validators of a 200 turn the next request into a 304 without a body."""
        page = LivePage(fixture_text("block-id-time.html"), "article.block")
        async with serve(page.app()) as base, httpx.AsyncClient() as client:
            first = await fetch(client, f"{base}/live", policy=POLICY)
            second = await fetch(client, f"{base}/live", policy=POLICY, validators=first.validators)
            only_date = await fetch(
                client,
                f"{base}/live",
                policy=POLICY,
                validators=Validators(last_modified=first.validators.last_modified),
            )
        assert first.status == 200 and first.body
        assert second.not_modified and second.body is None
        assert only_date.not_modified

    def test_retry_after_http_date(self) -> None:
        """Retry-After as an HTTP date is seconds from now."""
        now = datetime(2025, 6, 18, 12, 0, tzinfo=UTC)
        assert retry_after_seconds("Wed, 18 Jun 2025 12:01:30 GMT", now) == 90
        assert retry_after_seconds("soon", now) is None

    @pytest.mark.parametrize(
        ("body", "charset", "expected"),
        [
            ("Straße".encode(), "utf-8", "Straße"),
            ("Straße".encode("cp1252"), None, "Straße"),
            ('<meta charset="iso-8859-1"><p>Straße'.encode("latin-1"), None, "Straße"),
        ],
    )
    def test_decoding(self, body: bytes, charset: str | None, expected: str) -> None:
        """Pages decode by the header's charset, UTF-8, the page's meta charset, or cp1252."""
        assert expected in decode_page(body, charset)


class TestIsolation:
    async def test_broken_sources_back_off_while_good_ones_flow(self) -> None:
        """With sources answering 500, stalling, sending 20 MB and redirecting in a loop, the
        runner logs and backs off on each and the good source's new entries keep arriving."""
        page = LivePage(
            fixture_text("block-id-time.html"), "div.blocks > article.block", hidden={0}
        )
        got: list[RawEntry] = []

        async def emit(items: list[RawEntry] | tuple[RawEntry, ...]) -> None:
            got.extend(items)

        async with (
            serve(_broken_app()) as bad,
            serve(page.app()) as good,
            httpx.AsyncClient() as client,
        ):
            sources = [
                HttpPoller(f"{bad}{path}", f"bad{i}", client=client, interval=0.2, policy=POLICY)
                for i, path in enumerate(["/500", "/slow", "/huge", "/loop"])
            ]
            good_source = HttpPoller(
                f"{good}/live", "good", client=client, interval=0.2, policy=POLICY
            )
            with capture_logs() as logs:
                task = asyncio.create_task(run_sources([*sources, good_source], emit))
                await _until(lambda: len(got) == 6)
                await _until(lambda: all(s.stats.failures >= 2 for s in sources))
                page.reveal(0)
                revealed = time.monotonic()
                await _until(lambda: len(got) == 7)
                latency = time.monotonic() - revealed
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        assert latency < 0.2 + 0.5, "the new entry came within one poll interval (plus a fetch)"
        assert {r.blog_id for r in got} == {"good"}
        failing = {e["source"] for e in logs if e["event"] == "poll failed"}
        assert failing == {s.url for s in sources}
        assert all(s.stats.failures >= 1 for s in sources)
        backoffs = [e["delay"] for e in logs if e["event"] == "source backing off"]
        assert backoffs and min(backoffs) >= 0.1

    async def test_retry_later_carries_only_the_servers_word(self) -> None:
        """A failing poll raises RetryLater without a delay of its own (the runner's retry
        policy picks the wait); a 503 carries its Retry-After as the wait."""
        async with serve(_broken_app()) as bad, httpx.AsyncClient() as client:
            poller = HttpPoller(f"{bad}/500", "b", client=client, interval=1.0, policy=POLICY)
            busy = HttpPoller(f"{bad}/503", "b", client=client, interval=1.0, policy=POLICY)
            with pytest.raises(RetryLater) as failed:
                await poller.next_item()
            with pytest.raises(RetryLater) as refused:
                await busy.next_item()
        assert failed.value.delay is None
        assert refused.value.delay == 7
        assert poller.stats.failures == busy.stats.failures == 1


async def _until(check: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.02)
