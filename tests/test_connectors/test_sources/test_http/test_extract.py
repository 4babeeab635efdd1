"""Entry extraction from live-blog pages: markups, time formats, parts of an entry, profiles."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from connectors.sources.http.extract import builtin_profiles, extract_page, load_profile
from connectors.sources.http.extract.times import parse_date, parse_stamp, relative_delta
from schemas.exceptions import ConfigError
from tests.test_connectors._live import FIXTURES, fixture_text

FETCHED = datetime(2025, 6, 18, 14, 0, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")


def _page(blocks: str) -> str:
    return (
        '<html lang="en"><body><div class="live"><h1>Live</h1>'
        f'<div class="entries">{blocks}</div></div></body></html>'
    )


class TestMarkups:
    @pytest.mark.parametrize(
        ("fixture", "method", "count", "with_ids"),
        [
            ("block-id-time.html", "html:blocks(article.block)", 7, True),
            ("jsonld-copied-fields.html", "json-ld+html:blocks(div.live-post)", 5, True),
            ("jsonld-only.html", "json-ld", 4, True),
            ("wordpress-liveblog.html", "profile:wordpress-liveblog", 5, True),
            ("generic-timed.html", "html:blocks(div.ticker-item)", 6, False),
        ],
    )
    def test_fixture_pages(self, fixture: str, method: str, count: int, with_ids: bool) -> None:
        """Each markup is recognised and every entry has a time, oldest first."""
        found = extract_page(fixture_text(fixture), fetched_at=FETCHED, tz=LONDON, url="https://x/")
        assert found.method == method
        assert len(found.entries) == count
        times = [e.time for e in found.entries]
        assert all(t is not None for t in times)
        assert times == sorted(times)  # type: ignore[type-var]
        assert all((e.block_id is not None) == with_ids for e in found.entries)

    def test_parts_kept_apart(self) -> None:
        """Headline, paragraphs, quote blocks and embedded posts stay apart; bylines, share bars
        and the time label are not body text."""
        found = extract_page(fixture_text("block-id-time.html"), fetched_at=FETCHED, tz=LONDON)
        by_id = {e.block_id: e for e in found.entries}
        mayor = by_id["block-68529a7c8f08e1b2c3d4e5f7"]
        assert mayor.headline == "Mayor says evacuation centres are full"
        assert mayor.body_html.startswith("<p>The mayor of Kellmouth")
        assert "<blockquote><p>“Both of our rest centres" in mayor.body_html
        assert "Share" not in mayor.text and "Nadia Brennan" not in mayor.text
        assert "2:05pm" not in mayor.text
        tweet = by_id["block-68528f108f08e1b2c3d4e5f6"]
        assert '<blockquote class="embed" data-embed="twitter">' in tweet.body_html
        wall = by_id["block-68527c4e8f08e1b2c3d4e5f3"]
        # the <cite> closing the quote names its speaker (issue 12): it introduces the quote
        # instead of being read as a quotation itself
        assert "<p>Harbour master Colm Aderyn:</p><blockquote><p>“We expected" in wall.body_html
        assert "Colm Aderyn</p></blockquote>" not in wall.body_html

    def test_jsonld_copied_fields_yield_to_html(self) -> None:
        """Updates repeating the page's headline and time take the blocks' ones, and say so."""
        found = extract_page(
            fixture_text("jsonld-copied-fields.html"), fetched_at=FETCHED, tz=LONDON
        )
        assert any("headline" in n for n in found.notes)
        assert any("datePublished" in n for n in found.notes)
        newest = found.entries[-1]
        assert newest.sources["time"] == "html:time@datetime"
        assert newest.sources["headline"] == "html:h3"
        assert newest.sources["json-ld"] == "matched"
        assert {e.headline for e in found.entries}.isdisjoint({found.title})

    def test_profile_needed_for_custom_markup(self) -> None:
        """A page whose time sits in an unmarked footer gets the same times without its profile
        (issue 12: never `published_at: null`); the profile adds ids and the printed time."""
        html = fixture_text("profile-custom.html")
        plain = extract_page(html, fetched_at=FETCHED, tz=LONDON)
        profiled = extract_page(
            html,
            fetched_at=FETCHED,
            tz=LONDON,
            profile=load_profile(str(FIXTURES / "profile-custom.yaml")),
        )
        assert [e.time for e in plain.entries] == [e.time for e in profiled.entries]
        assert all(e.time is not None for e in plain.entries)
        assert [e.block_id for e in profiled.entries][-1] == "e-5526"
        assert profiled.entries[-1].time == datetime(2025, 6, 18, 14, 51, tzinfo=UTC)
        assert profiled.entries[-1].printed_time == "14.51 GMT"
        assert "Share this update" not in profiled.entries[-1].text


class TestTimes:
    @pytest.mark.parametrize(
        ("label", "expected"),
        [
            ("2:24 p.m.", "2025-06-18T14:24:00+01:00"),
            ("14.24 GMT", "2025-06-18T14:24:00+00:00"),
            ("14:24 Uhr", "2025-06-18T14:24:00+01:00"),
            ("9.05am", "2025-06-18T09:05:00+01:00"),
        ],
    )
    def test_printed_times(self, label: str, expected: str) -> None:
        """Printed times in a time-like element are placed on the fetch day in the zone."""
        html = _page(
            f'<div class="post"><span class="post-time">{label}</span><p>First text.</p></div>'
            '<div class="post"><span class="post-time">8:00</span><p>Earlier text.</p></div>'
        )
        found = extract_page(html, fetched_at=FETCHED, tz=LONDON)
        assert found.entries[-1].time == datetime.fromisoformat(expected)
        assert found.entries[-1].printed_time == label.rstrip()

    def test_relative_time_resolved_from_attribute(self) -> None:
        """`20m ago` with an absolute stamp in an attribute takes the stamp."""
        html = _page(
            '<div class="post" id="p2"><span class="ago" data-timestamp="1750254240">20m ago'
            "</span><p>Second.</p></div>"
            '<div class="post" id="p1"><abbr class="ago" title="2025-06-18T12:10:00Z">'
            "2 hours ago</abbr><p>First.</p></div>"
        )
        found = extract_page(html, fetched_at=FETCHED, tz=LONDON)
        assert [e.time for e in found.entries] == [
            datetime(2025, 6, 18, 12, 10, tzinfo=UTC),
            datetime(2025, 6, 18, 13, 44, tzinfo=UTC),
        ]
        assert found.entries[-1].sources["time"].startswith("html:relative+")

    def test_relative_time_without_stamp(self) -> None:
        """A relative time with no stamp is counted back from the fetch time."""
        html = _page(
            '<div class="post"><span class="time">vor 5 Minuten</span><p>Neu.</p></div>'
            '<div class="post"><span class="time">2 hours ago</span><p>Alt.</p></div>'
        )
        found = extract_page(html, fetched_at=FETCHED, tz=LONDON)
        assert found.entries[-1].time == FETCHED - timedelta(minutes=5)

    def test_date_headers(self) -> None:
        """Dates printed in day headers place the printed times below them."""
        found = extract_page(fixture_text("generic-timed.html"), fetched_at=FETCHED, tz=LONDON)
        assert found.entries[0].time == datetime(2025, 2, 10, 21, 48, tzinfo=LONDON)
        assert found.entries[-1].time == datetime(2025, 2, 11, 16, 40, tzinfo=LONDON)

    def test_printed_times_before_midnight(self) -> None:
        """Without a date, a printed time later than the fetch is from the day before."""
        html = _page(
            '<div class="post"><span class="time">00:20</span><p>After midnight.</p></div>'
            '<div class="post"><span class="time">23:50</span><p>Before midnight.</p></div>'
        )
        fetched = datetime(2025, 6, 18, 23, 40, tzinfo=UTC)  # 00:40 in London
        found = extract_page(html, fetched_at=fetched, tz=LONDON)
        assert [e.time.isoformat() for e in found.entries if e.time] == [
            "2025-06-18T23:50:00+01:00",
            "2025-06-19T00:20:00+01:00",
        ]

    def test_flat_paragraphs(self) -> None:
        """Entries printed as paragraphs starting with a time are cut at each time, a short line
        above a time being that entry's headline."""
        html = _page(
            "<p><strong>2:24 p.m.:</strong> The press conference is over.</p>"
            "<h3>Minister: talks will go on</h3>"
            "<p><strong>2:10 p.m.:</strong> The minister speaks.</p><p>More on that.</p>"
            "<p><strong>1:58 p.m.:</strong> We are waiting.</p>"
        )
        found = extract_page(html, fetched_at=FETCHED, tz=LONDON)
        assert found.method == "html:flat"
        assert [e.printed_time for e in found.entries] == ["1:58 p.m.", "2:10 p.m.", "2:24 p.m."]
        middle = found.entries[1]
        assert middle.headline == "Minister: talks will go on"
        assert middle.body_html == "<p>The minister speaks.</p><p>More on that.</p>"

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("2022-04-26T14:24:00+02:00", "2022-04-26T14:24:00+02:00"),
            ("2022-04-26T12:24:00Z", "2022-04-26T12:24:00+00:00"),
            ("2022-04-26T14:24:00+0200", "2022-04-26T14:24:00+02:00"),
            ("2022-04-26 14:24", "2022-04-26T14:24:00+01:00"),
            ("1650975840", "2022-04-26T12:24:00+00:00"),
            ("1650975840000", "2022-04-26T12:24:00+00:00"),
            ("Tue, 26 Apr 2022 12:24:00 GMT", "2022-04-26T12:24:00+00:00"),
            ("2022-04-26", None),
            ("12345", None),
            ("soon", None),
        ],
    )
    def test_stamps(self, value: str, expected: str | None) -> None:
        """Attribute stamps: ISO 8601, Unix seconds or milliseconds, RFC 2822; not bare dates."""
        found = parse_stamp(value, LONDON)
        assert (found.isoformat() if found else None) == expected

    @pytest.mark.parametrize(
        ("text", "minutes"),
        [("20m ago", 20), ("2 hours ago", 120), ("an hour ago", 60), ("vor 5 Minuten", 5),
         ("just now", 0), ("20 minutes", None)],
    )  # fmt: skip
    def test_relative(self, text: str, minutes: int | None) -> None:
        """Relative times in English and German."""
        delta = relative_delta(text)
        assert (delta.total_seconds() / 60 if delta is not None else None) == minutes

    @pytest.mark.parametrize(
        "text",
        ["Tuesday, 26 April 2022", "April 26, 2022", "26. April 2022", "26.04.2022", "2022-04-26",
         "Dienstag, 26. April 2022"],
    )  # fmt: skip
    def test_dates(self, text: str) -> None:
        """Day headers in the forms real sites print."""
        assert parse_date(text) == date(2022, 4, 26)


class TestProfiles:
    def test_builtin(self) -> None:
        """The WordPress Liveblog profile ships with liveblog."""
        assert "wordpress-liveblog" in builtin_profiles()
        assert load_profile("wordpress-liveblog").entry == ".liveblog-entry"

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("name: x\n", "entry"),
            ("name: x\nentry: 'div['\n", "not a CSS selector"),
            ("name: x\nentry: div\ncolour: red\n", "colour"),
            ("- a\n- b\n", "mapping"),
            ("name: [\n", "not valid YAML"),
        ],
    )
    def test_invalid_profiles(self, text: str, message: str, tmp_path: Path) -> None:
        """A broken profile is a ConfigError naming the fault."""
        path = tmp_path / "bad.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError, match=message):
            load_profile(str(path))

    def test_unknown_name(self) -> None:
        """An unknown profile name lists the built-in ones."""
        with pytest.raises(ConfigError, match="wordpress-liveblog"):
            load_profile("no-such-profile")
