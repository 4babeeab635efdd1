"""Expected failures of the command line: every bad flag is refused before any work, and every
expected failure is one line on stderr and a non-zero exit (2 for a bad flag or argument, 1 for
a failure), never a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SEED

CLI = str(Path(sys.executable).parent / "liveblog")
BUSY = "{busy}"  # stands for a port a listening socket of this test holds


@pytest.fixture(name="busy_port", scope="module")
def fixture_busy_port() -> Iterator[int]:
    """A loopback port some other socket listens on for the whole module."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


#: (id, arguments, standard input, extra environment, exit code, words the line must hold)
CASES: list[tuple[str, list[str], str | None, dict[str, str], int, str]] = [
    ("bad-tz", ["replay", str(SEED), "--no-db", "--tz", "Mars/Base"], None, {}, 2, "--tz"),
    ("order", ["replay", str(SEED), "--no-db", "--order", "sideways"], None, {}, 2, "--order"),
    ("negative-speed", ["replay", str(SEED), "--no-db", "--speed", "-5"], None, {}, 2, "--speed"),
    ("speed-not-number", ["replay", str(SEED), "--speed", "x"], None, {}, 2, "--speed"),
    ("max-gap-alone", ["replay", str(SEED), "--max-gap", "60"], None, {}, 2, "--max-gap"),
    ("port-without-serve", ["replay", str(SEED), "--port", "8080"], None, {}, 2, "--serve"),
    ("bad-date", ["replay", str(SEED), "--date", "2024-13-40"], None, {}, 2, "--date"),
    ("bad-encoding", ["replay", str(SEED), "--encoding", "klingon"], None, {}, 2, "--encoding"),
    ("both-stdout", ["replay", str(SEED), "-o", "-", "--alerts", "-"], None, {}, 2, "stdout"),
    ("no-subs-file", ["replay", str(SEED), "--subscriptions", "nope.yaml"], None, {}, 2, "nope"),
    ("missing-file", ["replay", "no-such-blog.txt"], None, {}, 1, "no-such-blog.txt"),
    (
        "all-dead-lettered",
        ["replay", str(SEED), "--no-db", "-o", os.devnull],
        None,
        {"LIVEBLOG_MAX_ENTRY_CHARS": "5"},
        1,
        "dead letters",
    ),
    ("replay-busy-port", ["replay", str(SEED), "--serve", "--port", BUSY], None, {}, 2, "in use"),
    ("serve-busy-port", ["serve", "--port", BUSY], None, {}, 2, "in use"),
    (
        "push-busy-port",
        ["connect", "push", "--port", BUSY],
        None,
        {"LIVEBLOG_API_TOKEN": "t0ken-for-tests"},
        2,
        "in use",
    ),
    ("serve-bad-port", ["serve", "--port", "70000"], None, {}, 2, "--port"),
    ("schemas-into-file", ["schemas", "export", str(SEED)], None, {}, 2, "is a file"),
    ("unknown-command", ["bogus"], None, {}, 2, "bogus"),
    ("tail-kind", ["tail", "sideways"], None, {}, 2, "sideways"),
    (
        "stdin-nothing-valid",
        ["connect", "stdin", "--blog", "b", "--no-db", "--format", "jsonl", "-o", os.devnull],
        '{not json\n{"also": \n',
        {},
        1,
        "no input line was valid",
    ),
    (
        "connect-port-without-serve",
        ["connect", "http", "http://127.0.0.1:9/", "--blog", "b", "--port", "8080"],
        None,
        {},
        2,
        "--serve",
    ),
    (
        "connect-serve-once",
        ["connect", "http", "http://127.0.0.1:9/", "--blog", "b", "--serve", "--once"],
        None,
        {},
        2,
        "--once",
    ),
    (
        "connect-bad-tz",
        ["connect", "http", "http://127.0.0.1:9/", "--blog", "b", "--tz", "Nowhere/City"],
        None,
        {},
        2,
        "Nowhere/City",
    ),
    ("stdin-format", ["connect", "stdin", "--blog", "b", "--format", "xml"], "", {}, 2, "--format"),
    ("worker-partitions", ["worker", "--partitions", "0"], None, {}, 2, "--partitions"),
    ("worker-port-without-web", ["worker", "--port", "7000"], None, {}, 2, "--web"),
    ("worker-busy-metrics", ["worker", "--metrics-port", BUSY], None, {}, 2, "in use"),
    ("sink-batch", ["sink", "--batch-size", "0"], None, {}, 2, "--batch-size"),
    ("env-port", ["serve"], None, {"LIVEBLOG_WEB_PORT": "abc"}, 2, "LIVEBLOG_WEB_PORT"),
]


class TestExpectedFailures:
    @pytest.mark.parametrize(
        ("args", "stdin", "env", "code", "words"),
        [pytest.param(*case[1:], id=case[0]) for case in CASES],
    )
    def test_one_line_and_exit_code(
        self,
        args: list[str],
        stdin: str | None,
        env: dict[str, str],
        code: int,
        words: str,
        busy_port: int,
        tmp_path: Path,
    ) -> None:
        """The command fails with its exit code and one line naming the problem."""
        argv = [a.replace(BUSY, str(busy_port)) for a in args]
        environ = {k: v for k, v in os.environ.items() if not k.startswith("LIVEBLOG_")}
        done = subprocess.run(
            [CLI, *argv],
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,
            env={**environ, "LIVEBLOG_CURSOR_DIR": str(tmp_path / "cursors"), **env},
            check=False,
        )
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("liveblog: error: ")]
        assert done.returncode == code, done.stderr
        assert "Traceback" not in done.stderr + done.stdout
        assert len(errors) == 1, done.stderr
        assert words in errors[0]
        if code == 2:  # refused before any work: nothing else was printed
            assert lines == errors and done.stdout == ""
            assert not (tmp_path / "liveblog.db").exists()

    def test_version(self) -> None:
        """`--version` prints the release and exits 0."""
        done = subprocess.run([CLI, "--version"], capture_output=True, text=True, timeout=30)
        assert done.returncode == 0
        assert done.stdout.startswith("liveblog ") and done.stdout.strip() != "liveblog"

    def test_filter_with_leading_dash_after_double_dash(self) -> None:
        """A filter starting with `-` is read as the argument after `--`."""
        done = subprocess.run(
            [CLI, "subscribe", "check", "--", "-veto ceasefire"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 0, done.stderr
        assert "veto" in done.stdout
