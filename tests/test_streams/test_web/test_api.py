"""The HTTP API: subscriptions behind a bearer token, quote history, entry pages."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from streams.web import CSP
from tests.test_streams.livedata import QUOTES
from tests.test_streams.test_web.serving import replayed, serving

TOKEN = "test-token-1234"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class TestSubscriptionsApi:
    async def test_crud_with_token(self, tmp_path: Path) -> None:
        """Create, list, get and delete need the token; notify URLs come back redacted."""
        async with (
            serving(tmp_path, api_token=TOKEN) as (url, session),
            aiohttp.ClientSession() as http,
        ):
            api = f"{url}/api/subscriptions"
            body = {
                "id": "okafor-rent",
                "filter": "speaker:okafor rent",
                "notify": ["json://127.0.0.1:9/secret-hook"],
            }
            async with http.post(api, json=body) as resp:
                assert resp.status == 401
            async with http.post(api, json=body, headers={"Authorization": "Bearer nope"}) as r:
                assert r.status == 401
            async with http.post(api, json=body, headers=AUTH) as resp:
                assert resp.status == 201
                made = await resp.json()
            assert "secret-hook" not in str(made)
            assert session.matcher.get("okafor-rent") is not None
            async with http.get(api, headers=AUTH) as resp:
                listed = await resp.json()
            assert [s["id"] for s in listed] == ["okafor-rent"]
            async with http.get(f"{api}/okafor-rent", headers=AUTH) as resp:
                assert (await resp.json())["filter"] == "speaker:okafor rent"
            async with http.delete(f"{api}/okafor-rent", headers=AUTH) as resp:
                assert resp.status == 204
            async with http.delete(f"{api}/okafor-rent", headers=AUTH) as resp:
                assert resp.status == 404
            assert session.matcher.get("okafor-rent") is None
            assert session.store is not None and session.store.all() == []

    async def test_bad_filter_points_at_position(self, tmp_path: Path) -> None:
        """A filter that does not parse is refused with its message and position."""
        async with serving(tmp_path, api_token=TOKEN) as (url, _), aiohttp.ClientSession() as http:
            body = {"id": "bad", "filter": "speaker:okafor (rent"}
            async with http.post(f"{url}/api/subscriptions", json=body, headers=AUTH) as resp:
                assert resp.status == 400
                data = await resp.json()
            assert data["position"] == 15
            assert "unclosed" in data["error"]
            async with http.post(
                f"{url}/api/subscriptions", data=b"{not json", headers=AUTH
            ) as resp:
                assert resp.status == 400

    async def test_api_off_without_token(self, tmp_path: Path) -> None:
        """With no token configured the subscriptions API answers 503."""
        async with (
            serving(tmp_path) as (url, _),
            aiohttp.ClientSession() as http,
            http.get(f"{url}/api/subscriptions") as resp,
        ):
            assert resp.status == 503


class TestHistoryApi:
    async def test_quotes_filtered_and_paged(self, tmp_path: Path) -> None:
        """History comes from the sink database, filtered, in pages with a cursor."""
        async with serving(tmp_path) as (url, session), aiohttp.ClientSession() as http:
            await replayed(session)
            async with http.get(f"{url}/api/quotes", params={"filter": "speaker:okafor"}) as r:
                data = await r.json()
            assert {q["speaker"]["id"] for q in data["quotes"]} == {"okafor"}
            assert len(data["quotes"]) == 5
            seen: list[str] = []
            cursor: str | None = "0"
            while cursor is not None:
                params = {"limit": "4", "cursor": cursor}
                async with http.get(f"{url}/api/quotes", params=params) as r:
                    page = await r.json()
                seen.extend(q["quote_id"] for q in page["quotes"])
                cursor = None if page["next_cursor"] is None else str(page["next_cursor"])
            assert len(seen) == len(set(seen)) == QUOTES
            since = {"since": "2024-05-01T16:00:00+01:00"}
            async with http.get(f"{url}/api/quotes", params=since) as r:
                late = await r.json()
            assert [q["text"] for q in late["quotes"]] == [
                "<script>window.pwned = 1</script> is what they hide",
                "The rent cap starts in June",
            ]  # `onerror="window.pwned = 2"` is an attribute value, no quotation
            async with http.get(f"{url}/api/quotes", params={"since": "yesterday"}) as r:
                assert r.status == 400


class TestPages:
    async def test_page_and_entry_escaped_under_csp(self, tmp_path: Path) -> None:
        """The page and entry pages carry the strict CSP; entry text is escaped."""
        async with serving(tmp_path) as (url, session), aiohttp.ClientSession() as http:
            await replayed(session)
            async with http.get(f"{url}/") as resp:
                assert resp.headers["Content-Security-Policy"] == CSP
                assert "script-src 'self'" in CSP
                assert '<script src="/static/app.js"' in await resp.text()
            async with http.get(f"{url}/api/quotes", params={"filter": "pwned"}) as r:
                entry_id = (await r.json())["quotes"][0]["entry_id"]
            async with http.get(f"{url}/entries/{entry_id}") as resp:
                page = await resp.text()
                assert resp.headers["Content-Security-Policy"] == CSP
            assert "<script>window" not in page
            assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in page
            assert "<img" not in page
            assert "&lt;img src=x onerror=" in page
            async with http.get(f"{url}/static/../settings.py") as resp:
                assert resp.status == 404


class TestDeskApi:
    async def test_alerts_carry_their_delivery_state(self, tmp_path: Path) -> None:
        """An alert whose target failed after every retry says `failed` with the reason; one of
        a subscription without a target says `no-target`."""
        import asyncio

        from schemas.events import Subscription

        subs = [
            Subscription(id="dead", filter="speaker:okafor", notify=("json://127.0.0.1:9/x",)),
            Subscription(id="quiet", filter="speaker:bello"),
        ]
        async with (
            serving(
                tmp_path,
                subscriptions=subs,
                delivery_attempts=1,
                delivery_backoff=0.01,
                delivery_timeout=2,
            ) as (url, session),
            aiohttp.ClientSession() as http,
        ):
            await replayed(session)
            states: dict[str, set[str]] = {}
            async with asyncio.timeout(30):
                while "failed" not in states.get("dead", set()):
                    async with http.get(f"{url}/api/alerts") as r:
                        alerts = (await r.json())["alerts"]
                    states = {}
                    for a in alerts:
                        states.setdefault(a["subscription_id"], set()).add(a["delivery"]["state"])
                    await asyncio.sleep(0.1)
            assert states["quiet"] == {"no-target"}
            failed = [a for a in alerts if a["delivery"]["state"] == "failed"]
            assert all("failed after 1 attempts" in a["delivery"]["reason"] for a in failed)
            assert "127.0.0.1:9/x" not in str(alerts)  # the target stays redacted

    async def test_blogs_speakers_and_entries(self, tmp_path: Path) -> None:
        """The desk's panels: the blog with its counts, speakers with counts, entries in order,
        one blog at a time."""
        async with serving(tmp_path) as (url, session), aiohttp.ClientSession() as http:
            await replayed(session)
            async with http.get(f"{url}/api/blogs") as r:
                (blog,) = (await r.json())["blogs"]
            assert (blog["blog_id"], blog["entries"], blog["quotes"]) == (
                "city-budget-live",
                8,
                QUOTES,
            )
            async with http.get(f"{url}/api/speakers") as r:
                counts = {s["id"]: s["quotes"] for s in (await r.json())["speakers"]}
            assert counts["okafor"] == 5 and counts["bello"] >= 3
            async with http.get(f"{url}/api/speakers", params={"blog": "other"}) as r:
                assert (await r.json())["speakers"] == []
            async with http.get(f"{url}/api/entries", params={"limit": "3"}) as r:
                page = await r.json()
            assert len(page["entries"]) == 3 and page["next_cursor"] is not None
            times = [e["published_at"] for e in page["entries"]]
            assert times == sorted(times)
