"""Fixtures of the web tests."""

from __future__ import annotations

import pytest
import structlog


@pytest.fixture(autouse=True)
def fixture_fresh_logging() -> None:
    """structlog as by default, whatever an earlier CLI test configured (its stderr is gone)."""
    structlog.reset_defaults()
