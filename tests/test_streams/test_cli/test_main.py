"""The command line's contract: stdout carries data only, errors are one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import GOLD, SEED

CLI = str(Path(sys.executable).parent / "liveblog")


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120, cwd=cwd)


class TestReplayOutput:
    def test_stdout_is_one_entry_per_line(self, tmp_path: Path) -> None:
        """`--output -` prints one enriched entry as JSON per line and nothing else."""
        done = _run("replay", str(SEED), "--output", "-", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        lines = done.stdout.splitlines()
        assert len(lines) == 35
        entries = [json.loads(line) for line in lines]
        for entry in entries:
            assert {
                "entry_id",
                "blog_id",
                "published_at",
                "headline",
                "body",
                "speakers",
                "quotes",
                "entities",
                "keywords",
                "version",
            } <= entry.keys()
            assert all("name" in s for s in entry["speakers"])
            for quote in entry["quotes"]:
                assert quote["speaker"] is None or "name" in quote["speaker"]
                assert {"quote_id", "text", "kind", "confidence", "method"} <= quote.keys()
        assert entries[0]["published_at"] == "2022-04-26T12:33:00+02:00"
        names = {s["name"] for e in entries for s in e["speakers"]}
        assert names == {"António Guterres", "Sergey Lavrov"}  # one canonical, fullest name each
        assert not (tmp_path / "liveblog.db").exists()

    def test_an_oversized_entry_is_named_on_stderr_without_a_database(self, tmp_path: Path) -> None:
        """With `--output - --no-db` an entry over LIVEBLOG_MAX_ENTRY_CHARS is one line on stderr
        (no database keeps its dead letter) and stdout still carries only the other entries."""
        blog = tmp_path / "blog.txt"
        blog.write_text(
            "10:00 A short entry.\n\n10:05 " + "Long words here. " * 200 + "\n", encoding="utf-8"
        )
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("LIVEBLOG_")},
            "LIVEBLOG_MAX_ENTRY_CHARS": "500",
        }
        args = ["replay", str(blog), "--date", "2024-05-01", "--tz", "UTC", "--output", "-"]
        done = subprocess.run(
            [CLI, *args, "--no-db"],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=tmp_path,
            env=env,
        )
        assert done.returncode == 0, done.stderr
        assert len(done.stdout.splitlines()) == 1
        [line] = [x for x in done.stderr.splitlines() if "dead letter" in x]
        assert "(stage source)" in line and "500" in line
        assert "Traceback" not in done.stderr

    def test_output_is_deterministic(self, tmp_path: Path) -> None:
        """Two processes with different hash seeds print the same bytes."""
        outs = set()
        for seed in ("1", "2"):
            done = subprocess.run(
                [CLI, "replay", str(SEED), "--output", "-", "--no-db"],
                capture_output=True,
                text=True,
                timeout=120,
                env={**os.environ, "PYTHONHASHSEED": seed},
            )
            outs.add(done.stdout)
        assert len(outs) == 1

    def test_flags_override_sidecar(self, tmp_path: Path) -> None:
        """`--date` and `--tz` make published_at absolute in the given zone."""
        done = _run(
            "replay",
            str(SEED),
            "--date",
            "2023-01-10",
            "--tz",
            "America/New_York",
            "--output",
            "-",
            "--no-db",
        )
        first = json.loads(done.stdout.splitlines()[0])
        assert first["published_at"] == "2023-01-10T12:33:00-05:00"

    def test_seed_score(self, tmp_path: Path) -> None:
        """The seed scores 35/35 entries and quote-speaker F1 >= 0.95 by `liveblog eval`."""
        out = tmp_path / "seed.jsonl"
        assert _run("replay", str(SEED), "--output", str(out)).returncode == 0
        done = _run("eval", str(GOLD), str(out), "--json", "--min-f1", "0.95")
        assert done.returncode == 0, done.stdout
        result = json.loads(done.stdout)
        assert result["entries"]["aligned"] == 35
        assert result["speakers"]["f1"] >= 0.95

    def test_live_view(self, tmp_path: Path) -> None:
        """Without `--output` the replay shows entries and a speaker table, and writes the db."""
        done = _run("replay", str(SEED), "--db", str(tmp_path / "v.db"))
        assert done.returncode == 0, done.stderr
        assert "Speakers" in done.stdout
        assert "35 entries" in done.stdout
        assert (tmp_path / "v.db").exists()


class TestErrors:
    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (b"", "empty"),
            (b"\x00\x01\x02binary\x00", "binary"),
            (b"Title\n\n14:00 Caf\xe9\n", "invalid UTF-8"),
            (b"No times here.\n", "no timed entries"),
        ],
    )
    def test_bad_files(self, tmp_path: Path, content: bytes, message: str) -> None:
        """Bad input gets a one-line error and a non-zero exit, no traceback."""
        path = tmp_path / "bad.txt"
        path.write_bytes(content)
        done = _run("replay", str(path), "--output", "-")
        assert done.returncode != 0
        assert message in done.stderr
        assert "Traceback" not in done.stderr
        assert done.stdout == ""

    def test_missing_file(self, tmp_path: Path) -> None:
        """A missing file is one line on stderr."""
        done = _run("replay", str(tmp_path / "none.txt"))
        assert done.returncode != 0
        assert "no such file" in done.stderr and "Traceback" not in done.stderr

    def test_fifty_megabytes(self, tmp_path: Path) -> None:
        """A 50 MB file is refused with the limit named, not read into memory."""
        path = tmp_path / "big.txt"
        with path.open("wb") as fh:
            fh.truncate(50 * 1024 * 1024)
        done = _run("replay", str(path), "--output", "-")
        assert done.returncode != 0
        assert "limit" in done.stderr and "Traceback" not in done.stderr


class TestSchemasExport:
    def test_one_schema_per_model(self, tmp_path: Path) -> None:
        """`schemas export DIR` writes a JSON Schema per event model."""
        done = _run("schemas", "export", str(tmp_path))
        assert done.returncode == 0, done.stderr
        names = sorted(p.name for p in tmp_path.glob("*.schema.json"))
        assert "entry.schema.json" in names and "quote.schema.json" in names
        schema = json.loads((tmp_path / "quote.schema.json").read_text(encoding="utf-8"))
        assert {"quote_id", "speaker", "confidence", "method"} <= schema["properties"].keys()

    def test_schemas_name_their_dialect_and_are_valid(self, tmp_path: Path) -> None:
        """Each exported schema says `$schema` (JSON Schema 2020-12) and is valid under it."""
        import jsonschema

        done = _run("schemas", "export", str(tmp_path))
        assert done.returncode == 0, done.stderr
        for path in tmp_path.glob("*.schema.json"):
            schema = json.loads(path.read_text(encoding="utf-8"))
            assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
            jsonschema.Draft202012Validator.check_schema(schema)
