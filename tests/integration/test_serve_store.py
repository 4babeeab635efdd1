"""`liveblog serve` over a database that `liveblog sink` fills from a real broker: the seed's 37
quotes reach `/api/quotes` and an SSE client as the sink writes them, in SQLite and PostgreSQL,
and a client that reconnects with `Last-Event-ID` gets exactly the rest."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO, Any

import aiohttp
import pytest

from connectors.kafka_admin import ensure_topics
from streams.core.settings import Settings
from tests.conftest import SEED
from tests.integration.kafka_support import (
    CLI,
    WorkerProcess,
    env_of,
    fresh_database,
    make_settings,
    run_cli,
)

pytestmark = pytest.mark.integration

SEED_QUOTES = 37


@pytest.fixture(name="produced", scope="module")
def fixture_produced(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """Topics of this module, a worker, and the seed produced onto the raw topic."""
    settings = make_settings(kafka_bootstrap, uuid.uuid4().hex[:12], partitions=2)
    asyncio.run(ensure_topics(settings))
    tmp = tmp_path_factory.mktemp("serve-store")
    worker = WorkerProcess(settings, tmp / "worker.log").start()
    try:
        done = run_cli("replay", str(SEED), "--broker", settings.broker, settings=settings)
        assert done.returncode == 0, done.stderr
        yield settings
    finally:
        worker.stop()


@asynccontextmanager
async def _process(
    args: list[str], settings: Settings, log: Path, **env: str
) -> AsyncIterator[tuple[asyncio.subprocess.Process, IO[bytes]]]:
    with log.open("wb") as out:
        proc = await asyncio.create_subprocess_exec(
            CLI, *args, env=env_of(settings, **env), stdout=out, stderr=subprocess.PIPE
        )
        try:
            yield proc, out
        finally:
            if proc.returncode is None:
                proc.terminate()
                await asyncio.wait_for(proc.wait(), 30)


async def _serving_url(proc: asyncio.subprocess.Process) -> str:
    """The URL `serve --port 0` prints once it listens."""
    assert proc.stderr is not None
    async with asyncio.timeout(30):
        while line := (await proc.stderr.readline()).decode():
            if found := re.search(r"serving (http://\S+?)/?$", line.strip()):
                return found.group(1)
    raise AssertionError("serve ended without listening")


async def _sse(
    url: str, count: int, headers: dict[str, str] | None = None
) -> list[tuple[int, Any]]:
    """The first `count` quote events of the SSE feed: (event id, data)."""
    got: list[tuple[int, Any]] = []
    event_id = 0
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{url}/feeds/quotes", headers=headers or {}) as resp,
    ):
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/event-stream")
        async for raw in resp.content:
            line = raw.decode().rstrip("\n")
            if line.startswith("id: "):
                event_id = int(line[4:])
            elif line.startswith("data: "):
                got.append((event_id, json.loads(line[6:])))
                if len(got) >= count:
                    break
    return got


async def _history(url: str) -> list[dict[str, Any]]:
    quotes: list[dict[str, Any]] = []
    cursor: str | None = "0"
    async with aiohttp.ClientSession() as http:
        while cursor is not None:
            async with http.get(f"{url}/api/quotes", params={"cursor": cursor, "limit": "10"}) as r:
                assert r.status == 200
                page = await r.json()
            quotes.extend(page["quotes"])
            cursor = None if page["next_cursor"] is None else str(page["next_cursor"])
    return quotes


async def _serve_while_sink_fills(settings: Settings, db: str, tmp: Path) -> None:
    feed = tmp / "serve-feed.db"
    async with _process(
        ["serve", "--db", db, "--port", "0", "--feed-db", str(feed)], settings, tmp / "serve.log"
    ) as (serve, _):
        url = await _serving_url(serve)
        async with aiohttp.ClientSession() as http, http.get(f"{url}/api/quotes") as r:
            assert (await r.json())["quotes"] == []  # nothing stored yet: the sink is not running
        live = asyncio.create_task(_sse(url, SEED_QUOTES))
        group = f"{settings.app_id}-sink-{uuid.uuid4().hex[:6]}"
        async with _process(
            ["sink", "--db", db, "--group", group, "--until-idle", "60"], settings, tmp / "sink.log"
        ):
            streamed = await asyncio.wait_for(live, 120)
        ids = [event_id for event_id, _ in streamed]
        assert ids == sorted(ids) and len(set(ids)) == SEED_QUOTES
        assert len({q["quote_id"] for _, q in streamed}) == SEED_QUOTES
        history = await _history(url)
        assert len({q["quote_id"] for q in history}) == len(history) == SEED_QUOTES
        assert {q["quote_id"] for q in history} == {q["quote_id"] for _, q in streamed}
        # a client that saw the first 20 resumes with Last-Event-ID and gets exactly the rest
        rest = await asyncio.wait_for(
            _sse(url, SEED_QUOTES - 20, {"Last-Event-ID": str(ids[19])}), 30
        )
        assert [i for i, _ in rest] == ids[20:]
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{url}/readyz") as r:
                assert r.status == 200
            async with http.get(f"{url}/api/speakers") as r:
                speakers = (await r.json())["speakers"]
            assert {s["id"] for s in speakers} >= {"lavrov", "guterres"}
            async with http.get(f"{url}/api/blogs") as r:
                (blog,) = (await r.json())["blogs"]
            assert blog["blog_id"] == "focus-guterres-lavrov" and blog["entries"] == 35


class TestServeOverSink:
    async def test_sqlite_filled_by_sink(self, produced: Settings, tmp_path: Path) -> None:
        """`serve` over a SQLite file that `sink` creates and fills after serve started."""
        await _serve_while_sink_fills(produced, str(tmp_path / "sink.db"), tmp_path)

    async def test_postgres_filled_by_sink(
        self, produced: Settings, postgres_dsn: str, tmp_path: Path
    ) -> None:
        """`serve` over a PostgreSQL database that `sink` fills after serve started."""
        name = f"serve_{uuid.uuid4().hex[:10]}"
        async with fresh_database(postgres_dsn, name) as dsn:
            await _serve_while_sink_fills(produced, dsn, tmp_path)


class TestPageOverSink:
    @pytest.mark.browser
    async def test_page_fed_by_sink(self, produced: Settings, tmp_path: Path) -> None:
        """The page of `serve` over the database `sink` fills from Kafka: the seed's 35 entries
        on the timeline with their quotes marked in place, its 37 quotes, both speakers with
        their counts, and the blog with its source."""
        from tests.test_streams.test_web.browser import ARGS, chromium, screenshot, until

        playwright = pytest.importorskip("playwright.async_api")
        path = chromium()
        db = str(tmp_path / "page.db")
        async with _process(
            ["serve", "--db", db, "--port", "0"], produced, tmp_path / "serve.log"
        ) as (serve, _):
            url = await _serving_url(serve)
            group = f"{produced.app_id}-page-{uuid.uuid4().hex[:6]}"
            async with (
                _process(
                    ["sink", "--db", db, "--group", group, "--until-idle", "60"],
                    produced,
                    tmp_path / "sink.log",
                ),
                playwright.async_playwright() as pw,
            ):
                browser = await pw.chromium.launch(executable_path=path, args=ARGS)
                try:
                    page = await browser.new_page(viewport={"width": 1400, "height": 1000})
                    errors: list[str] = []
                    page.on("pageerror", lambda e: errors.append(str(e)))
                    await page.goto(url + "/")
                    await until(
                        page, "() => document.querySelectorAll('li.entry').length === 35", 90
                    )
                    await until(
                        page,
                        f"() => document.querySelectorAll('li.quote').length === {SEED_QUOTES}",
                    )
                    inline = await page.locator("q.in-quote").count()
                    assert inline >= 30  # quotes found in their entry's text
                    await until(
                        page, "() => document.querySelectorAll('li.speaker-row').length >= 2"
                    )
                    rows = await page.locator("li.speaker-row .pick").all_text_contents()
                    assert any("Lavrov" in r for r in rows) and any("Guterres" in r for r in rows)
                    await until(page, "() => document.querySelectorAll('li.source').length === 1")
                    source = await page.locator("li.source").text_content()
                    assert source is not None and "35 entries" in source
                    options = await page.locator("#blog option").all_text_contents()
                    assert "focus-guterres-lavrov" in options
                    zones = set(await page.locator("li.entry .zone").all_text_contents())
                    assert zones == {"UTC+02:00"}  # Moscow press room, as the blog printed it
                    await screenshot(page, "desk-kafka.png")
                    await page.fill("#filter", "speaker:lavrov")
                    await page.click("button[type=submit]")
                    await until(
                        page,
                        "() => document.querySelectorAll('li.quote').length > 0 && "
                        "[...document.querySelectorAll('li.quote .speaker')]"
                        ".every(e => e.textContent === 'Sergey Lavrov')",
                    )
                    await page.locator("li.quote .more").first.click()
                    await until(
                        page, "() => document.querySelector('li.quote .context p') !== null"
                    )
                    await screenshot(page, "desk-kafka-quotes.png")
                    assert errors == []
                finally:
                    await browser.close()
