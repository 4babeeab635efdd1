"""The embedded runner: per-blog state, dead letters, and the stream going on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

import pytest
from pydantic import BaseModel

from schemas.events import DeadLetter, EnrichedEntry, EntryHints, RawEntry
from schemas.exceptions import SinkError
from streams.pipeline.deadletter import MAX_PAYLOAD_CHARS, dead_letter
from streams.runtime.embedded import runner as runner_module
from streams.runtime.embedded.runner import EmbeddedRunner

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


class _ListSink:
    def __init__(self) -> None:
        self.records: list[BaseModel] = []
        self.closed = False

    def write(self, records: Sequence[BaseModel]) -> None:
        self.records.extend(records)

    def close(self) -> None:
        self.closed = True


def _raw(blog: str, seq: int, text: str, tz: str = "Europe/London") -> RawEntry:
    return RawEntry(
        blog_id=blog,
        source="t",
        seq=seq,
        fetched_at=NOW,
        raw=text,
        hints=EntryHints(date=date(2024, 5, 1), timezone=tz),
    )


class TestEmbeddedRunner:
    def test_failing_record_is_dead_lettered(self) -> None:
        """A record that fails a stage becomes a dead letter with its stage; the next goes on."""
        sink = _ListSink()
        runner = EmbeddedRunner([sink], clock=lambda: NOW)
        runner.run(
            [
                _raw("a", 0, "10:00 One."),
                _raw("a", 1, "10:05 Two.", tz="Mars/Base"),
                _raw("a", 2, "10:10 Three."),
            ]
        )
        entries = [r for r in sink.records if isinstance(r, EnrichedEntry)]
        letters = [r for r in sink.records if isinstance(r, DeadLetter)]
        assert [e.seq for e in entries] == [0, 2]
        assert len(letters) == 1
        assert letters[0].stage == "parse"
        assert "Mars/Base" in letters[0].reason
        assert '"seq":1' in letters[0].payload
        assert sink.closed

    def test_state_is_per_blog(self) -> None:
        """A pronoun resolves within its own blog's memory, not another blog's."""
        sink = _ListSink()
        runner = EmbeddedRunner([sink], clock=lambda: NOW)
        runner.run(
            [
                _raw("a", 0, "10:00 “We will win,” said Maria Okafor."),
                _raw("b", 0, "10:00 “Rain is coming,” said Tomas Berg."),
                _raw("a", 1, "10:05 “Nobody doubts it,” she says."),
            ]
        )
        last = [r for r in sink.records if isinstance(r, EnrichedEntry)][-1]
        assert last.blog_id == "a"
        assert last.quotes[0].speaker is not None
        assert last.quotes[0].speaker.name == "Maria Okafor"

    def test_speaker_counts_stay_bounded(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The run's quote counts by speaker keep a bounded number of names, the most quoted."""
        monkeypatch.setattr(runner_module, "MAX_SPEAKER_NAMES", 4)
        names = ["Maria Okafor", "Tomas Berg", "Lena Hartigan", "Anselm Okoro", "Jan Lindqvist"]
        texts = [f"10:{i:02d} “We will see,” said {name}." for i, name in enumerate(names)]
        texts += ["10:30 “Again,” said Maria Okafor.", "10:31 “And again,” said Maria Okafor."]
        runner = EmbeddedRunner([_ListSink()], clock=lambda: NOW)
        stats = runner.run([_raw(f"b{i}", 0, text) for i, text in enumerate(texts)])
        assert len(stats.speakers) <= 4
        assert stats.speakers["Maria Okafor"] == 3

    def test_a_failed_sink_write_keeps_the_batch(self) -> None:
        """A sink write that raises loses nothing: the next flush writes the same records again,
        with those that came since."""
        sink = _ListSink()
        failing = [True]

        class _Flaky(_ListSink):
            def write(self, records: Sequence[BaseModel]) -> None:
                if failing[0]:
                    raise SinkError("database is locked")
                super().write(records)

        flaky = _Flaky()
        runner = EmbeddedRunner([flaky, sink], clock=lambda: NOW, batch_size=100)
        runner.handle(_raw("a", 0, "10:00 One."))
        with pytest.raises(SinkError):
            runner.flush()
        failing[0] = False
        runner.handle(_raw("a", 1, "10:05 Two."))
        runner.flush()
        seqs = [r.seq for r in flaky.records if isinstance(r, EnrichedEntry)]
        assert seqs == [0, 1]
        assert runner._pending == []


class TestDeadLetter:
    def test_bounded_payload(self) -> None:
        """A huge payload is cut with `truncated` set and its full size recorded."""
        letter = dead_letter("source", "too big", "x" * (MAX_PAYLOAD_CHARS + 10), now=NOW)
        assert letter.truncated
        assert letter.payload_size == MAX_PAYLOAD_CHARS + 10
        assert len(letter.payload) == MAX_PAYLOAD_CHARS

    def test_invalid_bytes_kept_visible(self) -> None:
        """Undecodable bytes stay visible as escapes."""
        letter = dead_letter("decode", "bad utf-8", b"ok \xff\xfe", now=NOW)
        assert letter.payload == "ok \\xff\\xfe"
