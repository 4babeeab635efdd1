"""The quote desk in a real headless Chromium: fed by `connect http`, a filter that matches
nothing yet, and a phone-width screen. (Fed by `sink` from Kafka: tests/integration.)"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from schemas.events import RawEntry
from tests.test_connectors._live import LivePage, fixture_text, serve
from tests.test_streams.livedata import BLOG, items, write_blog
from tests.test_streams.test_web.browser import ARGS, chromium, cli_serving, screenshot, until
from tests.test_streams.test_web.serving import replayed, serving

pytestmark = pytest.mark.browser

NO_SCRIPT = "() => typeof window.pwned === 'undefined'"


@contextlib.asynccontextmanager
async def _browser(width: int = 1280, height: int = 900) -> AsyncIterator[tuple[Any, list[str]]]:
    """A page in Chromium and the script errors it raises."""
    playwright = pytest.importorskip("playwright.async_api")
    path = chromium()
    async with playwright.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=path, args=ARGS)
        try:
            page = await browser.new_page(viewport={"width": width, "height": height})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            yield page, errors
        finally:
            await browser.close()


class TestFedByConnect:
    async def test_live_page_polled_by_connect_http(self, tmp_path: Path) -> None:
        """`connect http URL --serve`: the timeline shows the page's entries in the blog's zone
        with quotes marked in place, the sources panel shows the polls, and an entry the page
        gains later appears without a reload."""
        live = LivePage(fixture_text("block-id-time.html"), "div.blocks > article.block")
        count = len(HTMLParser(live.html).css("div.blocks > article.block"))
        live.hidden = {0}  # the newest entry comes later
        async with serve(live.app()) as origin:
            args = [
                "connect", "http", origin + "/live", "--blog", "storm-orla",
                "--interval", "0.5", "--db", str(tmp_path / "connect.db"),
                "--tz", "Europe/London", "--serve", "--port", "0",
            ]  # fmt: skip
            env = {"LIVEBLOG_CURSOR_DIR": str(tmp_path / "cursors")}
            async with cli_serving(args, cwd=tmp_path, env=env) as url, _browser() as (page, errs):
                await page.goto(url + "/")
                await until(page, "() => document.querySelectorAll('li.entry').length > 0")
                shown = await page.locator("li.entry").count()
                assert shown == count - 1  # every entry but the hidden one
                zones = set(await page.locator("li.entry .zone").all_text_contents())
                assert zones == {"UTC+01:00"}  # June in London, as the blog printed it
                first = await page.locator("li.entry .when").last.text_content()
                assert first is not None and first[:2].isdigit()
                await until(page, "() => document.querySelectorAll('li.source').length === 1")
                source = await page.locator("li.source").text_content()
                assert source is not None and "storm-orla" in source and "polled" in source
                live.reveal(0)
                await until(
                    page, f"() => document.querySelectorAll('li.entry').length === {shown + 1}"
                )
                headline = (
                    await page.locator("li.entry").first.locator("h3, p").first.text_content()
                )
                assert headline
                await page.fill("#filter", "kind:quote")
                await page.click("button[type=submit]")
                await screenshot(page, "desk-connect.png")
                assert await page.evaluate(NO_SCRIPT)
                assert errs == []


class TestFilterHint:
    async def test_no_match_yet_then_a_match(self, tmp_path: Path) -> None:
        """A filter that matches nothing yet shows a hint that says so; the first matching quote
        replaces it as soon as it is said."""
        later = "4:12 p.m.: “The rent cap starts in June,” Okafor said as the session closed."
        head, _, rest = BLOG.partition("4:20 p.m.")
        early = head + rest.split("\n\n", 1)[1].replace(later + "\n\n", "")
        (tmp_path / "early").mkdir()
        async with (
            serving(tmp_path / "early", text=early, delays=[0.0] * 6) as (url, session),
            _browser() as (page, errors),
        ):
            await replayed(session, entries=6)
            await page.goto(url + "/?filter=" + "speaker:okafor june")
            await until(page, "() => document.getElementById('status').textContent === 'live'")
            assert await page.locator("#quotes-empty").is_visible()
            hint = await page.locator("#quotes-empty").text_content()
            assert hint is not None and "Nothing matches “speaker:okafor june” yet" in hint
            assert await page.locator("li.quote").count() == 0
            assert await page.locator("li.entry").count() == 6
            await screenshot(page, "desk-no-match.png")
            (said,) = [
                item
                for item in items(write_blog(tmp_path, BLOG))
                if isinstance(item, RawEntry) and "in June" in item.raw
            ]
            session.runner.handle(said)
            session.runner.flush()
            await until(page, "() => document.querySelectorAll('li.quote').length === 1")
            assert await page.locator("#quotes-empty").is_hidden()
            text = await page.locator("li.quote .quote-text").text_content()
            assert text == "The rent cap starts in June"
            marked = await page.locator("li.quote mark").all_text_contents()
            assert [m.lower() for m in marked] == ["june"]
            assert errors == []


class TestPhone:
    async def test_phone_width(self, tmp_path: Path) -> None:
        """At 390 px the page fits the screen (nothing scrolls sideways), shows one view at a
        time behind tabs, in reading order, and the speaker colours are the same in each view."""
        async with serving(tmp_path) as (url, session), _browser(390, 844) as (page, errors):
            await replayed(session)
            await page.goto(url + "/")
            await until(page, "() => document.querySelectorAll('li.entry').length === 8")
            assert await page.locator(".tabs").is_visible()
            assert await page.locator("#timeline-view").is_visible()
            assert await page.locator("#quotes-view").is_hidden()
            wide = await page.evaluate("() => document.documentElement.scrollWidth")
            assert wide <= 390
            # newest first, top to bottom: 4:20 p.m. above 3:22 p.m.
            times = await page.locator("li.entry .when").all_text_contents()
            assert times[0] == "16:20" and times[-1] == "15:22"
            inline = await page.locator("q.in-quote.sp").evaluate_all(
                "els => els.map(e => [e.querySelector('.who').textContent, "
                "getComputedStyle(e).borderBottomColor])"
            )
            await screenshot(page, "desk-phone.png")
            await page.click(".tabs button[data-view=quotes]")
            assert await page.locator("#quotes-view").is_visible()
            assert await page.locator("#timeline-view").is_hidden()
            listed = await page.locator("li.quote.sp").evaluate_all(
                "els => els.map(e => [e.querySelector('.speaker').textContent, "
                "getComputedStyle(e).borderLeftColor])"
            )
            colours = dict(inline)
            assert {"Maria Okafor", "Tunde Bello"} <= set(colours)
            assert colours["Maria Okafor"] != colours["Tunde Bello"]
            assert all(colours[name] == colour for name, colour in listed)
            wide = await page.evaluate("() => document.documentElement.scrollWidth")
            assert wide <= 390
            await page.click(".tabs button[data-view=desk]")
            await until(page, "() => document.querySelectorAll('li.speaker-row').length >= 2")
            counts = await page.locator("li.speaker-row .count").all_text_contents()
            assert sum(int(c) for c in counts) >= 7
            await screenshot(page, "desk-phone-speakers.png")
            assert await page.evaluate(NO_SCRIPT)
            assert errors == []


class TestPauseOnScroll:
    async def test_new_items_wait_while_reading(self, tmp_path: Path) -> None:
        """While the reader is down the page, a new entry and its quote wait behind a button
        instead of moving the text; the button shows them."""
        later = "4:12 p.m.: “The rent cap starts in June,” Okafor said as the session closed."
        head, _, rest = BLOG.partition("4:20 p.m.")
        early = head + rest.split("\n\n", 1)[1].replace(later + "\n\n", "")
        (tmp_path / "early").mkdir()
        async with (
            serving(tmp_path / "early", text=early, delays=[0.0] * 6) as (url, session),
            _browser(1000, 400) as (page, errors),
        ):
            await replayed(session, entries=6)
            await page.goto(url + "/")
            await until(page, "() => document.querySelectorAll('li.entry').length === 6")
            await page.evaluate("() => window.scrollTo(0, 600)")
            await until(page, "() => window.scrollY > 160")
            (said,) = [
                item
                for item in items(write_blog(tmp_path, BLOG))
                if isinstance(item, RawEntry) and "in June" in item.raw
            ]
            session.runner.handle(said)
            session.runner.flush()
            await until(page, "() => !document.getElementById('paused').hidden")
            assert await page.locator("#paused").text_content() == "2 new — show"
            assert await page.locator("li.entry").count() == 6
            await page.click("#paused")
            await until(page, "() => document.querySelectorAll('li.entry').length === 7")
            first = await page.locator("li.entry .when").first.text_content()
            assert first == "16:12"
            assert await page.locator("#paused").is_hidden()
            assert errors == []
