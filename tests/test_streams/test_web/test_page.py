"""The live page in a real headless Chromium (Debian's, driven by Playwright).

Needs /usr/bin/chromium (`scripts/ensure-browser` installs it with apt-get).
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from schemas.events import Subscription
from tests.conftest import ROOT
from tests.test_streams.livedata import QUOTES
from tests.test_streams.test_web.serving import replayed, serving

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "artifacts"


async def _until(page: Any, script: str, timeout: float = 15.0) -> None:
    """Poll `script` (a JS function) until it is true; `page.wait_for_function` evaluates
    strings with eval, which the page's CSP rightly forbids."""
    async with asyncio.timeout(timeout):
        while not await page.evaluate(script):
            await asyncio.sleep(0.1)


def _chromium() -> str:
    if not Path(CHROMIUM).exists():
        subprocess.run([str(ROOT / "scripts" / "ensure-browser")], check=False, timeout=900)
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.fail("Debian's chromium is missing: run scripts/ensure-browser")
    return CHROMIUM


class TestLivePage:
    async def test_quotes_live_filter_and_no_script_runs(self, tmp_path: Path) -> None:
        """Quotes appear as the replay produces them, the filter box narrows them, and entry
        text with <script> or <img onerror> shows as text and runs nothing."""
        playwright = pytest.importorskip("playwright.async_api")
        chromium = _chromium()
        subs = [Subscription(id="activists", filter="activists kind:entry")]
        async with (
            serving(tmp_path, delays=[0.4] * 8, subscriptions=subs) as (url, session),
            playwright.async_playwright() as pw,
        ):
            browser = await pw.chromium.launch(executable_path=chromium, args=ARGS)
            try:
                page = await browser.new_page(viewport={"width": 1200, "height": 900})
                dialogs: list[str] = []
                page.on("dialog", lambda d: dialogs.append(d.message))
                errors: list[str] = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                await page.goto(url + "/")
                await page.wait_for_selector("li.quote", timeout=15_000)
                early = await page.locator("li.quote").count()
                assert session.runner.stats.entries < 8  # shown while the replay runs
                await replayed(session)
                await _until(
                    page, f"() => document.querySelectorAll('li.quote').length === {QUOTES}"
                )
                assert early < QUOTES
                texts = await page.locator("li.quote .quote-text").all_text_contents()
                assert "<script>window.pwned = 1</script> is what they hide" in texts
                await page.wait_for_selector("li.alert", timeout=10_000)
                alert_text = await page.locator("li.alert .quote-text").first.text_content()
                assert (
                    alert_text is not None
                    and '<img src=x onerror="window.pwned = 2">' in alert_text
                )
                assert await page.evaluate("typeof window.pwned") == "undefined"
                assert await page.locator("main script, main img").count() == 0
                assert dialogs == []
                # colour per speaker: Okafor and Bello get different classes
                classes = await page.locator("li.quote").evaluate_all(
                    "els => els.map(e => e.className)"
                )
                assert len({c for c in classes if "sp-none" not in c}) >= 2

                await page.fill("#filter", "speaker:bello")
                await page.click("button[type=submit]")
                await _until(
                    page,
                    "() => [...document.querySelectorAll('li.quote .speaker')].length > 0 && "
                    "[...document.querySelectorAll('li.quote .speaker')]"
                    ".every(e => e.textContent === 'Tunde Bello')",
                )
                # Bello's three quotations, as many as the history API gives for the same filter
                async with aiohttp.ClientSession() as http:
                    params = {"filter": "speaker:bello"}
                    async with http.get(url + "/api/quotes", params=params) as resp:
                        bello = len((await resp.json())["quotes"])
                assert bello == 3
                await _until(
                    page, f"() => document.querySelectorAll('li.quote').length === {bello}"
                )
                ARTIFACTS.mkdir(exist_ok=True)
                await page.screenshot(path=str(ARTIFACTS / "live-page.png"), full_page=True)

                await page.fill("#filter", "speaker:bello (tram")
                await page.click("button[type=submit]")
                await _until(
                    page,
                    "() => document.getElementById('filter-error')"
                    ".textContent.includes('unclosed')",
                )
                link = page.locator("li.quote a").first
                href = await link.get_attribute("href")
                assert href is not None and href.startswith("/entries/")
                await page.goto(url + href)
                body = await page.locator("main").text_content()
                assert body is not None and "<script>window.pwned = 1</script>" in body
                assert await page.evaluate("typeof window.pwned") == "undefined"
                assert errors == []
            finally:
                await browser.close()
