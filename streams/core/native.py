"""The stages compiled to C by mypyc, and the fall-back to their Python source.

The modules of `MODULES` (the stages' hot code: tokens, mentions, cues, the ranker, parse,
enrich, matching) are plain typed Python, compiled by mypyc (part of mypy) into extension modules
beside their sources: at install (`setup.py`) or by `make compile`. They behave as their source
does (the replays of the seed and the dev sets give the same JSON lines) and run some 1.5 to 2
times faster; see docs/operations.md for the figures.

An extension module shadows its source, so a source edited after the build would go on running
its old compiled code. The build therefore writes a manifest (`native.json`, beside this file) of
the hash of each source it compiled; `select()`, run by `streams/__init__.py` before any stage
is imported, keeps the compiled modules only when every source still has its hash. Otherwise (a
source changed, no build, or `LIVEBLOG_NATIVE=0`) every module of the group is loaded from its
source: the compiled modules call one another directly, so the group is compiled or not as a
whole. `status()` tells which, and why.

This module is never compiled itself and imports only the standard library (setup.py loads it by
path).
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

__all__ = [
    "MANIFEST",
    "MODULES",
    "Status",
    "manifest_path",
    "select",
    "sources",
    "status",
    "write_manifest",
]

#: the modules compiled together (one mypyc group, `streams._native__mypyc`)
MODULES = (
    "streams.alerts.filters.compiled",
    "streams.alerts.filters.nodes",
    "streams.alerts.filters.parser",
    "streams.alerts.matching",
    "streams.alerts.scan",
    "streams.attribution.acronyms",
    "streams.attribution.clauses",
    "streams.attribution.context",
    "streams.attribution.cues",
    "streams.attribution.fallback",
    "streams.attribution.language",
    "streams.attribution.lexicon",
    "streams.attribution.mentions",
    "streams.attribution.methods",
    "streams.attribution.name_index",
    "streams.attribution.people",
    "streams.attribution.quotes",
    "streams.attribution.ranker",
    "streams.attribution.reader",
    "streams.attribution.speech",
    "streams.attribution.stage",
    "streams.attribution.tokens",
    "streams.attribution.voices",
    "streams.core.text",
    "streams.core.timefmt",
    "streams.pipeline.enrich",
    "streams.pipeline.htmltext",
    "streams.pipeline.parse",
)
#: the mypyc group's name: its shared library is `streams/_native__mypyc.*.so`
GROUP = "streams._native"
#: the build's record of what it compiled, beside this file
MANIFEST = "native.json"
#: `LIVEBLOG_NATIVE=0` loads every module from its source
ENV = "LIVEBLOG_NATIVE"

_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, slots=True)
class Status:
    """Whether the compiled modules are in use, and why not when they are not."""

    compiled: bool
    reason: str

    def __str__(self) -> str:
        return "compiled (mypyc)" if self.compiled else f"Python source ({self.reason})"


def sources(root: Path = _ROOT) -> list[Path]:
    """The source file of each module of `MODULES` under `root` (the project's top folder)."""
    return [root.joinpath(*name.split(".")).with_suffix(".py") for name in MODULES]


def _by_name(root: Path) -> dict[str, Path]:
    """Each module of `MODULES` with its source file under `root`."""
    return dict(zip(MODULES, sources(root), strict=True))


def manifest_path(root: Path) -> Path:
    """Where the build records its hashes, under `root` (the project's top folder, or the
    build's output folder)."""
    return root / "streams" / "core" / MANIFEST


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_manifest(root: Path, into: Path, compiler: str) -> None:
    """Record the hash of each source under `root` in the manifest under `into` (called by the
    build, after compiling)."""
    modules = {name: _digest(path) for name, path in _by_name(root).items()}
    manifest_path(into).write_text(
        json.dumps({"compiler": compiler, "modules": modules}, indent=1) + "\n"
    )


def _compiled(name: str, root: Path) -> bool:
    """Whether the module has an extension module beside its source."""
    folder = root.joinpath(*name.split(".")[:-1])
    stem = name.rsplit(".", 1)[-1]
    return any((folder / (stem + s)).is_file() for s in importlib.machinery.EXTENSION_SUFFIXES)


def check(root: Path = _ROOT, environ: Mapping[str, str] | None = None) -> Status:
    """Whether the compiled modules under `root` can be used: built, and from these sources."""
    env = os.environ if environ is None else environ
    if env.get(ENV, "").strip() == "0":
        return Status(False, f"{ENV}=0")
    manifest = manifest_path(root)
    try:
        recorded = json.loads(manifest.read_text())["modules"]
    except FileNotFoundError:
        return Status(False, "not compiled: make compile")
    except (OSError, ValueError, KeyError, TypeError):
        return Status(False, f"unreadable {manifest.name}: make compile")
    for name, path in _by_name(root).items():
        if not _compiled(name, root):
            return Status(False, f"{name} not compiled: make compile")
        if not isinstance(recorded, dict) or recorded.get(name) != _digest(path):
            return Status(False, f"{name} changed since it was compiled: make compile")
    return Status(True, "")


class _SourceFinder(importlib.abc.MetaPathFinder):
    """Finds the modules of `MODULES` as their Python source, ahead of their extension
    modules."""

    def __init__(self, root: Path) -> None:
        self._paths = _by_name(root)

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        source = self._paths.get(fullname)
        if source is None:
            return None
        return importlib.util.spec_from_file_location(fullname, source)


_status: Status | None = None


def select(root: Path = _ROOT) -> Status:
    """Use the compiled modules when `check` allows, else their sources (once per process,
    before any of them is imported)."""
    global _status
    if _status is None:
        _status = check(root)
        if not _status.compiled:
            sys.meta_path.insert(0, _SourceFinder(root))
    return _status


def status() -> Status:
    """What `select` chose for this process."""
    return select()
