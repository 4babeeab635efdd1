"""Push ingest over HTTP (bearer token, JSON or text, bounded) and the stdin text splitter."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from aiohttp import web

from connectors.sources.cursor import CursorFile
from connectors.sources.push import PushIngest, TextStream, entries_from_json, ingest_app
from schemas.events import RawEntry
from schemas.exceptions import SchemaError, SinkError
from streams.core.clock import fixed_clock
from streams.core.settings import Settings
from tests.conftest import SEED
from tests.test_connectors._live import serve

TOKEN = "s3cret-token-for-tests"
NOW = datetime(2025, 6, 18, 14, 0, tzinfo=UTC)


def _ingest(token: str | None, got: list[RawEntry], max_bytes: int = 10_000) -> PushIngest:
    async def emit(items: Sequence[RawEntry]) -> None:
        got.extend(items)

    settings = Settings(api_token=token, _env_file=None)  # type: ignore[call-arg]
    return PushIngest(settings, emit, clock=fixed_clock(NOW), max_bytes=max_bytes)


class TestPushEndpoint:
    @pytest.mark.parametrize(
        ("header", "status"),
        [
            (None, 401),
            ("Bearer wrong-token", 401),
            ("Basic " + TOKEN, 401),
            (f"Bearer {TOKEN}", 202),
        ],
    )
    async def test_bearer_token(self, header: str | None, status: int) -> None:
        """Only the configured bearer token is accepted; nothing is emitted otherwise."""
        got: list[RawEntry] = []
        headers = {"Authorization": header} if header else {}
        async with serve(ingest_app(_ingest(TOKEN, got))) as base, httpx.AsyncClient() as c:
            response = await c.post(
                f"{base}/ingest/storm", json={"id": "a1", "text": "Hello."}, headers=headers
            )
        assert response.status_code == status
        assert len(got) == (1 if status == 202 else 0)
        if status == 401:
            assert response.headers["WWW-Authenticate"].startswith("Bearer")

    async def test_off_without_a_token(self) -> None:
        """With no token configured the endpoint refuses every request."""
        async with serve(ingest_app(_ingest(None, []))) as base, httpx.AsyncClient() as c:
            response = await c.post(
                f"{base}/ingest/storm", json={"text": "x"}, headers={"Authorization": "Bearer x"}
            )
        assert response.status_code == 503

    async def test_json_new_then_changed(self) -> None:
        """An entry posted twice is emitted once; posted with other text it is version 2."""
        got: list[RawEntry] = []
        auth = {"Authorization": f"Bearer {TOKEN}"}
        entry = {
            "id": "u-1",
            "headline": "Ferries cancelled",
            "time": "2025-06-18T11:02:00+01:00",
            "text": "Every crossing is cancelled.\n> “Not today,” the operator said.",
        }
        async with serve(ingest_app(_ingest(TOKEN, got))) as base, httpx.AsyncClient() as c:
            first = await c.post(f"{base}/ingest/storm", json=[entry], headers=auth)
            again = await c.post(f"{base}/ingest/storm", json={"entries": [entry]}, headers=auth)
            edited = await c.post(
                f"{base}/ingest/storm",
                json={**entry, "text": "Crossings resume at 7am."},
                headers=auth,
            )
        assert first.json()["new"] == 1
        assert again.json() == {**again.json(), "new": 0, "unchanged": 1}
        assert edited.json()["changed"] == 1
        assert [r.version for r in got] == [1, 2]
        assert got[0].hints.time == datetime.fromisoformat("2025-06-18T11:02:00+01:00")
        assert "<blockquote>" in got[0].raw

    async def test_text_body_is_cut_at_printed_times(self) -> None:
        """A text body holding several timed entries becomes several entries."""
        got: list[RawEntry] = []
        text = "14:24 Uhr: The meeting is over.\n\n14:10 Uhr: Talks resume after a break.\n"
        async with serve(ingest_app(_ingest(TOKEN, got))) as base, httpx.AsyncClient() as c:
            response = await c.post(
                f"{base}/ingest/storm",
                content=text.encode(),
                headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/plain"},
            )
        assert response.status_code == 202
        assert [r.hints.printed_time for r in got] == ["14:10 Uhr", "14:24 Uhr"]

    @pytest.mark.parametrize(
        ("body", "content_type", "status"),
        [
            (b"x" * 20_000, "text/plain", 413),
            (b"{not json", "application/json", 400),
            (b'{"text": "a", "html": "<p>b</p>"}', "application/json", 422),
            (b'{"text": "a", "colour": "red"}', "application/json", 422),
            (b"\xff\xfe\x00", "text/plain", 400),
            (b"<p>x</p>", "image/png", 415),
        ],
    )
    async def test_bad_bodies(self, body: bytes, content_type: str, status: int) -> None:
        """Oversized, malformed or unknown bodies get a clear 4xx and emit nothing."""
        got: list[RawEntry] = []
        async with serve(ingest_app(_ingest(TOKEN, got))) as base, httpx.AsyncClient() as c:
            response = await c.post(
                f"{base}/ingest/storm",
                content=body,
                headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": content_type},
            )
        assert response.status_code == status
        assert "error" in response.json()
        assert got == []

    async def test_routes_mount_on_another_app(self) -> None:
        """The handler's routes can be added to an existing aiohttp app."""
        got: list[RawEntry] = []
        app = web.Application()
        app.add_routes(_ingest(TOKEN, got).routes())
        async with serve(app) as base, httpx.AsyncClient() as c:
            response = await c.post(
                f"{base}/ingest/other-blog",
                json={"html": "<p>Hello <b>there</b>.</p><script>x()</script>"},
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
        assert response.status_code == 202
        assert got[0].raw == "<p>Hello there.</p>"
        assert got[0].blog_id == "other-blog"


class TestFailedEmit:
    async def test_a_failed_push_is_accepted_again_on_retry(self, tmp_path: Path) -> None:
        """When the emit fails (the broker did not take the entry) the client gets 503 and the
        cursor stays put, in memory and on disk: the retry is emitted as new, with the same seq."""
        got: list[RawEntry] = []
        broken = [True]

        async def emit(items: Sequence[RawEntry]) -> None:
            if broken[0]:
                raise SinkError("Kafka did not take 1 of 1 records: KafkaTimeoutError()")
            got.extend(items)

        store = CursorFile(tmp_path / "push.json")
        settings = Settings(api_token=TOKEN, _env_file=None)  # type: ignore[call-arg]
        ingest = PushIngest(settings, emit, clock=fixed_clock(NOW), store=store)
        auth = {"Authorization": f"Bearer {TOKEN}"}
        entry = {"id": "u-1", "text": "Every crossing is cancelled."}
        async with serve(ingest_app(ingest)) as base, httpx.AsyncClient() as c:
            failed = await c.post(f"{base}/ingest/storm", json=entry, headers=auth)
            assert failed.status_code == 503
            assert "retry" in failed.json()["error"] and failed.headers["Retry-After"]
            assert store.load("push:storm") is None
            broken[0] = False
            retried = await c.post(f"{base}/ingest/storm", json=entry, headers=auth)
            again = await c.post(f"{base}/ingest/storm", json=entry, headers=auth)
        assert retried.status_code == 202
        assert retried.json()["new"] == 1 and retried.json()["seq"] == [0]
        assert again.json()["unchanged"] == 1
        assert [(r.hints.block_id, r.seq) for r in got] == [("u-1", 0)]
        assert CursorFile(tmp_path / "push.json").load("push:storm") is not None

    async def test_concurrent_pushes_of_one_blog_number_entries_once(self) -> None:
        """Two pushes of one blog racing through a slow emit get distinct seqs, each entry once."""
        got: list[RawEntry] = []
        release = asyncio.Event()

        async def emit(items: Sequence[RawEntry]) -> None:
            await release.wait()
            got.extend(items)

        settings = Settings(api_token=TOKEN, _env_file=None)  # type: ignore[call-arg]
        ingest = PushIngest(settings, emit, clock=fixed_clock(NOW))
        entries = entries_from_json([{"id": "a", "text": "One."}, {"id": "b", "text": "Two."}])
        first = asyncio.create_task(ingest.accept("storm", entries[:1]))
        second = asyncio.create_task(ingest.accept("storm", entries))
        release.set()
        results = await asyncio.wait_for(asyncio.gather(first, second), 10)
        assert [r.hints.block_id for r in got] == ["a", "b"]
        assert [r.seq for r in got] == [0, 1]
        assert results[1]["unchanged"] == 1


class TestJsonItems:
    def test_first_fault_is_named(self) -> None:
        """An invalid item names its position and field."""
        with pytest.raises(SchemaError, match=r"entry 1: time"):
            entries_from_json([{"text": "ok"}, {"text": "x", "time": "2025-06-18T10:00:00"}])


class TestTextStream:
    def test_seed_text_splits_like_the_file_source(self) -> None:
        """Live-blog text piped in line by line gives one entry per timed block, with headline
        lines attached to the entry below them."""
        from connectors.sources.blocks import split_blocks

        stream = TextStream()
        lines = SEED.read_text(encoding="utf-8").splitlines()
        entries = [e for line in lines for e in stream.feed(line)] + stream.close()
        _, blocks = split_blocks(SEED.read_text(encoding="utf-8"))
        assert [e.printed_time for e in entries] == [b.time.printed for b in blocks]
        assert [e.headline for e in entries] == [b.headline for b in blocks]
