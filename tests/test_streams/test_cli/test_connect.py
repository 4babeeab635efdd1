"""`liveblog connect`: a polled page scores the same as the same blog replayed from text."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from connectors.sources.files import FileSource
from streams.cli.replay import build_meta
from streams.core.timefmt import leading_time
from streams.pipeline.evaluation import score
from tests.conftest import GOLD, ROOT, SEED
from tests.test_connectors._live import FIXTURES


def _seed_page() -> str:
    """The seed's entries as a publisher would serve them: newest first, one <article> per
    entry with an id and a <time datetime>, quote blocks as <blockquote>, and JSON-LD whose
    updates repeat the page's own headline and publish time (as real sites do)."""
    meta = build_meta(SEED, blog=None, date=None, tz=None, order=None)
    assert meta.date is not None and meta.timezone
    source = FileSource(
        SEED, meta, max_bytes=10**7, max_entry_chars=10**6, fetched_at=datetime.now(UTC)
    )
    zone = ZoneInfo(meta.timezone)
    articles: list[str] = []
    updates: list[dict[str, Any]] = []
    blocks = source.blocks()
    for index, block in enumerate(blocks):
        when = block.time.to_datetime(meta.date, zone)
        body: list[str] = []
        plain: list[str] = []
        for i, paragraph in enumerate(block.paragraphs):
            stamp = leading_time(paragraph) if i == 0 else None
            text = paragraph[stamp.end :].strip() if stamp else paragraph
            if not text:
                continue
            if text.startswith(">"):
                lines = [line.lstrip("> ").strip() for line in text.splitlines()]
                body.append(f"<blockquote><p>{escape(' '.join(lines))}</p></blockquote>")
            else:
                body.append(f"<p>{escape(text)}</p>")
            plain.append(text)
        headline = (
            f'<h2 class="entry-title">{escape(block.headline)}</h2>' if block.headline else ""
        )
        articles.append(
            f'<article class="live-entry" id="entry-{index}">'
            f'<header class="entry-meta"><time datetime="{when.isoformat()}">'
            f"{escape(block.time.printed)}</time>{headline}</header>"
            f'<div class="entry-body">{"".join(body)}</div>'
            f'<footer class="entry-footer"><a href="#entry-{index}">Link</a></footer></article>'
        )
        updates.append(
            {
                "@type": "BlogPosting",
                "headline": meta.title,
                "datePublished": "2022-04-26T10:00:00+02:00",
                "url": f"https://ticker.example/live#entry-{index}",
                "articleBody": "\n".join(plain),
            }
        )
    posting = {
        "@context": "https://schema.org",
        "@type": "LiveBlogPosting",
        "headline": meta.title,
        "datePublished": "2022-04-26T10:00:00+02:00",
        "liveBlogUpdate": list(reversed(updates)),
    }
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(meta.title or '')}</title>"
        f'<script type="application/ld+json">{json.dumps(posting, ensure_ascii=False)}</script>'
        f'</head><body><main><h1>{escape(meta.title or "")}</h1><div class="ticker">'
        + "".join(reversed(articles))
        + "</div></main></body></html>"
    )


@pytest.fixture(name="loopback", scope="module")
def fixture_loopback() -> Iterator[str]:
    """A threaded HTTP server on 127.0.0.1 serving the seed page and the fixtures."""
    pages = {"/seed": _seed_page().encode("utf-8")}
    for path in FIXTURES.glob("*.html"):
        pages[f"/{path.stem}"] = path.read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body or b"not found")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _cli(
    *args: str, cwd: Path = ROOT, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from streams.cli import main; main()", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


class TestConnectHttp:
    def test_polled_page_scores_like_the_text_replay(self, loopback: str) -> None:
        """The seed served as HTML with JSON-LD, polled once with --tz, gives the same aligned
        entries and quote-speaker F1 as replaying the text file."""
        polled = _cli(
            "connect", "http", f"{loopback}/seed", "--blog", "focus-guterres-lavrov",
            "--once", "--tz", "Europe/Berlin", "--output", "-",
        )  # fmt: skip
        assert polled.returncode == 0, polled.stderr
        replayed = _cli("replay", str(SEED), "--output", "-", "--no-db")
        assert replayed.returncode == 0, replayed.stderr
        gold = json.loads(GOLD.read_text(encoding="utf-8"))
        http_entries, text_entries = _jsonl(polled.stdout), _jsonl(replayed.stdout)
        http_score, text_score = score(gold, http_entries), score(gold, text_entries)
        assert http_score["entries"] == text_score["entries"]
        assert http_score["entries"]["aligned"] == len(gold["entries"])
        assert http_score["quotes"]["f1"] == text_score["quotes"]["f1"]
        assert http_score["speakers"] == text_score["speakers"]
        assert [e["published_at"] for e in http_entries] == [
            e["published_at"] for e in text_entries
        ]
        assert all(e["published_at"].endswith("+02:00") for e in http_entries)

    def test_explain_names_field_sources(self, loopback: str) -> None:
        """--explain prints each extracted field's source and the JSON-LD notes."""
        done = _cli(
            "connect", "http", f"{loopback}/jsonld-copied-fields", "--blog", "b", "--explain"
        )
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        assert report["method"].startswith("json-ld+html")
        assert any("headline" in note for note in report["notes"])
        assert report["entries"][-1]["sources"]["time"] == "html:time@datetime"

    def test_explain_names_the_time_winner(self, loopback: str) -> None:
        """--explain says which source gave each entry's time and which one it overruled."""
        done = _cli(
            "connect", "http", f"{loopback}/jsonld-update-times", "--blog", "b",
            "--tz", "Europe/London", "--explain",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        first = json.loads(done.stdout)["entries"][0]
        assert first["time"] == "2025-04-09T13:30:00+00:00"
        assert first["sources"]["time"] == "json-ld:datePublished"
        assert first["sources"]["time-overruled"] == "html:printed 9:30"

    def test_embeds_and_cites_through_the_pipeline(self, loopback: str) -> None:
        """An embedded post's words are its author's, a `<cite>` names its quote's speaker, and
        furniture yields no quotes."""
        done = _cli(
            "connect", "http", f"{loopback}/furniture-embeds", "--blog", "storm",
            "--once", "--tz", "Europe/London", "--output", "-",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        quotes = {
            q["text"][:30]: (q.get("speaker") or {}).get("name")
            for entry in _jsonl(done.stdout)
            for q in entry["quotes"]
        }
        assert quotes["Both of our rest centres are f"] == "Jo Pellow"
        assert quotes["High water at the slipway. Ple"] == "Kellmouth Lifeboat"
        assert quotes["Waves are overtopping the prom"] == "Kellmouth Coastguard"
        assert not any("Pellow" in text or "shared by" in text for text in quotes)

    def test_custom_page_without_its_profile_has_times(self, loopback: str) -> None:
        """`profile-custom.html` read without its profile: every entry has a `published_at`."""
        done = _cli(
            "connect", "http", f"{loopback}/profile-custom", "--blog", "spill",
            "--once", "--tz", "Europe/London", "--output", "-",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        stamps = [e["published_at"] for e in _jsonl(done.stdout)]
        assert len(stamps) == 5
        assert stamps[-1] == "2025-06-18T15:51:00+01:00"

    def test_sources_file_and_cursor(self, loopback: str, tmp_path: Path) -> None:
        """`connect FILE.yaml --once` polls every listed source (a broken one is reported, the
        others still flow) and with --state a second run emits nothing."""
        listing = tmp_path / "sources.yaml"
        listing.write_text(
            "defaults:\n  tz: Europe/London\nsources:\n"
            f"  - url: {loopback}/block-id-time\n    blog: storm\n"
            f"  - url: {loopback}/missing\n    blog: gone\n"
            f"  - url: {loopback}/profile-custom\n    blog: spill\n"
            f"    profile: {FIXTURES / 'profile-custom.yaml'}\n",
            encoding="utf-8",
        )
        state = tmp_path / "cursor.json"
        args = ("connect", str(listing), "--once", "--output", "-", "--state", str(state))
        first = _cli(*args)
        assert first.returncode == 1, "the missing page makes the run fail after the others"
        blogs = [e["blog_id"] for e in _jsonl(first.stdout)]
        assert blogs.count("storm") == 7 and blogs.count("spill") == 5
        second = _cli(*args)
        assert _jsonl(second.stdout) == []

    def test_stdin_text(self) -> None:
        """`connect stdin` runs piped live-blog text through the pipeline like a replay."""
        text = SEED.read_text(encoding="utf-8")
        done = _cli(
            "connect", "stdin", "--blog", "seed", "--date", "2022-04-26", "--tz", "Europe/Berlin",
            "--order", "newest-first", "--output", "-", "--no-db", stdin=text,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        entries = _jsonl(done.stdout)
        assert len(entries) == 35
        assert (
            score(json.loads(GOLD.read_text(encoding="utf-8")), entries)["entries"]["aligned"] >= 30
        )


@pytest.mark.integration
class TestConnectBroker:
    async def test_raw_entries_produced(
        self, loopback: str, kafka_bootstrap: str, unique: str
    ) -> None:
        """With --broker the polled entries are produced onto the raw topic, keyed by blog."""
        import asyncio
        import os

        from aiokafka import AIOKafkaConsumer

        from schemas.codec import decode
        from schemas.events import RawEntry

        env = {**os.environ, "LIVEBLOG_TOPIC_PREFIX": f"t{unique}"}
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-c", "from streams.cli import main; main()", "connect", "http",
             f"{loopback}/wordpress-liveblog", "--blog", "marathon", "--once",
             "--broker", f"kafka://{kafka_bootstrap}"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        from streams.core.topics import TopicNames

        consumer = AIOKafkaConsumer(
            TopicNames(f"t{unique}").raw,
            bootstrap_servers=kafka_bootstrap,
            group_id=f"g{unique}",
            auto_offset_reset="earliest",
        )
        await consumer.start()
        records = []
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 30
            while len(records) < 5 and loop.time() < deadline:
                batches = await consumer.getmany(timeout_ms=1000)
                records += [r for batch in batches.values() for r in batch]
        finally:
            await consumer.stop()
        assert "produced 5 raw entries" in done.stderr
        raws = [decode(RawEntry, r.value) for r in records if r.value is not None]
        assert len(raws) == 5
        assert {r.key for r in records} == {b"marathon"}
        assert all(r.content_type == "html" and r.hints.time is not None for r in raws)
