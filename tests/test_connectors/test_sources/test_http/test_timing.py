"""Each entry's time decided in one place from every source on the page (issue 12)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from connectors.sources.http.extract import extract_page
from connectors.sources.http.extract.model import ExtractedEntry
from connectors.sources.http.extract.timing import PageDays, decide_times, page_days
from tests.test_connectors._live import fixture_text

LONDON = ZoneInfo("Europe/London")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def _local(entries: tuple[ExtractedEntry, ...] | list[ExtractedEntry], tz: ZoneInfo) -> list[str]:
    return [e.time.astimezone(tz).isoformat() if e.time else "-" for e in entries]


class TestPrecedence:
    def test_jsonld_update_time_beats_printed_time(self) -> None:
        """A JSON-LD update's own stamp wins over the block's printed time (printed in the
        site's zone, not the reader's), and the provenance names both."""
        found = extract_page(
            fixture_text("jsonld-update-times.html"),
            fetched_at=datetime(2025, 4, 12, tzinfo=UTC),
            tz=LONDON,
        )
        assert [e.time for e in found.entries] == [
            datetime(2025, 4, 9, h, m, tzinfo=UTC)
            for h, m in ((13, 30), (14, 12), (14, 47), (15, 21), (15, 58), (16, 42))
        ]
        assert {e.sources["time"] for e in found.entries} == {"json-ld:datePublished"}
        assert found.entries[0].sources["time-overruled"] == "html:printed 9:30"

    def test_markup_stamp_beats_printed_day(self) -> None:
        """A `<time datetime>` in the block wins over its printed time placed on the page's day."""
        html = (
            '<html><head><meta property="article:published_time" content="2025-01-02T08:00Z">'
            '</head><body><div class="s">'
            '<div class="e"><time datetime="2025-01-03T09:10:00Z">09:10</time><p>Two.</p></div>'
            '<div class="e"><time datetime="2025-01-03T08:05:00Z">08:05</time><p>One.</p></div>'
            "</div></body></html>"
        )
        found = extract_page(html, fetched_at=datetime(2025, 1, 9, tzinfo=UTC), tz=LONDON)
        assert [e.time for e in found.entries] == [
            datetime(2025, 1, 3, 8, 5, tzinfo=UTC),
            datetime(2025, 1, 3, 9, 10, tzinfo=UTC),
        ]
        assert all(e.sources["time"] == "html:time@datetime" for e in found.entries)

    @pytest.mark.parametrize(
        "relative", ["html:relative-to-fetch", "profile:site:.ago(relative-to-fetch)"]
    )
    def test_relative_time_ranks_below_page_day(self, relative: str) -> None:
        """A printed time on the page's day wins over a relative time counted from the clock."""
        entries = [
            ExtractedEntry(
                "<p>a</p>",
                "a",
                time=datetime(2025, 5, 5, 9, tzinfo=UTC),
                printed_time="10:15",
                sources={"time": relative},
            )
        ]
        days = PageDays(start=date(2025, 5, 1), start_source="meta:x")
        decided = decide_times(
            entries, days=days, tz=LONDON, fetched_at=datetime(2025, 5, 5, 9, 30, tzinfo=UTC)
        )
        assert decided[0].time == datetime(2025, 5, 1, 10, 15, tzinfo=LONDON)
        assert decided[0].sources["day"] == "page:meta:x"


class TestPageDay:
    @pytest.mark.parametrize("days_later", [0, 1, 3, 40, 400])
    def test_clock_never_gives_the_day_when_the_page_does(self, days_later: int) -> None:
        """Printed times take the page's day (meta article:published_time) and cross midnight in
        the blog's zone, whatever day the page is fetched on."""
        fetched = datetime(2025, 6, 18, 5, tzinfo=UTC) + timedelta(days=days_later)
        found = extract_page(fixture_text("printed-page-day.html"), fetched_at=fetched, tz=NEW_YORK)
        assert _local(found.entries, NEW_YORK) == [
            "2025-06-17T21:02:00-04:00",
            "2025-06-17T22:30:00-04:00",
            "2025-06-17T23:48:00-04:00",
            "2025-06-18T00:10:00-04:00",
            "2025-06-18T00:35:00-04:00",
        ]
        assert {e.sources["day"] for e in found.entries} == {"page:meta:article:published_time"}

    def test_clock_gives_the_day_only_when_the_page_gives_none(self) -> None:
        """The same page without its meta tag falls back on the fetch day, and says so."""
        html = fixture_text("printed-page-day.html").replace("article:published_time", "x")
        fetched = datetime(2025, 7, 1, 6, tzinfo=UTC)  # 02:00 in New York
        found = extract_page(html, fetched_at=fetched, tz=NEW_YORK)
        assert {e.sources["day"] for e in found.entries} == {"clock:fetch-date"}
        assert found.entries[-1].time == datetime(2025, 7, 1, 0, 35, tzinfo=NEW_YORK)
        assert found.entries[0].time == datetime(2025, 6, 30, 21, 2, tzinfo=NEW_YORK)

    def test_day_headers_split_a_german_ticker(self) -> None:
        """`+++ 19:05 Uhr +++`, `23.45 Uhr:` and `Update 0.20 Uhr:` paragraphs under two day
        headers get the header's day; the headers are not headlines."""
        found = extract_page(
            fixture_text("ticker-de-plus.html"),
            fetched_at=datetime(2025, 3, 1, tzinfo=UTC),
            tz=BERLIN,
        )
        assert _local(found.entries, BERLIN) == [
            "2025-02-10T19:05:00+01:00",
            "2025-02-10T21:30:00+01:00",
            "2025-02-10T23:45:00+01:00",
            "2025-02-11T00:20:00+01:00",
            "2025-02-11T09:15:00+01:00",
        ]
        assert all(e.headline is None for e in found.entries)
        assert found.entries[3].text.startswith("Einigung!")
        assert "Mehr zum Thema" not in found.entries[0].text
        assert found.entries[0].text.startswith("Die Verhandlungen haben begonnen.")

    def test_days_carried_back_from_a_stamp(self) -> None:
        """Printed-only entries below an entry with a stamp ("vor 5 Minuten" next to a
        `<time datetime>`) take their days from it, back across midnight."""
        found = extract_page(
            fixture_text("ticker-de-page-day.html"),
            fetched_at=datetime(2025, 2, 20, tzinfo=UTC),
            tz=BERLIN,
        )
        assert _local(found.entries, BERLIN) == [
            "2025-02-10T19:30:00+01:00",
            "2025-02-10T22:10:00+01:00",
            "2025-02-10T23:58:00+01:00",
            "2025-02-11T00:52:00+01:00",
        ]
        assert found.entries[-1].sources["time"] == "html:relative+time@datetime"
        assert found.entries[0].sources["day"] == "carried-back"

    def test_last_updated_stamp_gives_the_block_day(self) -> None:
        """A block's "Last updated" line dates its printed time (the day before when the entry's
        time is later than the update's) and is not body text."""
        html = (
            '<html><body><div class="stream">'
            '<div class="block"><p class="block__time">00:40</p><p>Three.</p>'
            '<p class="block__updated">Last Updated: 01:02 GMT Saturday, 08 March 2025</p></div>'
            '<div class="block"><p class="block__time">23:50</p><p>Two.</p>'
            '<p class="block__updated">Last Updated: 00:15 GMT Saturday, 08 March 2025</p></div>'
            '<div class="block"><p class="block__time">21:05</p><p>One.</p></div>'
            "</div></body></html>"
        )
        found = extract_page(html, fetched_at=datetime(2025, 9, 9, tzinfo=UTC), tz=LONDON)
        assert [e.time for e in found.entries] == [
            datetime(2025, 3, 7, 21, 5, tzinfo=UTC),
            datetime(2025, 3, 7, 23, 50, tzinfo=UTC),
            datetime(2025, 3, 8, 0, 40, tzinfo=UTC),
        ]
        assert [e.sources["day"] for e in found.entries] == [
            "carried-back",
            "html:updated-stamp",
            "html:updated-stamp",
        ]
        assert all("Updated" not in e.text for e in found.entries)

    @pytest.mark.parametrize(
        ("head", "start", "source"),
        [
            (
                '<script type="application/ld+json">{"@type":"LiveBlogPosting",'
                '"datePublished":"2025-03-01T23:30:00Z"}</script>',
                date(2025, 3, 1),
                "json-ld:datePublished",
            ),
            (
                '<meta property="article:published_time" content="2025-07-01T23:30:00Z">',
                date(2025, 7, 2),
                "meta:article:published_time",
            ),
            (
                '<p class="content__dateline">Fri 14 Mar 2025 07.02 GMT</p>',
                date(2025, 3, 14),
                "html:date-line",
            ),
            ('<link rel="canonical" href="https://g.example/uk/live/2015/jul/09/x">', None, None),
        ],
    )
    def test_page_days(self, head: str, start: date | None, source: str | None) -> None:
        """The page's day is read in the blog's zone (23:30 UTC on 1 July is 2 July in London)."""
        from connectors.sources.http.extract.jsonld import find_postings

        tree = HTMLParser(f"<html><head>{head}</head><body><p>x</p></body></html>")
        days = page_days(tree, find_postings(tree), LONDON)
        if start is None:
            assert (days.start, days.start_source) == (date(2015, 7, 9), "url:canonical")
        else:
            assert (days.start, days.start_source) == (start, source)


class TestProfileCustomWithoutProfile:
    def test_times_from_the_footer_stamp(self) -> None:
        """`profile-custom.html` read without its profile still gets every time (never null)."""
        found = extract_page(
            fixture_text("profile-custom.html"),
            fetched_at=datetime(2025, 6, 18, 16, tzinfo=UTC),
            tz=LONDON,
        )
        assert len(found.entries) == 5
        assert found.entries[-1].time == datetime(2025, 6, 18, 14, 51, tzinfo=UTC)
        assert all(e.time is not None for e in found.entries)
