"""`liveblog subscribe ...` and `liveblog replay --subscriptions FILE --alerts -`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from typer.testing import CliRunner

from streams.cli import app
from tests.conftest import SEED

runner = CliRunner()


@pytest.fixture(autouse=True)
def fixture_plain_logging() -> Iterator[None]:
    """The CLI configures structlog for its (captured, then closed) stderr; undo it after."""
    yield
    structlog.reset_defaults()


class TestSubscribeCommands:
    def test_add_list_remove(self, tmp_path: Path) -> None:
        """Subscriptions are stored in the database, listed redacted and removed."""
        db = str(tmp_path / "s.db")
        done = runner.invoke(
            app,
            [
                "subscribe",
                "add",
                "rent",
                "speaker:okafor rent",
                "--notify",
                "json://h:1/sEcReT",
                "--db",
                db,
            ],
        )
        assert done.exit_code == 0, done.output
        listed = runner.invoke(app, ["subscribe", "list", "--json", "--db", db])
        rows = [json.loads(line) for line in listed.stdout.splitlines()]
        assert [(r["id"], r["filter"]) for r in rows] == [("rent", "speaker:okafor rent")]
        assert "sEcReT" not in listed.stdout
        assert runner.invoke(app, ["subscribe", "remove", "rent", "--db", db]).exit_code == 0
        assert runner.invoke(app, ["subscribe", "remove", "rent", "--db", db]).exit_code == 1

    def test_bad_filter_shows_position(self, tmp_path: Path) -> None:
        """A bad filter exits 2 with the message and a caret under the fault."""
        done = runner.invoke(
            app, ["subscribe", "add", "x", "rent OR", "--db", str(tmp_path / "s.db")]
        )
        assert done.exit_code == 2
        assert "OR needs a term on its right (at position 7)" in done.output
        assert "       ^" in done.output

    def test_check(self) -> None:
        """`subscribe check` prints the parsed filter."""
        done = runner.invoke(app, ["subscribe", "check", "a b OR c"])
        assert done.stdout.strip() == "((a b) OR c)"


class TestReplayAlerts:
    def test_alert_lines_on_stdout(self, tmp_path: Path) -> None:
        """`--alerts -` prints one JSON line per alert and nothing else."""
        subs = tmp_path / "subs.yaml"
        subs.write_text(
            "- id: lavrov\n  filter: speaker:lavrov (veto OR ceasefire)\n"
            "- id: guterres\n  filter: speaker:guterres veto\n",
            encoding="utf-8",
        )
        done = runner.invoke(
            app,
            ["replay", str(SEED), "--subscriptions", str(subs), "--alerts", "-", "--no-db"],
        )
        assert done.exit_code == 0, done.output
        lines = [json.loads(line) for line in done.stdout.splitlines()]
        assert [(x["subscription_id"], x["published_at"][11:16]) for x in lines] == [
            ("lavrov", "14:02"),
            ("lavrov", "14:07"),
            ("lavrov", "14:10"),
            ("guterres", "14:10"),
        ]
        for line in lines:
            assert set(line) - {"quote_id", "entry_id"} == {
                "alert_id",
                "subscription_id",
                "blog_id",
                "speaker",
                "text",
                "url",
                "matches",
                "published_at",
            }
            assert line["blog_id"] == "focus-guterres-lavrov" and line["text"]
            assert line["matches"] and {"term", "start", "end"} == set(line["matches"][0])

    def test_bad_subscriptions_file(self, tmp_path: Path) -> None:
        """A filter error in the file names the item and fails the command."""
        subs = tmp_path / "subs.yaml"
        subs.write_text("- id: x\n  filter: 'veto)'\n", encoding="utf-8")
        done = runner.invoke(app, ["replay", str(SEED), "--subscriptions", str(subs), "--no-db"])
        assert done.exit_code != 0
        assert "item 0: filter" in str(done.exception) or "item 0" in done.output
