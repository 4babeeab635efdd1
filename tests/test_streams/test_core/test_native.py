"""The compiled stages: used only when built from the sources as they are, and the same output.

`check` is tried on a copy of the modules' layout in a temporary folder (fake extension files: it
reads only their presence and the manifest's hashes). The replay test runs the seed twice in
subprocesses, from the Python source and as the tree has it (compiled after `make compile`), and
compares every record.
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from streams.core import native

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT / "seeds" / "focus-guterres-lavrov.txt"
SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """Every module's source, and an extension file beside each, as a build leaves them."""
    for source in native.sources(tmp_path):
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(f"# {source.stem}\n")
        source.with_name(source.stem + SUFFIX).write_bytes(b"\x7fELF")
    (tmp_path / "streams" / "core").mkdir(parents=True, exist_ok=True)
    return tmp_path


class TestCheck:
    def test_built_from_these_sources_is_used(self, tree: Path) -> None:
        native.write_manifest(tree, tree, "mypyc test")
        assert native.check(tree, {}) == native.Status(True, "")

    def test_no_build_runs_the_source(self, tree: Path) -> None:
        status = native.check(tree, {})
        assert not status.compiled
        assert "not compiled" in status.reason

    def test_an_edited_source_runs_the_source(self, tree: Path) -> None:
        native.write_manifest(tree, tree, "mypyc test")
        edited = native.sources(tree)[3]
        edited.write_text(edited.read_text() + "x = 1\n")
        status = native.check(tree, {})
        assert not status.compiled
        assert native.MODULES[3] in status.reason and "changed" in status.reason

    def test_a_missing_extension_runs_the_source(self, tree: Path) -> None:
        native.write_manifest(tree, tree, "mypyc test")
        gone = native.sources(tree)[-1]
        gone.with_name(gone.stem + SUFFIX).unlink()
        status = native.check(tree, {})
        assert not status.compiled
        assert native.MODULES[-1] in status.reason

    def test_the_environment_turns_it_off(self, tree: Path) -> None:
        native.write_manifest(tree, tree, "mypyc test")
        assert native.check(tree, {native.ENV: "0"}) == native.Status(False, f"{native.ENV}=0")
        assert native.check(tree, {native.ENV: "1"}).compiled

    def test_an_unreadable_manifest_runs_the_source(self, tree: Path) -> None:
        native.manifest_path(tree).write_text("{not json")
        status = native.check(tree, {})
        assert not status.compiled
        assert "unreadable" in status.reason

    def test_the_manifest_records_every_module(self, tree: Path) -> None:
        native.write_manifest(tree, tree, "mypyc test")
        recorded = json.loads(native.manifest_path(tree).read_text())
        assert recorded["compiler"] == "mypyc test"
        assert sorted(recorded["modules"]) == sorted(native.MODULES)


def _run(code: str, *, source: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != native.ENV}
    if source:
        env[native.ENV] = "0"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


_WHERE = (
    "import streams.attribution.tokens as t, streams.alerts.matching as m;"
    "from streams.core.native import status;"
    "print(status().compiled, t.__file__, m.__file__)"
)


class TestSelection:
    def test_off_loads_every_module_from_its_source(self) -> None:
        compiled, *files = _run(_WHERE, source=True).stdout.split()
        assert compiled == "False"
        assert all(f.endswith(".py") for f in files)

    def test_the_tree_uses_what_check_allows(self) -> None:
        """After `make compile` the modules are extension modules; before it, or after an edit,
        their sources."""
        compiled, *files = _run(_WHERE, source=False).stdout.split()
        assert compiled == str(native.check(ROOT).compiled)
        assert all(f.endswith(".py") != (compiled == "True") for f in files)


def _records(text: str) -> list[dict[str, Any]]:
    out = []
    for line in text.splitlines():
        record = json.loads(line)
        for stamp in ("ingested_at", "processed_at", "fetched_at"):
            record.pop(stamp, None)
        out.append(record)
    return out


class TestSameOutput:
    def test_the_seed_replays_to_the_same_records_compiled_or_not(self) -> None:
        args = ["replay", str(SEED), "--output", "-", "--no-db"]
        replay = f"from streams.cli import main; main({args!r})"
        source = _records(_run(replay, source=True).stdout)
        tree = _records(_run(replay, source=False).stdout)
        quotes = [q for r in source for q in r.get("quotes", [])]
        assert len(source) == 35 and len(quotes) > 30
        assert tree == source
