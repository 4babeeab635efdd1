"""Event models and their validation at the topic edge."""

from __future__ import annotations

from datetime import UTC, datetime

import pydantic
import pytest

import schemas
from schemas import codec
from schemas.events import DeadLetter, EntryHints, Quote, RawEntry
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
