"""Event models and their validation at the topic edge."""

from __future__ import annotations

from datetime import UTC, datetime

import pydantic
import pytest

import schemas
from schemas import codec
from schemas.events import (
    DeadLetter,
    EnrichedEntry,
    EntryHints,
    Quote,
    RawEntry,
    SpeakerRef,
    Voice,
)
from schemas.exceptions import PayloadTooLarge, SchemaError

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _raw() -> RawEntry:
    return RawEntry(
        blog_id="b",
        source="s",
        seq=3,
        fetched_at=NOW,
        raw="14:00 Text.",
        hints=EntryHints(block_id="p-1"),
    )


class TestModels:
    def test_frozen(self) -> None:
        """Events cannot be changed after creation."""
        raw = _raw()
        with pytest.raises(pydantic.ValidationError):
            raw.seq = 4  # type: ignore[misc]

    def test_version_and_tag(self) -> None:
        """Every event carries a schema version and its kind tag."""
        dumped = _raw().model_dump()
        assert dumped["schema_version"] == schemas.SCHEMA_VERSION
        assert dumped["event"] == "raw_entry"

    def test_naive_time_refused(self) -> None:
        """Times must be tz-aware."""
        with pytest.raises(pydantic.ValidationError):
            RawEntry(blog_id="b", source="s", seq=0, fetched_at=datetime(2024, 1, 1), raw="x")  # noqa: DTZ001

    def test_quote_confidence_bounded(self) -> None:
        """Confidence lies in [0, 1]."""
        with pytest.raises(pydantic.ValidationError):
            Quote(
                quote_id="q",
                entry_id="e",
                blog_id="b",
                published_at=None,
                text="t",
                speaker=None,
                confidence=1.5,
                method="x",
            )


class TestCodec:
    def test_round_trip(self) -> None:
        """Encoded JSON decodes to an equal model, also through the tagged union."""
        raw = _raw()
        data = codec.encode(raw)
        assert codec.decode(RawEntry, data) == raw
        assert codec.decode_any(data) == raw

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (b"not json", "Invalid JSON"),
            (b'{"event": "raw_entry"}', "blog_id"),
            (b'{"event": "nope"}', "event"),
            (b"\xff\xfe\x00garbage", "not UTF-8"),
            (b'{"unexpected": 1, "event": "raw_entry", "blog_id": "b"}', "unexpected"),
        ],
    )
    def test_bad_records(self, data: bytes, message: str) -> None:
        """Bad records raise SchemaError with a readable reason."""
        with pytest.raises(SchemaError, match=message):
            codec.decode_any(data)

    def test_too_large(self) -> None:
        """A record over the limit is refused before parsing."""
        with pytest.raises(PayloadTooLarge):
            codec.decode_any(b" " * 2000, limit=1000)


class TestPublicSurface:
    def test_exports(self) -> None:
        """The package's exported names are pinned."""
        assert sorted(schemas.__all__) == sorted(
            [
                "ENTRY_SCHEMA_VERSION",
                "SCHEMA_VERSION",
                "Alert",
                "AnyEvent",
                "DeadLetter",
                "EnrichedEntry",
                "Entity",
                "EntryHints",
                "LiveblogError",
                "Match",
                "Quote",
                "RawEntry",
                "Speaker",
                "SpeakerRef",
                "Subscription",
                "Voice",
                "decode",
                "decode_any",
                "encode",
                "export_json_schemas",
                "stable_id",
            ]
        )
        for name in schemas.__all__:
            assert hasattr(schemas, name)

    def test_dead_letter_shape(self) -> None:
        """A dead letter keeps stage, reason and payload."""
        fields = DeadLetter.model_fields
        assert {"stage", "reason", "payload", "payload_size", "truncated"} <= fields.keys()


def _entry(**update: object) -> EnrichedEntry:
    entry = EnrichedEntry(
        entry_id="e",
        blog_id="b",
        seq=0,
        published_at=NOW,
        printed_time="12:00",
        headline=None,
        body="“We will,” Okafor said. It rained.",
        voices=(
            Voice(speaker=SpeakerRef(id="okafor", name="Maria Okafor"), spans=((0, 23),)),
            Voice(speaker=None, spans=((24, 34),)),
        ),
    )
    return entry.model_copy(update=update)


class TestEntryVersions:
    def test_entry_is_at_its_own_version(self) -> None:
        """An entry record says version 2 (it carries voices); the other models stay at 1."""
        assert _entry().model_dump()["schema_version"] == schemas.ENTRY_SCHEMA_VERSION == 2
        assert _raw().model_dump()["schema_version"] == schemas.SCHEMA_VERSION == 1

    def test_voices_round_trip(self) -> None:
        """The voices travel with the entry: speaker (or null) and spans."""
        entry = _entry()
        data = codec.encode(entry)
        assert (
            b'"voices":[{"speaker":{"id":"okafor","name":"Maria Okafor"},"spans":[[0,23]]}' in data
        )
        assert codec.decode(EnrichedEntry, data) == entry
        assert codec.decode_any(data) == entry

    def test_version_1_entry_still_read(self) -> None:
        """A record of version 1 (no voices field) is read, with no voices."""
        data = codec.encode(_entry()).replace(b'"schema_version":2', b'"schema_version":1')
        data = data.split(b',"voices":')[0] + b"}"
        entry = codec.decode(EnrichedEntry, data)
        assert entry.schema_version == 1
        assert entry.voices is None

    def test_newer_entry_refused(self) -> None:
        """An entry of a version this release does not know is refused, naming the versions."""
        data = codec.encode(_entry()).replace(b'"schema_version":2', b'"schema_version":3')
        with pytest.raises(
            SchemaError, match=r"schema_version 3 is not one this release reads \(1 to 2\)"
        ):
            codec.decode_any(data)
        raw = codec.encode(_raw()).replace(b'"schema_version":1', b'"schema_version":2')
        with pytest.raises(SchemaError, match=r"\(1 to 1\)"):
            codec.decode_any(raw)
