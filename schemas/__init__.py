"""liveblog's event models, their codec and the root exception.

The names are loaded on first use (PEP 562), so that importing `schemas.exceptions` alone (the
CLI does, to turn errors into one line) does not build every pydantic model.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from schemas.codec import AnyEvent, decode, decode_any, encode, export_json_schemas
    from schemas.events import (
        ENTRY_SCHEMA_VERSION,
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
        Voice,
        stable_id,
    )
    from schemas.exceptions import LiveblogError

__all__ = [
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

_HOME = {
    "AnyEvent": "codec",
    "decode": "codec",
    "decode_any": "codec",
    "encode": "codec",
    "export_json_schemas": "codec",
    "LiveblogError": "exceptions",
}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'schemas' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"schemas.{_HOME.get(name, 'events')}"), name)
    globals()[name] = value
    return value
