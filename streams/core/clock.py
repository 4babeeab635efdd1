"""The injectable clock: stages never read the time themselves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

__all__ = ["Clock", "fixed_clock", "system_clock"]

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """Now, tz-aware, in UTC."""
    return datetime.now(UTC)


def fixed_clock(when: datetime) -> Clock:
    """A clock that always says `when` (for tests and reproducible replays)."""
    return lambda: when
