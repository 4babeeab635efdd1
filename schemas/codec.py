"""Encoding and validation at the topic edge.

A record is validated when it enters or leaves a topic or a file, never inside the stages. JSON is
plain UTF-8 so that any Kafka client (kcat, a Java consumer) reads it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from schemas.events import (
    Alert,
    DeadLetter,
    EnrichedEntry,
    Quote,
    RawEntry,
    Speaker,
    Subscription,
)
from schemas.exceptions import PayloadTooLarge, SchemaError

__all__ = [
    "MAX_RECORD_BYTES",
    "MODELS",
    "AnyEvent",
    "decode",
    "decode_any",
    "encode",
    "export_json_schemas",
]

#: Records larger than this are refused at the edge (Kafka's default message limit is 1 MiB).
MAX_RECORD_BYTES = 1_048_576

AnyEvent = Annotated[
    RawEntry | EnrichedEntry | Quote | Speaker | Subscription | Alert | DeadLetter,
    Field(discriminator="event"),
]
_ANY: TypeAdapter[Any] = TypeAdapter(AnyEvent)

MODELS: dict[str, type[BaseModel]] = {
    "raw_entry": RawEntry,
    "entry": EnrichedEntry,
    "quote": Quote,
    "speaker": Speaker,
    "subscription": Subscription,
    "alert": Alert,
    "dead_letter": DeadLetter,
}

M = TypeVar("M", bound=BaseModel)


def encode(model: BaseModel) -> bytes:
    """A model as compact UTF-8 JSON."""
    return model.model_dump_json().encode("utf-8")


def _text(data: bytes | str, limit: int) -> str:
    if len(data) > limit:
        raise PayloadTooLarge(
            f"record of {len(data)} bytes is over the {limit}-byte limit",
            size=len(data),
            limit=limit,
        )
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SchemaError(f"record is not UTF-8: {exc.reason} at byte {exc.start}") from exc


def decode(model: type[M], data: bytes | str, *, limit: int = MAX_RECORD_BYTES) -> M:
    """Validate one JSON record as `model`; failures are `SchemaError` or `PayloadTooLarge`."""
    text = _text(data, limit)
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        raise SchemaError(_summarise(exc)) from exc


def decode_any(data: bytes | str, *, limit: int = MAX_RECORD_BYTES) -> BaseModel:
    """Validate a record of any kind, told apart by its `event` tag."""
    text = _text(data, limit)
    try:
        result: BaseModel = _ANY.validate_json(text)
    except ValidationError as exc:
        raise SchemaError(_summarise(exc)) from exc
    return result


def _summarise(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err["loc"]) or "record"
        parts.append(f"{loc}: {err['msg']}")
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def export_json_schemas(directory: Path) -> list[Path]:
    """Write one JSON Schema file per event model into `directory`; return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in MODELS.items():
        path = directory / f"{name}.schema.json"
        schema = model.model_json_schema()
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
        schema["$id"] = f"https://liveblog.invalid/schemas/{name}.schema.json"
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written
