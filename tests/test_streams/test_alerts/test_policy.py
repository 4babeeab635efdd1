"""Alerts: deterministic ids, one per subscription and quote, throttled into digests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from schemas.events import Alert
from streams.alerts.policy import AlertPolicy, SubscriptionState, admit, alert_id, due, flush

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _alert(n: int, sub: str = "s1") -> Alert:
    return Alert(
        alert_id=alert_id(sub, f"q{n}"),
        subscription_id=sub,
        blog_id="b",
        entry_id=f"e{n}",
        quote_id=f"q{n}",
        text=f"quote number {n}",
        created_at=T0,
    )


class TestAlertIds:
    def test_deterministic(self) -> None:
        """The same subscription and quote give the same id in every run; others differ."""
        assert alert_id("s1", "q1") == alert_id("s1", "q1")
        assert alert_id("s1", "q1") != alert_id("s2", "q1")
        assert alert_id("s1", "q1") != alert_id("s1", "q2")


class TestAdmit:
    def test_duplicate_dropped(self) -> None:
        """A second alert with the same id sends nothing."""
        policy = AlertPolicy()
        sent, state = admit(_alert(1), SubscriptionState(), T0, policy)
        assert [a.alert_id for a in sent] == [_alert(1).alert_id]
        again, state2 = admit(_alert(1), state, T0 + timedelta(seconds=1), policy)
        assert again == []
        assert state2 == state

    def test_dedup_survives_a_restart(self) -> None:
        """State serialised and read back (a table, a restart) still knows what was sent."""
        policy = AlertPolicy()
        _, state = admit(_alert(1), SubscriptionState(), T0, policy)
        restored = SubscriptionState.model_validate_json(state.model_dump_json())
        assert admit(_alert(1), restored, T0, policy)[0] == []

    def test_throttle_folds_the_rest_into_one_digest(self) -> None:
        """At most `limit` per window; the rest become one digest when the window is over."""
        policy = AlertPolicy(limit=3, window=60)
        state = SubscriptionState()
        sent: list[Alert] = []
        for n in range(10):
            out, state = admit(_alert(n), state, T0 + timedelta(seconds=n), policy)
            sent.extend(out)
        assert [a.quote_id for a in sent] == ["q0", "q1", "q2"]
        assert due("s1", state, T0 + timedelta(seconds=30), policy)[0] == []
        digests, state = due("s1", state, T0 + timedelta(seconds=61), policy)
        assert len(digests) == 1
        digest = digests[0]
        assert digest.digest_count == 7
        assert digest.entry_id == "e9"
        assert "quote number 3" in digest.text
        assert "and 2 more" in digest.text
        assert state.folded == 0

    def test_next_window_sends_digest_then_alert(self) -> None:
        """An alert after the window first releases the digest of the folded ones."""
        policy = AlertPolicy(limit=1, window=10)
        state = SubscriptionState()
        for n in range(3):
            _, state = admit(_alert(n), state, T0, policy)
        out, state = admit(_alert(9), state, T0 + timedelta(seconds=11), policy)
        assert [(a.digest_count, a.quote_id) for a in out] == [(2, None), (0, "q9")]

    def test_flush_at_shutdown(self) -> None:
        """`flush` gives the open window's digest even before it is over."""
        policy = AlertPolicy(limit=1, window=600)
        state = SubscriptionState()
        for n in range(4):
            _, state = admit(_alert(n), state, T0, policy)
        assert [a.digest_count for a in flush("s1", state, T0)] == [3]

    def test_memory_is_bounded(self) -> None:
        """A subscription remembers at most `remember` ids."""
        policy = AlertPolicy(limit=1000, remember=5)
        state = SubscriptionState()
        for n in range(20):
            _, state = admit(_alert(n), state, T0, policy)
        assert len(state.seen) == 5
