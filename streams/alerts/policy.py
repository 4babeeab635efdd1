"""Alerts from hits: deterministic ids, deduplication and throttling per subscription.

Pure: the state of one subscription goes in and comes back (`admit`), so the embedded runner
keeps it in a dict and the Kafka alert agent in a Faust table keyed by subscription id.

- An alert's id is `stable_id(subscription, quote or entry)`: the same match gives the same id
  in every run, and a subscription alerts once per quote (or entry), also across restarts and
  replays, since the ids it has alerted on are part of its state (and of the alerts table).
- At most `limit` alerts per subscription per `window` seconds; the rest are folded into one
  digest alert, sent when the window is over (`due`), with how many it stands for.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from schemas.events import Alert, stable_id
from streams.alerts.matching import Hit

__all__ = ["AlertPolicy", "SubscriptionState", "admit", "alert_for", "alert_id", "due", "flush"]

#: texts of folded alerts a digest quotes, and how much of each
_DIGEST_SAMPLES = 5
_SAMPLE_CHARS = 200


class AlertPolicy(BaseModel):
    """How many alerts a subscription may send per window, and how many ids it remembers."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    limit: int = Field(10, ge=1)
    window: float = Field(60.0, gt=0)
    remember: int = Field(10_000, ge=1)


class SubscriptionState(BaseModel):
    """What one subscription remembers between alerts (a Faust table value in Kafka mode)."""

    model_config = ConfigDict(extra="forbid")

    seen: list[str] = Field(default_factory=list)
    window_start: datetime | None = None
    sent: int = 0
    folded: int = 0
    folded_last: Alert | None = None
    samples: list[str] = Field(default_factory=list)


def alert_id(subscription_id: str, ref_id: str) -> str:
    """The deterministic id of the alert of `subscription_id` on a quote or entry id."""
    return stable_id("alert", subscription_id, ref_id)


def alert_for(hit: Hit, *, now: datetime) -> Alert:
    """The alert a hit gives."""
    doc = hit.document
    return Alert(
        alert_id=alert_id(hit.subscription_id, doc.ref_id()),
        subscription_id=hit.subscription_id,
        blog_id=doc.blog_id,
        entry_id=doc.entry_id,
        quote_id=doc.quote_id,
        speaker=hit.speaker,
        text=doc.text,
        matches=hit.matches,
        published_at=doc.published_at,
        created_at=now,
    )


def _digest(subscription_id: str, state: SubscriptionState, now: datetime) -> Alert:
    last = state.folded_last
    assert last is not None and state.window_start is not None
    lines = [f"{state.folded} more alerts of subscription {subscription_id} were folded:"]
    lines.extend(f"- {sample}" for sample in state.samples)
    if state.folded > len(state.samples):
        lines.append(f"- and {state.folded - len(state.samples)} more")
    return Alert(
        alert_id=stable_id("digest", subscription_id, state.window_start.isoformat()),
        subscription_id=subscription_id,
        blog_id=last.blog_id,
        entry_id=last.entry_id,
        text="\n".join(lines),
        published_at=last.published_at,
        created_at=now,
        digest_count=state.folded,
    )


def due(
    subscription_id: str, state: SubscriptionState, now: datetime, policy: AlertPolicy
) -> tuple[list[Alert], SubscriptionState]:
    """The digest of a window that is over, if alerts were folded in it."""
    if state.window_start is None:
        return [], state
    if now - state.window_start < timedelta(seconds=policy.window):
        return [], state
    out = [_digest(subscription_id, state, now)] if state.folded else []
    return out, state.model_copy(
        update={"window_start": None, "sent": 0, "folded": 0, "folded_last": None, "samples": []}
    )


def flush(subscription_id: str, state: SubscriptionState, now: datetime) -> list[Alert]:
    """The digest of the current window now, whether or not it is over (at shutdown)."""
    return [_digest(subscription_id, state, now)] if state.folded else []


def admit(
    alert: Alert, state: SubscriptionState, now: datetime, policy: AlertPolicy
) -> tuple[list[Alert], SubscriptionState]:
    """What to send for one candidate alert: nothing (a duplicate, or folded), it, or a digest
    of the last window and it."""
    if alert.alert_id in state.seen:
        return [], state
    out, state = due(alert.subscription_id, state, now, policy)
    seen = [*state.seen, alert.alert_id][-policy.remember :]
    start = state.window_start or now
    if state.sent < policy.limit:
        out.append(alert)
        return out, state.model_copy(
            update={"seen": seen, "window_start": start, "sent": state.sent + 1}
        )
    samples = state.samples
    if len(samples) < _DIGEST_SAMPLES:
        sample = (
            alert.text if len(alert.text) <= _SAMPLE_CHARS else alert.text[:_SAMPLE_CHARS] + "…"
        )
        samples = [*samples, sample]
    return out, state.model_copy(
        update={
            "seen": seen,
            "window_start": start,
            "folded": state.folded + 1,
            "folded_last": alert,
            "samples": samples,
        }
    )
