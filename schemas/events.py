"""Event models: what travels on the topics and into the sinks.

Every model is frozen, forbids unknown fields, carries `schema_version` and an `event` tag (the
kind of record; `Quote.kind` is the kind of quotation), and is
validated where it enters or leaves a topic (`schemas.codec`), not in every function.

Each model has its own version: it goes up when the model gains, loses or retypes a field (an
older reader, which forbids unknown fields, then refuses the record by its version rather than
half-reading it), and records of every earlier version stay readable. `SCHEMA_VERSION` is the
version of the models unchanged since the first release; `EnrichedEntry` is at
`ENTRY_SCHEMA_VERSION` (2 added `voices`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

__all__ = [
    "ENTRY_SCHEMA_VERSION",
    "SCHEMA_VERSION",
    "Alert",
    "DeadLetter",
    "EnrichedEntry",
    "Entity",
    "EntryHints",
    "Match",
    "Quote",
    "QuoteKind",
    "RawEntry",
    "Speaker",
    "SpeakerRef",
    "Subscription",
    "Voice",
    "stable_id",
]

SCHEMA_VERSION = 1
#: 2: `voices`, who speaks where in the entry
ENTRY_SCHEMA_VERSION = 2

#: Upper bound for one raw entry block (text or HTML); larger blocks are dead-lettered.
MAX_RAW_CHARS = 1_000_000

QuoteKind = Literal["direct", "partial", "block", "headline", "qa"]
ContentType = Literal["text", "markdown", "html"]


def stable_id(*parts: object, length: int = 16) -> str:
    """A short deterministic id from its parts: the same input gives the same id in every run."""
    digest = hashlib.blake2b("\x1f".join(str(p) for p in parts).encode("utf-8"), digest_size=16)
    return digest.hexdigest()[:length]


def _reads(newest: int) -> AfterValidator:
    """The check that a record's `schema_version` is one of 1 to `newest`."""

    def known(version: int) -> int:
        if not 1 <= version <= newest:
            raise ValueError(
                f"schema_version {version} is not one this release reads (1 to {newest})"
            )
        return version

    return AfterValidator(known)


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=False)

    #: a record of a newer schema is refused (dead-lettered), not half-read
    schema_version: Annotated[int, _reads(SCHEMA_VERSION)] = SCHEMA_VERSION


class EntryHints(BaseModel):
    """What a connector already knows about an entry block besides its raw text."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    block_id: str | None = None
    time: AwareDatetime | None = None
    printed_time: str | None = None
    headline: str | None = None
    date: dt.date | None = None
    timezone: str | None = None
    language: str | None = None
    url: str | None = None


class RawEntry(_Event):
    """One entry block as a connector pushes it onto the raw topic."""

    event: Literal["raw_entry"] = "raw_entry"
    blog_id: Annotated[str, Field(min_length=1, max_length=200)]
    source: Annotated[str, Field(max_length=2000)]
    seq: Annotated[int, Field(ge=0)]
    fetched_at: AwareDatetime
    raw: Annotated[str, Field(max_length=MAX_RAW_CHARS)]
    content_type: ContentType = "text"
    version: Annotated[int, Field(ge=1)] = 1
    hints: EntryHints = EntryHints()


class SpeakerRef(BaseModel):
    """A pointer to a person of a blog's speaker memory."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str


class Quote(_Event):
    """One quotation with its speaker (or null when attribution is not confident)."""

    event: Literal["quote"] = "quote"
    quote_id: str
    entry_id: str
    blog_id: str
    published_at: AwareDatetime | None
    text: str
    speaker: SpeakerRef | None
    kind: QuoteKind = "direct"
    confidence: Annotated[float, Field(ge=0.0, le=1.0)]
    method: str


class Entity(BaseModel):
    """A person, organisation or place mentioned in an entry."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str
    type: Literal["person", "org", "place"]
    id: str | None = None


class Voice(BaseModel):
    """The sentences of an entry that carry one person's words (`speaker` null: the narrator's).

    `spans` are (start, end) offsets into the entry's text as alerts see it: the headline, a
    blank line, then the body (the body alone when there is no headline).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    speaker: SpeakerRef | None
    spans: tuple[tuple[int, int], ...]


class EnrichedEntry(_Event):
    """An entry after parse, attribute and enrich: what the entries topic and sinks carry."""

    schema_version: Annotated[int, _reads(ENTRY_SCHEMA_VERSION)] = ENTRY_SCHEMA_VERSION
    event: Literal["entry"] = "entry"
    entry_id: str
    blog_id: str
    seq: int
    published_at: AwareDatetime | None
    printed_time: str | None
    headline: str | None
    body: str
    speakers: tuple[SpeakerRef, ...] = ()
    quotes: tuple[Quote, ...] = ()
    entities: tuple[Entity, ...] = ()
    keywords: tuple[str, ...] = ()
    version: int = 1
    source: str = ""
    language: str | None = None
    #: who speaks where (`streams.attribution.voices`), speakers first, the narrator last; null
    #: in records of version 1, whose voices the alert matcher works out itself
    voices: tuple[Voice, ...] | None = None


class Speaker(_Event):
    """A person the blog quotes, as the speaker memory knows them."""

    event: Literal["speaker"] = "speaker"
    id: str
    blog_id: str
    name: str
    aliases: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    descriptors: tuple[str, ...] = ()
    gender: Literal["m", "f"] | None = None
    kind: Literal["person", "org"] = "person"  # an organisation that speaks is no person
    quote_count: int = 0


class Match(BaseModel):
    """One term of a subscription filter found in a text, with its character offsets."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    term: str
    start: int
    end: int


class Subscription(_Event):
    """A saved filter and where to deliver its alerts."""

    event: Literal["subscription"] = "subscription"
    id: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.:-]+$")]
    filter: Annotated[str, Field(min_length=1, max_length=4000)]
    notify: tuple[str, ...] = ()
    created_at: AwareDatetime | None = None


class Alert(_Event):
    """A subscription matched a quote or an entry."""

    event: Literal["alert"] = "alert"
    alert_id: str
    subscription_id: str
    blog_id: str
    entry_id: str
    quote_id: str | None = None
    speaker: SpeakerRef | None = None
    text: str
    matches: tuple[Match, ...] = ()
    published_at: AwareDatetime | None = None
    created_at: dt.datetime | None = None
    digest_count: int = 0


class DeadLetter(_Event):
    """A record that failed validation or a stage, kept with the reason and the original payload."""

    event: Literal["dead_letter"] = "dead_letter"
    dead_letter_id: str
    stage: str
    reason: str
    payload: str
    payload_size: int
    truncated: bool = False
    blog_id: str | None = None
    created_at: AwareDatetime | None = None
