"""Whole live blogs replayed through the pipeline and scored against their gold labels.

The seed is the blog the project was built on; the fixtures under tests/fixtures/blogs are
invented blogs in other publishers' formats, which the attribution was not written against
line by line. Scores come from `streams.pipeline.evaluation.score`, the same figures as the shared
scorer.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.sources.files import FileSource
from streams.cli.replay import build_meta
from streams.pipeline.chain import BlogState, process
from streams.pipeline.evaluation import score
from tests.conftest import GOLD, ROOT, SEED

BLOGS = ROOT / "tests" / "fixtures" / "blogs"
CLI = str(Path(sys.executable).parent / "liveblog")


def replay(path: Path) -> list[dict[str, Any]]:
    """The blog's entries as the JSONL output of `liveblog replay` would give them."""
    meta = build_meta(path, blog=None, date=None, tz=None, order=None)
    source = FileSource(
        path, meta, max_bytes=10**7, max_entry_chars=10**6, fetched_at=datetime.now(UTC)
    )
    state = BlogState()
    out: list[dict[str, Any]] = []
    for raw in source:
        entry, state = process(raw, state)
        out.append(entry.model_dump(mode="json"))
    return out


def _score(blog: Path, gold: Path) -> dict[str, Any]:
    return score(json.loads(gold.read_text(encoding="utf-8")), replay(blog))


class TestSeed:
    def test_seed_without_knowledge_file(self) -> None:
        """The seed keeps quote-speaker F1 and speaker F1 at 0.95 or more, from the text alone."""
        result = _score(SEED, GOLD)
        assert result["entries"]["aligned"] == result["entries"]["gold"]
        assert result["quotes"]["f1"] >= 0.95, result["misses"]
        assert result["speakers"]["f1"] >= 0.95


class TestInventedBlogs:
    @pytest.mark.parametrize("name", sorted(p.stem for p in BLOGS.glob("*.txt")))
    def test_blog_scores(self, name: str) -> None:
        """Each invented blog keeps quote-speaker F1 >= 0.9 and speaker F1 >= 0.9."""
        result = _score(BLOGS / f"{name}.txt", BLOGS / "gold" / f"{name}.json")
        assert result["entries"]["aligned"] == result["entries"]["gold"]
        assert result["quotes"]["f1"] >= 0.9, result["misses"]
        assert result["speakers"]["f1"] >= 0.9

    def test_there_are_enough_blogs(self) -> None:
        """At least four invented blogs, each with its gold file."""
        names = {p.stem for p in BLOGS.glob("*.txt")}
        assert len(names) >= 4
        assert names == {p.stem for p in (BLOGS / "gold").glob("*.json")}


class TestSpeakersOption:
    def test_knowledge_file_on_the_command_line(self, tmp_path: Path) -> None:
        """`liveblog replay --speakers FILE` preloads people the text never introduces."""
        blog = tmp_path / "blog.txt"
        blog.write_text("14:00\n\n“We are ready,” the Nigerian said.\n", encoding="utf-8")
        people = tmp_path / "people.yaml"
        people.write_text("- name: Maria Okafor\n  nationality: Nigerian\n", encoding="utf-8")
        names = []
        for extra in ([], ["--speakers", str(people)]):
            done = subprocess.run(
                [CLI, "replay", str(blog), "--output", "-", "--no-db", *extra],
                capture_output=True,
                text=True,
                timeout=120,
                cwd=tmp_path,
            )
            assert done.returncode == 0, done.stderr
            (quote,) = json.loads(done.stdout.splitlines()[0])["quotes"]
            names.append(quote["speaker"]["name"] if quote["speaker"] else None)
        assert names == [None, "Maria Okafor"]
