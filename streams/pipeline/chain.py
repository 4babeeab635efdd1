"""The stages chained: raw entry -> parse -> attribute -> enrich, with explicit per-blog state.

This is the one function both the embedded runner and the Faust agents call, so both give the
same output for the same input.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import BaseModel, ConfigDict, Field

from schemas.events import EnrichedEntry, RawEntry
from schemas.exceptions import LiveblogError, StageError
from streams.attribution.memory import SpeakerMemory
from streams.attribution.stage import DEFAULT_MIN_CONFIDENCE, attribute
from streams.core.models import ParseState
from streams.pipeline.enrich import enrich
from streams.pipeline.parse import parse

__all__ = ["BlogState", "Extra", "process"]

#: a per-entry step after the stages (matching subscriptions, say) that yields more records; both
#: runtimes take a list of them
Extra = Callable[[EnrichedEntry], Sequence[BaseModel]]


class BlogState(BaseModel):
    """Everything the stages remember about one blog between entries."""

    model_config = ConfigDict(extra="forbid")

    parse: ParseState = Field(default_factory=ParseState)
    memory: SpeakerMemory = Field(default_factory=SpeakerMemory)


def process(
    raw: RawEntry, state: BlogState, *, min_confidence: float = DEFAULT_MIN_CONFIDENCE
) -> tuple[EnrichedEntry, BlogState]:
    """Run every stage on one raw entry; a failure is a `StageError` naming the stage.

    `min_confidence` is `Settings.min_confidence`: a quote attributed with less has no speaker.
    """
    stage = "parse"
    try:
        parsed, parse_state = parse(raw, state.parse)
        stage = "attribute"
        attribution, memory = attribute(parsed, state.memory, min_confidence=min_confidence)
        stage = "enrich"
        entry = enrich(parsed, attribution, memory)
    except LiveblogError as exc:
        raise StageError(f"{stage}: {exc}", stage=stage) from exc
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        raise StageError(f"{stage}: {type(exc).__name__}: {exc}", stage=stage) from exc
    return entry, BlogState(parse=parse_state, memory=memory)
