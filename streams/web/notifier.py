"""Wakes the feeds when the feed log grows: in-process after a write, or by polling the file."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3

from connectors.sinks.feedlog import FeedLog

__all__ = ["Notifier"]


class Notifier:
    """A version number that feeds wait on; `bump` wakes every waiter."""

    def __init__(self) -> None:
        self.version = 0
        self._event = asyncio.Event()

    def bump(self, version: int) -> None:
        if version <= self.version:
            return
        self.version = version
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait(self, seen: int, timeout: float) -> bool:
        """Wait until the version is above `seen`; False when `timeout` passed first."""
        if self.version > seen:
            return True
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return self.version > seen
        return True

    async def poll(self, log: FeedLog, interval: float = 0.5) -> None:
        """Bump from the feed log's last sequence number, for writers in other processes."""
        while True:
            with contextlib.suppress(sqlite3.Error):
                self.bump(log.last_seq())
            await asyncio.sleep(interval)
