"""The HTTP poller against a live blog growing on a loopback server, in every supported markup."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from structlog.testing import capture_logs

from connectors.sources.cursor import CursorFile
from connectors.sources.http.extract import load_profile
from connectors.sources.http.fetch import FetchPolicy
from connectors.sources.http.poller import HttpPoller, page_extractor
from connectors.sources.polling import poll_wait, run_source, run_sources
from schemas.events import RawEntry
from schemas.exceptions import RetryLater, SinkError
from streams.core.clock import fixed_clock
from streams.core.metrics import Metrics
from tests.test_connectors._live import FIXTURES, LivePage, fixture_text, serve

NOW = datetime(2025, 6, 18, 15, 30, tzinfo=UTC)

MARKUPS = [
    pytest.param(
        "block-id-time.html", "div.blocks > article.block", None, "Europe/London", id="block-id"
    ),
    pytest.param(
        "jsonld-copied-fields.html", "div.live-post", None, "America/New_York", id="json-ld+html"
    ),
    pytest.param("jsonld-only.html", None, None, "Europe/London", id="json-ld"),
    pytest.param(
        "wordpress-liveblog.html", "div.liveblog-entry", None, "Europe/London", id="wordpress"
    ),
    pytest.param("generic-timed.html", "div.ticker-item", None, "Europe/Berlin", id="generic"),
    pytest.param(
        "profile-custom.html", "li.feed__row", "profile-custom.yaml", "Europe/London", id="profile"
    ),
    pytest.param(
        "microdata-liveblog.html",
        "div.js-liveblog-body > div.block",
        None,
        "Europe/London",
        id="microdata",
    ),
    pytest.param("rdfa-liveblog.html", "div.live-item", None, "Europe/London", id="rdfa"),
    pytest.param(
        "amp-live-list.html", "amp-live-list [items] > div.post", None, "Europe/London", id="amp"
    ),
    pytest.param(
        "jsonld-update-times.html", "section.update", None, "Europe/London", id="json-ld-times"
    ),
    pytest.param("ticker-de-page-day.html", "div.ticker-post", None, "Europe/Berlin", id="de"),
]


def _poller(url: str, client: httpx.AsyncClient, profile: str | None, tz: str) -> HttpPoller:
    chosen = load_profile(str(FIXTURES / profile)) if profile else None
    return HttpPoller(
        url,
        "storm",
        client=client,
        interval=0.2,
        extractor=page_extractor(chosen),
        policy=FetchPolicy(user_agent="liveblog-test/1", timeout=5),
        timezone=tz,
        clock=fixed_clock(NOW),
    )


def _count(page: LivePage) -> int:
    from selectolax.lexbor import LexborHTMLParser

    if page.entry_css:
        return len(LexborHTMLParser(page.html).css(page.entry_css))
    return 4  # the JSON-LD-only fixture's updates


class TestGrowingPage:
    @pytest.mark.parametrize(("fixture", "entry_css", "profile", "tz"), MARKUPS)
    async def test_new_edited_removed_and_restart(
        self, fixture: str, entry_css: str | None, profile: str | None, tz: str, tmp_path: Path
    ) -> None:
        """Each new entry arrives in the first poll after it appears, exactly once; an edit
        arrives as version 2; a removal is reported, not emitted; 304s are used; a restarted
        poller re-emits nothing."""
        page = LivePage(fixture_text(fixture), entry_css, hidden={0, 1})
        total = _count(page)
        emitted: list[RawEntry] = []
        async with serve(page.app()) as base, httpx.AsyncClient() as client:
            poller = _poller(f"{base}/live", client, profile, tz)
            first = await poller.next_item()
            emitted += first
            assert len(first) == total - 2
            assert all(r.version == 1 for r in first)
            times = [r.hints.time for r in first if r.hints.time is not None]
            assert times == sorted(times), "entries come oldest first"

            page.reveal(1)
            second = await poller.next_item()
            emitted += second
            assert len(second) == 1 and second[0].version == 1

            page.reveal(0)
            page.edit(3, "Officials later corrected this figure.")
            third = await poller.next_item()
            emitted += third
            assert sorted(r.version for r in third) == [1, 2]
            edited = next(r for r in third if r.version == 2)
            assert "corrected this figure" in edited.raw
            assert edited.hints.block_id in {r.hints.block_id for r in first}

            page.remove(2)
            assert await poller.next_item() == []
            assert poller.stats.last_diff is not None
            assert len(poller.stats.last_diff.disappeared) == 1

            assert await poller.next_item() == []
            assert page.statuses[-1] == 304, "an unchanged page is answered with 304"

            keys = [(r.hints.block_id, r.version) for r in emitted]
            assert len(keys) == len(set(keys)) == total + 1
            assert [r.seq for r in emitted] == list(range(len(emitted)))

            store = CursorFile(tmp_path / "cursor.json")
            store.save(poller.key, poller.snapshot())
            page.conditional = False  # the restarted poller must rely on its cursor alone
            restarted = _poller(f"{base}/live", client, profile, tz)
            restarted.resume(CursorFile(tmp_path / "cursor.json").load(restarted.key))
            assert await restarted.next_item() == []
            assert page.statuses[-1] == 200
            assert page.user_agents == {"liveblog-test/1"}

    async def test_fields_say_where_they_came_from(self) -> None:
        """JSON-LD updates that copy the page's headline and time yield to the HTML blocks, and
        each field names its source."""
        page = LivePage(fixture_text("jsonld-copied-fields.html"), "div.live-post")
        async with serve(page.app()) as base, httpx.AsyncClient() as client:
            poller = _poller(f"{base}/live", client, None, "America/New_York")
            raws = await poller.next_item()
        newest = raws[-1]
        assert newest.hints.headline == "Park: Eastgate library is a red line"
        assert newest.hints.time == datetime.fromisoformat("2025-03-11T15:41:00-04:00")
        untitled = raws[0]
        assert untitled.hints.headline is None, "the page headline copied into updates is dropped"


class TestEmitFailure:
    async def test_cursor_moves_only_after_a_delivered_emit(self, tmp_path: Path) -> None:
        """An emit that fails (the broker refused the batch) leaves the cursor and its file where
        they were; the retry policy backs off (one counted retry) and emits the same entries,
        same seqs, before the cursor moves."""
        page = LivePage(fixture_text("block-id-time.html"), "div.blocks > article.block")
        total = _count(page)
        calls: list[list[RawEntry]] = []
        delivered: list[RawEntry] = []
        pauses: list[float] = []

        async def emit(items: Sequence[RawEntry]) -> None:
            calls.append(list(items))
            if len(calls) == 1:
                raise SinkError("Kafka did not take 4 of 4 records: KafkaTimeoutError()")
            delivered.extend(items)

        async def sleep(delay: float) -> None:
            pauses.append(delay)

        metrics = Metrics()
        store = CursorFile(tmp_path / "cursors.json")
        async with serve(page.app()) as base, httpx.AsyncClient() as client:
            poller = _poller(f"{base}/live", client, None, "Europe/London")
            with capture_logs() as logs:
                await run_source(poller, emit, sleep=sleep, store=store, polls=3, metrics=metrics)
        assert len(calls) == 2, "the failed batch was polled and emitted again"
        assert [r.seq for r in calls[0]] == [r.seq for r in calls[1]] == list(range(total))
        assert [r.hints.block_id for r in delivered] == [r.hints.block_id for r in calls[0]]
        failed = [e for e in logs if e["event"] == "emit failed; cursor kept, retrying"]
        assert len(failed) == 1 and failed[0]["next_wait"] >= 0.2, "backed off from the interval"
        assert metrics.value("liveblog_retries_total", what="emit") == 1
        saved = CursorFile(tmp_path / "cursors.json").load(poller.key)
        assert saved is not None and saved["cursor"]["seq"] == total

    async def test_a_crashing_source_is_restarted_with_backoff(self) -> None:
        """A source whose poll raises an unexpected error is restarted through the retry policy
        after a growing delay instead of stopping for good (each restart counted); with
        `restarts` reached it stops with its error."""
        polls: list[int] = []
        pauses: list[float] = []

        class Flaky:
            key = "flaky"
            interval = 0.05

            async def next_item(self) -> list[RawEntry]:
                polls.append(1)
                raise ValueError("extractor bug")

            def snapshot(self) -> dict[str, Any]:
                return {}

            def resume(self, state: dict[str, Any] | None) -> None:
                return None

        async def sleep(delay: float) -> None:
            pauses.append(delay)

        async def emit(items: Sequence[RawEntry]) -> None:
            raise AssertionError("nothing to emit")

        metrics = Metrics()
        with capture_logs() as logs:
            errors = await run_sources([Flaky()], emit, sleep=sleep, restarts=3, metrics=metrics)
        assert isinstance(errors[0], ValueError)
        assert len(polls) == 4
        assert pauses == [], "restarts wait in the retry policy, not in the poll loop"
        waits = [e["next_wait"] for e in logs if e["event"] == "source crashed; restarting"]
        assert len(waits) == 3
        assert waits == sorted(waits) and waits[0] >= 0.05 and waits[-1] > waits[0]
        assert metrics.value("liveblog_retries_total", what="source") == 3
        assert any(e["event"] == "source stopped" for e in logs)


class TestPollRetries:
    """A failing poll is retried through `streams.core.retry`, honouring Retry-After."""

    async def test_failed_polls_back_off_and_are_counted(self) -> None:
        """A source that fails twice then answers is polled three times, its two retries are
        counted as `what="poll"`, and its items are emitted once."""
        answers: list[list[RawEntry] | None] = [None, None, []]

        class Shaky:
            key = "shaky"
            interval = 0.01

            async def next_item(self) -> list[RawEntry]:
                answer = answers.pop(0)
                if answer is None:
                    raise RetryLater("HTTP 500")
                return answer

            def snapshot(self) -> dict[str, Any]:
                return {}

            def resume(self, state: dict[str, Any] | None) -> None:
                return None

        async def emit(items: Sequence[RawEntry]) -> None:
            raise AssertionError("nothing new to emit")

        metrics = Metrics()
        with capture_logs() as logs:
            await run_source(Shaky(), emit, polls=3, metrics=metrics)
        assert answers == []
        assert metrics.value("liveblog_retries_total", what="poll") == 2
        waits = [e["delay"] for e in logs if e["event"] == "source backing off"]
        assert waits == [0.05, 0.1], "exponential from the interval (at least 50 ms)"

    def test_retry_after_is_the_wait(self) -> None:
        """A RetryLater carrying a server's delay waits that long, plus at most a second of
        jitter; one without asks for the policy's exponential wait; other errors are not
        retried by the poll loop."""
        for _ in range(50):
            wait = poll_wait(RetryLater("busy", delay=120))
            assert isinstance(wait, float) and 120 <= wait <= 121
        assert poll_wait(RetryLater("HTTP 500")) is True
        assert poll_wait(ValueError("a bug")) is False

    @pytest.mark.parametrize(("header", "wanted"), [("120", 120.0), ("1000000000", 3600.0)])
    async def test_a_503s_retry_after_is_honoured_and_capped(
        self, header: str, wanted: float
    ) -> None:
        """A 503's Retry-After becomes the wait (at least the interval, at most an hour)."""
        from aiohttp import web

        async def busy(_: web.Request) -> web.Response:
            return web.Response(status=503, headers={"Retry-After": header})

        app = web.Application()
        app.router.add_get("/live", busy)
        async with serve(app) as base, httpx.AsyncClient() as client:
            poller = _poller(f"{base}/live", client, None, "UTC")
            with pytest.raises(RetryLater) as caught:
                await poller.next_item()
        assert caught.value.delay == wanted
