"""Filters over the length bound are a 400 with the reason on every endpoint, never a 500."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from streams.alerts.filters import MAX_FILTER_CHARS
from tests.test_streams.test_web.serving import replayed, serving

LONG = "a" * (MAX_FILTER_CHARS + 1)


class TestLongFilters:
    @pytest.mark.parametrize("path", ["/api/filters/check", "/api/quotes", "/feeds/quotes"])
    async def test_filter_over_the_bound_is_a_400(self, tmp_path: Path, path: str) -> None:
        """A filter one character over the bound gets HTTP 400 naming the bound."""
        async with serving(tmp_path) as (base, session), aiohttp.ClientSession() as http:
            await replayed(session)
            async with http.get(f"{base}{path}", params={"filter": LONG}) as response:
                assert response.status == 400
                body = await response.json()
        assert f"longer than {MAX_FILTER_CHARS} characters" in body["error"]
