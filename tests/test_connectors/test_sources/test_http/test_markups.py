"""Publisher markups for live coverage, furniture and embedded posts (issue 12)."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from connectors.sources.http.extract import extract_page
from connectors.sources.http.extract.body import is_furniture_text
from connectors.sources.http.fetch import FetchPolicy
from connectors.sources.http.poller import HttpPoller
from streams.core.clock import fixed_clock
from tests.test_connectors._live import LivePage, fixture_text, serve

LONDON = ZoneInfo("Europe/London")


class TestMarkups:
    @pytest.mark.parametrize(
        ("fixture", "method", "expected"),
        [
            (
                "microdata-liveblog.html",
                "microdata",
                [
                    ("block-67d3d5c1e4b0a1f2c3d4e5a1", "2025-03-14T07:05:00+00:00", None),
                    (
                        "block-67d3e6b0e4b0a1f2c3d4e5a2",
                        "2025-03-14T08:46:00+00:00",
                        "Operator: no sailings before Sunday",
                    ),
                    ("block-67d3f9a2e4b0a1f2c3d4e5a3", "2025-03-14T10:05:00+00:00", None),
                    (
                        "block-67d40c51e4b0a1f2c3d4e5a4",
                        "2025-03-14T11:41:00+00:00",
                        "Union says talks will resume on Monday",
                    ),
                ],
            ),
            (
                "rdfa-liveblog.html",
                "microdata",
                [
                    ("update-900", "2025-02-26T17:31:00+00:00", None),
                    ("update-901", "2025-02-26T17:34:00+00:00", None),
                    ("update-902", "2025-02-26T18:40:00+00:00", None),
                    ("update-903", "2025-02-26T20:12:00+00:00", "Budget passes by two votes"),
                ],
            ),
            (
                "amp-live-list.html",
                "profile:amp-live-list",
                [
                    ("post-4401", "2025-05-03T14:05:00+01:00", None),
                    ("post-4406", "2025-05-03T14:40:00+01:00", "Half-time"),
                    ("post-4412", "2025-05-03T15:22:00+01:00", None),
                    (
                        "post-4417",
                        "2025-05-03T16:01:00+01:00",
                        "Full time: Harbour Town 2-1 Millbrook",
                    ),
                ],
            ),
            (
                "wordpress-liveblog.html",
                "profile:wordpress-liveblog",
                None,
            ),
        ],
    )
    def test_markup(
        self, fixture: str, method: str, expected: list[tuple[str, str, str | None]] | None
    ) -> None:
        """Each markup is recognised, and gives each entry its id, time and headline."""
        found = extract_page(
            fixture_text(fixture), fetched_at=datetime(2025, 9, 1, tzinfo=UTC), tz=LONDON
        )
        assert found.method == method
        if expected is None:
            assert len(found.entries) == 5
            assert all(e.time is not None and e.block_id for e in found.entries)
            return
        got = [
            (e.block_id, e.time.astimezone(LONDON).isoformat() if e.time else None, e.headline)
            for e in found.entries
        ]
        assert got == expected

    def test_microdata_body_is_the_article_body(self) -> None:
        """A microdata update's body is its `articleBody`: share bars, related links and the
        "Last updated" line stay out, the closing `<cite>` introduces the quote."""
        found = extract_page(
            fixture_text("microdata-liveblog.html"),
            fetched_at=datetime(2025, 9, 1, tzinfo=UTC),
            tz=LONDON,
        )
        union = found.entries[-1]
        assert "Share on" not in union.text and "pay dispute" not in union.text
        assert "<p>Regional organiser Ruth Kerrigan:</p><blockquote><p>“Nobody" in union.body_html
        assert "Last updated" not in found.entries[2].text


@pytest.fixture(name="page", scope="module")
def fixture_page() -> dict[str, str]:
    """The furniture fixture's entry bodies by block id."""
    found = extract_page(
        fixture_text("furniture-embeds.html"),
        fetched_at=datetime(2025, 6, 18, 16, tzinfo=UTC),
        tz=LONDON,
    )
    assert found.method == "html:blocks(article.live-block)"
    return {e.block_id or "": e.body_html for e in found.entries}


class TestFurniture:
    def test_related_box_is_no_entry(self, page: dict[str, str]) -> None:
        """A timed related-articles box in the stream is not an entry."""
        assert sorted(page) == ["post-3088", "post-3093", "post-3099", "post-3104"]

    @pytest.mark.parametrize(
        "furniture",
        [
            "Follow our coverage of the storm",  # repeated in every entry
            "More on this story",  # related links box
            "what we know so far",
            "Read more",
            "Nadia Brennan",  # author card
            "Last updated",
            "Sign up to First Edition",  # newsletter box
            "Copy link",  # share bar
            "A post shared by",  # Instagram caption
        ],
    )
    def test_furniture_dropped(self, page: dict[str, str], furniture: str) -> None:
        """Furniture found by structure or by repetition is not in any body."""
        assert all(furniture not in body for body in page.values())

    def test_cite_introduces_its_quote(self, page: dict[str, str]) -> None:
        """The `<cite>` closing a blockquote names its speaker and is no quotation."""
        assert (
            "<p>Mayor Jo Pellow:</p><blockquote><p>“Both of our rest centres" in page["post-3088"]
        )

    @pytest.mark.parametrize(
        ("entry", "fragment"),
        [
            (
                "post-3099",
                '<blockquote class="embed" data-embed="instagram"><p>High water at the slipway. '
                "Please stay away from the sea wall today. — Kellmouth Lifeboat (@kellmouthrnli)"
                "</p><cite>Kellmouth Lifeboat (@kellmouthrnli)</cite></blockquote>",
            ),
            ("post-3099", "<cite>North Coast Power (@northcoastpower.bsky.social)</cite>"),
            ("post-3093", "<cite>Kellmouth Coastguard (@KellmouthCG)</cite>"),
            (
                "post-3093",
                '<blockquote class="embed" data-embed="telegram" '
                'data-url="https://t.me/northcoastalerts/512" '
                'data-author="northcoastalerts (@northcoastalerts)"></blockquote>',
            ),
            (
                "post-3093",
                '<blockquote class="embed" data-embed="youtube" '
                'data-url="https://www.youtube.com/embed/Xk3vQ9zL0aB"></blockquote>',
            ),
        ],
    )
    def test_embeds_keep_their_author(
        self, page: dict[str, str], entry: str, fragment: str
    ) -> None:
        """Embedded posts are one element each with their author; a post without text is an
        empty element that only carries its link and author."""
        assert fragment in page[entry]

    @pytest.mark.parametrize(
        ("line", "furniture"),
        [
            ("Last updated: 14:52 BST, 18 June 2025", True),
            ("Last Updated: 13:07 GMT+1 Friday, 25 September 2015", True),
            ("Zuletzt aktualisiert am 11.02.2025 um 09:20 Uhr", True),
            ("Updated 9.41am", True),
            ("Read more: Storm Orla, what we know", True),
            ("Mehr zum Thema: Was Fahrgäste jetzt wissen müssen", True),
            ("Updated 2:15 p.m.: Police say the suspect is in custody.", False),
            ("Stand der Verhandlungen: beide Seiten wollen weiterreden.", False),
            ("The readout was updated at 3pm to add the minister's remarks.", False),
        ],
    )
    def test_furniture_lines(self, line: str, furniture: bool) -> None:
        """Stamps and link lead-ins are furniture; news that starts like them is not."""
        assert is_furniture_text(line) is furniture

    def test_pinned_copy_is_one_entry(self) -> None:
        """A pinned copy of a block (no id, same time and text) is not a second entry."""
        block = '<div class="b"{}><time datetime="2025-07-09T10:{:02d}:00Z">x</time><p>{}</p></div>'
        html = (
            "<html><body><div>"
            + block.format("", 30, "Pinned: the roads are closed.")
            + block.format(' id="b3"', 40, "Newest.")
            + block.format(' id="b2"', 30, "Pinned: the roads are closed.")
            + block.format(' id="b1"', 20, "Oldest.")
            + "</div></body></html>"
        )
        found = extract_page(html, fetched_at=datetime(2025, 7, 9, 12, tzinfo=UTC), tz=LONDON)
        assert [e.block_id for e in found.entries] == ["b1", "b2", "b3"]

    def test_short_repeated_lines_are_kept(self) -> None:
        """A short line that honestly recurs ("No run.") is not furniture."""
        blocks = "".join(
            f'<div class="e"><time datetime="2025-07-09T10:{m:02d}:00Z">x</time>'
            f"<p>Over {m}: dot ball.</p><p>No run.</p></div>"
            for m in range(10, 16)
        )
        found = extract_page(
            f"<html><body><div>{blocks}</div></body></html>",
            fetched_at=datetime(2025, 7, 9, 12, tzinfo=UTC),
            tz=LONDON,
        )
        assert all(e.text.endswith("No run.") for e in found.entries)


def _history_page(count: int, shown: int) -> str:
    """A page whose JSON-LD lists `count` updates over several days (newest first, one listed
    twice) while its HTML shows the newest `shown`."""
    start = datetime(2025, 8, 1, 6, tzinfo=UTC)
    updates = []
    blocks = []
    for n in range(count, 0, -1):
        when = start + timedelta(minutes=17 * n)
        ident = f"upd-{n:04d}"
        body = f"Update number {n}: the count of recovered containers has reached {n * 3}."
        updates.append(
            {
                "@type": "BlogPosting",
                "url": f"https://cargo.example/live#{ident}",
                "datePublished": when.isoformat(),
                "headline": "Container ship aground – live",
                "articleBody": body,
            }
        )
        if count - n < shown:
            blocks.append(
                f'<article class="post" id="{ident}"><time datetime="{when.isoformat()}">'
                f"{when:%H:%M}</time><p>{body}</p></article>"
            )
    updates.insert(5, dict(updates[5]))
    posting = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "headline": "Container ship aground – live",
        "datePublished": start.isoformat(),
        "liveBlogUpdate": updates,
    }
    return (
        '<html lang="en"><head><script type="application/ld+json">'
        f"{json.dumps(posting)}</script></head><body><main>{''.join(blocks)}</main></body></html>"
    )


class TestHistory:
    def test_hundreds_of_updates_ordered_once(self) -> None:
        """428 JSON-LD updates (30 shown in the HTML, one listed twice) come out once each,
        oldest first, HTML and JSON-LD entries interleaved by time."""
        found = extract_page(
            _history_page(428, 30), fetched_at=datetime(2025, 8, 9, tzinfo=UTC), tz=LONDON
        )
        ids = [e.block_id for e in found.entries]
        assert ids == [f"upd-{n:04d}" for n in range(1, 429)]
        times = [e.time for e in found.entries]
        assert all(a < b for a, b in itertools.pairwise(times))  # type: ignore[operator]
        assert sum(1 for e in found.entries if e.sources.get("json-ld") == "matched") == 30

    async def test_cursor_stays_small(self) -> None:
        """Polled twice, the page emits its 428 entries once, numbered in order; an added update
        is one more; the cursor holds under 200 bytes per entry."""
        page = LivePage(_history_page(428, 30), None)
        async with serve(page.app()) as base, httpx.AsyncClient() as client:
            poller = HttpPoller(
                f"{base}/live",
                "cargo",
                client=client,
                interval=1,
                policy=FetchPolicy(user_agent="liveblog-test/1", timeout=10),
                timezone="Europe/London",
                clock=fixed_clock(datetime(2025, 8, 9, tzinfo=UTC)),
            )
            first = await poller.next_item()
            assert [r.seq for r in first] == list(range(428))
            assert [r.hints.block_id for r in first] == [f"upd-{n:04d}" for n in range(1, 429)]
            assert await poller.next_item() == []
            page.html = _history_page(429, 30)
            page.change()
            third = await poller.next_item()
            assert [(r.hints.block_id, r.seq, r.version) for r in third] == [("upd-0429", 428, 1)]
        size = len(json.dumps(poller.snapshot()))
        assert size < 200 * 429, size
