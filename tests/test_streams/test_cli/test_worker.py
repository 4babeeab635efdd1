"""The Kafka commands' contract without a broker: options, filters, one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from schemas.events import SpeakerRef
from streams.cli.worker import speaker_matches
from tests.conftest import SEED

CLI = str(Path(sys.executable).parent / "liveblog")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=60, check=False)


class TestSpeakerFilter:
    @pytest.mark.parametrize(
        ("wanted", "ref", "expected"),
        [
            ("okafor", SpeakerRef(id="okafor", name="Maria Okafor"), True),
            ("Maria Okafor", SpeakerRef(id="okafor", name="Maria Okafor"), True),
            ("OKAFÓR", SpeakerRef(id="okafor", name="Maria Okafor"), True),
            ("maria", SpeakerRef(id="okafor", name="Maria Okafor"), True),
            ("okaf", SpeakerRef(id="okafor", name="Maria Okafor"), False),
            ("brenner", SpeakerRef(id="okafor", name="Maria Okafor"), False),
            ("okafor", None, False),
        ],
    )
    def test_matches_id_or_every_word_of_the_name(
        self, wanted: str, ref: SpeakerRef | None, expected: bool
    ) -> None:
        """`--speaker` matches the speaker's id or all the words of their name, accents folded."""
        assert speaker_matches(wanted, ref) is expected


class TestCommands:
    @pytest.mark.parametrize(
        ("command", "options"),
        [
            (["worker"], ["--broker", "--prefix", "--app-id", "--metrics-port"]),
            (["sink"], ["--db", "--group", "--batch-size", "--until-idle"]),
            (["tail"], ["--speaker", "--from-beginning", "--max", "--json"]),
            (["replay"], ["--broker"]),
            (["dev", "kafka"], ["start", "stop"]),
        ],
    )
    def test_help_lists_the_options(self, command: list[str], options: list[str]) -> None:
        """Each Kafka command documents its options."""
        done = _run(*command, "--help")
        assert done.returncode == 0, done.stderr
        for option in options:
            assert option in done.stdout

    @pytest.mark.parametrize("broker", ["kafka://no-port", "http://127.0.0.1:9092"])
    def test_bad_broker_is_one_line(self, broker: str) -> None:
        """`replay --broker` with a malformed URL fails with one line and no traceback."""
        done = _run("replay", str(SEED), "--broker", broker)
        assert done.returncode == 1
        assert done.stdout == ""
        assert "Traceback" not in done.stderr
        assert "liveblog: error:" in done.stderr

    def test_tail_kind_is_checked(self) -> None:
        """`tail` accepts quotes, entries and alerts only."""
        done = _run("tail", "speakers")
        assert done.returncode == 2
