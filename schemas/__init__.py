"""liveblog's event models, their codec and the root exception."""

from schemas.codec import AnyEvent, decode, decode_any, encode, export_json_schemas
from schemas.events import (
    SCHEMA_VERSION,
    Alert,
    DeadLetter,
    EnrichedEntry,
    Entity,
    EntryHints,
    Match,
    Quote,
    RawEntry,
    Speaker,
    SpeakerRef,
    Subscription,
    stable_id,
)
from schemas.exceptions import LiveblogError

__all__ = [
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
