"""Fixtures of the integration tier: a broker of one test's own, to stop and start."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.kafka_support import KAFKA, kafka_script


@pytest.fixture(name="own_broker")
def fixture_own_broker() -> Iterator[tuple[str, Path]]:
    """A broker of this test alone (it is stopped and started): bootstrap and state dir."""
    state = Path(tempfile.mkdtemp(prefix="liveblog-fault-kafka-"))
    try:
        yield kafka_script("start", state=state), state
    finally:
        subprocess.run([KAFKA, "stop", "--dir", str(state)], capture_output=True, check=False)
        shutil.rmtree(state, ignore_errors=True)
