"""The alert step of the embedded runner: entries in, admitted alerts out.

The embedded twin of the Kafka alert agents: the same matcher and the same pure `admit`, with the
per-subscription state in a dict (seeded from the alerts table, so that a restarted replay does
not alert again) instead of a Faust table. Hooked in with `EmbeddedRunner(extras=[stage])`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from schemas.events import Alert, EnrichedEntry
from streams.alerts.matching import Matcher
from streams.alerts.policy import AlertPolicy, SubscriptionState, admit, alert_for, due, flush
from streams.attribution.memory import SpeakerMemory
from streams.core.clock import Clock, system_clock

__all__ = ["AlertStage"]


class AlertStage:
    """Matches each entry against the subscriptions and admits the alerts (dedup, throttle)."""

    def __init__(
        self,
        matcher: Matcher,
        *,
        policy: AlertPolicy | None = None,
        clock: Clock = system_clock,
        memory_of: Callable[[str], SpeakerMemory | None] | None = None,
    ) -> None:
        self.matcher = matcher
        self.policy = policy or AlertPolicy()
        self.clock = clock
        self.memory_of = memory_of
        self.states: dict[str, SubscriptionState] = {}

    def remember(self, sent: Iterable[tuple[str, str]]) -> None:
        """Mark (subscription id, alert id) pairs as already alerted (from the alerts table)."""
        for subscription_id, alert_id in sent:
            state = self.states.get(subscription_id, SubscriptionState())
            if alert_id not in state.seen:
                seen = [*state.seen, alert_id][-self.policy.remember :]
                self.states[subscription_id] = state.model_copy(update={"seen": seen})

    def __call__(self, entry: EnrichedEntry) -> list[Alert]:
        if not len(self.matcher):
            return []
        if self.memory_of is not None:
            memory = self.memory_of(entry.blog_id)
            if memory is not None:
                self.matcher.directory.learn_memory(entry.blog_id, memory)
        now = self.clock()
        out: list[Alert] = []
        for hit in self.matcher.match_entry(entry):
            sub = hit.subscription_id
            admitted, self.states[sub] = admit(
                alert_for(hit, now=now), self.states.get(sub, SubscriptionState()), now, self.policy
            )
            out.extend(admitted)
        return out

    def tick(self) -> list[Alert]:
        """Digests of the windows that are over (call it now and then on a live stream)."""
        now = self.clock()
        out: list[Alert] = []
        for sub, state in list(self.states.items()):
            digests, self.states[sub] = due(sub, state, now, self.policy)
            out.extend(digests)
        return out

    def finish(self) -> list[Alert]:
        """Digests of every window still open (at the end of a replay)."""
        now = self.clock()
        out: list[Alert] = []
        for sub, state in list(self.states.items()):
            out.extend(flush(sub, state, now))
            self.states[sub] = state.model_copy(
                update={
                    "window_start": None,
                    "sent": 0,
                    "folded": 0,
                    "folded_last": None,
                    "samples": [],
                }
            )
        return out
