"""A live session serving its web app on a free loopback port, for the web tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from connectors.sinks.sqlite import SqliteSink
from schemas.events import Subscription
from streams.core.clock import fixed_clock
from streams.core.settings import Settings
from streams.web.live import LiveOptions, LiveSession
from tests.test_streams.livedata import NOW, items, write_blog


@contextlib.asynccontextmanager
async def serving(
    tmp_path: Path,
    *,
    delays: Sequence[float] = (0.0,) * 8,
    subscriptions: Sequence[Subscription] = (),
    text: str | None = None,
    **settings: object,
) -> AsyncIterator[tuple[str, LiveSession]]:
    """Replay the invented blog (or `text`; paced by `delays`) while serving; yields the base
    URL."""
    blog = write_blog(tmp_path) if text is None else write_blog(tmp_path, text)
    db = str(tmp_path / "web.db")
    conf = Settings(db=db, web_host="127.0.0.1", **settings)  # type: ignore[arg-type]
    options = LiveOptions(subscriptions=list(subscriptions), serve=True, db=db, port=0)
    session = LiveSession(conf, [SqliteSink(db)], options, clock=fixed_clock(NOW))
    port: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(
        session.run(lambda: items(blog), list(delays), on_serving=port.set_result)
    )
    try:
        bound = await asyncio.wait_for(port, 10)
        yield f"http://127.0.0.1:{bound}", session
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def replayed(session: LiveSession, entries: int = 8, timeout: float = 20) -> None:
    """Wait until the replay has processed `entries` entries."""
    async with asyncio.timeout(timeout):
        while session.runner.stats.entries < entries:
            await asyncio.sleep(0.05)
