"""Dead-letter records: what failed, where, why, and the original payload (bounded)."""

from __future__ import annotations

from datetime import datetime

from schemas.events import DeadLetter, stable_id

__all__ = ["MAX_PAYLOAD_CHARS", "dead_letter"]

#: the payload kept on a dead letter; the size of the whole is always recorded
MAX_PAYLOAD_CHARS = 65_536


def dead_letter(
    stage: str,
    reason: str,
    payload: bytes | str,
    *,
    now: datetime,
    blog_id: str | None = None,
) -> DeadLetter:
    """A dead letter for `payload`; undecodable bytes are kept as backslash escapes."""
    size = len(payload)
    text = (
        payload.decode("utf-8", errors="backslashreplace")
        if isinstance(payload, bytes)
        else payload
    )
    truncated = len(text) > MAX_PAYLOAD_CHARS
    return DeadLetter(
        dead_letter_id=stable_id(stage, reason, size, text[:4096]),
        stage=stage,
        reason=reason[:2000],
        payload=text[:MAX_PAYLOAD_CHARS],
        payload_size=size,
        truncated=truncated,
        blog_id=blog_id,
        created_at=now,
    )
