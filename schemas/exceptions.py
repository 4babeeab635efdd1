"""The one exception hierarchy of liveblog.

LiveblogError
├── ConfigError          settings or a data file is wrong
├── SourceError          a connector could not read its source
│   ├── DecodeError      bytes that are not text in the expected encoding
│   ├── PayloadTooLarge  input over a configured bound
│   ├── NoEntriesError   a source that holds no timed entry
│   ├── FetchError       an HTTP fetch failed (carries status and retry_after)
│   └── RetryLater       a polling source asks to be polled again after `delay` seconds
├── SchemaError          a record that does not validate against its model
├── StageError           a pipeline stage failed on one record (carries the stage)
├── SinkError            a storage or delivery sink failed
└── FilterSyntaxError    a subscription filter that does not parse (carries the position)
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DecodeError",
    "FetchError",
    "FilterSyntaxError",
    "LiveblogError",
    "NoEntriesError",
    "PayloadTooLarge",
    "RetryLater",
    "SchemaError",
    "SinkError",
    "SourceError",
    "StageError",
]


class LiveblogError(Exception):
    """Root of every error liveblog raises on purpose."""


class ConfigError(LiveblogError):
    """Settings, a sidecar or a knowledge file is invalid."""


class SourceError(LiveblogError):
    """A connector could not read its source."""


class DecodeError(SourceError):
    """The source's bytes are not text in the expected encoding."""


class PayloadTooLarge(SourceError):
    """The input is larger than the configured bound."""

    def __init__(self, message: str, *, size: int, limit: int) -> None:
        super().__init__(message)
        self.size = size
        self.limit = limit


class NoEntriesError(SourceError):
    """The source holds no timed live-blog entry."""


class FetchError(SourceError):
    """An HTTP fetch failed: a status the poller does not accept, a timeout or a transport error."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class RetryLater(SourceError):
    """A polling source failed and asks to be polled again: after at least `delay` seconds (a
    server's Retry-After), or, with `delay` None, when the runner's retry policy says."""

    def __init__(self, message: str, *, delay: float | None = None) -> None:
        super().__init__(message)
        self.delay = delay


class SchemaError(LiveblogError):
    """A record does not validate against its event model."""


class StageError(LiveblogError):
    """A pipeline stage failed on one record."""

    def __init__(self, message: str, *, stage: str) -> None:
        super().__init__(message)
        self.stage = stage


class SinkError(LiveblogError):
    """A storage or delivery sink failed."""


class FilterSyntaxError(LiveblogError):
    """A subscription filter does not parse; `position` is the 0-based offset of the fault."""

    def __init__(self, message: str, *, position: int, expression: str = "") -> None:
        super().__init__(message)
        self.position = position
        self.expression = expression

    def __str__(self) -> str:
        base = super().__str__()
        if not self.expression:
            return f"{base} (at position {self.position})"
        return (
            f"{base} (at position {self.position})\n  {self.expression}\n  {' ' * self.position}^"
        )
