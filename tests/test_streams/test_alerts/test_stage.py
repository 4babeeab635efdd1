"""The embedded alert step on the seed: exactly the alerts for a speaker's own words."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.sources.files import FileSource
from schemas.events import Alert, EnrichedEntry, Subscription
from streams.alerts.policy import AlertPolicy
from streams.alerts.stage import AlertStage
from streams.cli.replay import build_meta, raw_items
from streams.core.clock import fixed_clock
from streams.runtime.embedded.runner import EmbeddedRunner
from tests.conftest import SEED

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _replay(path: Path, stage: AlertStage) -> tuple[list[Alert], dict[str, EnrichedEntry]]:
    meta = build_meta(path, blog=None, date=None, tz=None, order=None)
    source = FileSource(path, meta, max_bytes=20_000_000, max_entry_chars=100_000, fetched_at=NOW)
    runner = EmbeddedRunner([], clock=fixed_clock(NOW), extras=[stage])
    stage.memory_of = lambda blog: runner.state(blog).memory
    out = [r for item in raw_items(source, source.blocks()) for r in runner.handle(item)]
    runner.close()
    entries = {r.entry_id: r for r in out if isinstance(r, EnrichedEntry)}
    return [r for r in out if isinstance(r, Alert)], entries


def _times(alerts: list[Alert], entries: dict[str, EnrichedEntry]) -> list[str]:
    out = []
    for alert in alerts:
        when = entries[alert.entry_id].published_at
        assert when is not None
        out.append(when.strftime("%H:%M"))
    return sorted(out)


@pytest.fixture(name="seed_alerts", scope="module")
def fixture_seed_alerts() -> tuple[list[Alert], dict[str, EnrichedEntry]]:
    from streams.alerts.matching import Matcher

    matcher = Matcher(
        [
            Subscription(id="lavrov", filter="speaker:lavrov (veto OR ceasefire)"),
            Subscription(id="guterres", filter="speaker:guterres veto"),
        ]
    )
    return _replay(SEED, AlertStage(matcher, clock=fixed_clock(NOW)))


class TestSeedAlerts:
    def test_lavrov_veto_or_ceasefire(
        self, seed_alerts: tuple[list[Alert], dict[str, EnrichedEntry]]
    ) -> None:
        """Lavrov's ceasefire (14:02), his veto answer (14:07) and veto remark (14:10) only."""
        alerts, entries = seed_alerts
        mine = [a for a in alerts if a.subscription_id == "lavrov"]
        assert _times(mine, entries) == ["14:02", "14:07", "14:10"]
        assert all(a.speaker is not None and a.speaker.id == "lavrov" for a in mine)
        for alert in mine:
            for match in alert.matches:
                assert alert.text[match.start : match.end].lower() in ("veto", "ceasefire")
        # not the 12:33 entry, where only the UN chief calls for a ceasefire,
        # nor the 14:10 entry in which the UN chief speaks of the veto
        guterres_veto = [e for e in entries.values() if e.quotes and "The veto" in e.quotes[0].text]
        assert guterres_veto
        assert all(a.entry_id != guterres_veto[0].entry_id for a in mine)

    def test_guterres_veto(self, seed_alerts: tuple[list[Alert], dict[str, EnrichedEntry]]) -> None:
        """The UN chief's veto remark at 14:10 and nothing of Lavrov's."""
        alerts, entries = seed_alerts
        mine = [a for a in alerts if a.subscription_id == "guterres"]
        assert _times(mine, entries) == ["14:10"]
        assert mine[0].quote_id is not None
        assert mine[0].text.startswith("The veto was an element")
        assert [(m.term, m.start, m.end) for m in mine[0].matches] == [("veto", 4, 8)]

    def test_replay_again_alerts_nothing(self) -> None:
        """With the sent alert ids remembered (the alerts table), a second replay is silent."""
        from streams.alerts.matching import Matcher

        matcher = Matcher([Subscription(id="lavrov", filter="speaker:lavrov (veto OR ceasefire)")])
        stage = AlertStage(matcher, clock=fixed_clock(NOW))
        first, _ = _replay(SEED, stage)
        assert len(first) == 3
        again = AlertStage(matcher, clock=fixed_clock(NOW))
        again.remember((a.subscription_id, a.alert_id) for a in first)
        assert _replay(SEED, again)[0] == []

    def test_throttle_on_the_seed(self) -> None:
        """A broad subscription limited to 2 alerts sends 2 and one digest at the end."""
        from streams.alerts.matching import Matcher

        stage = AlertStage(
            Matcher([Subscription(id="all", filter="speaker:lavrov")]),
            clock=fixed_clock(NOW),
            policy=AlertPolicy(limit=2, window=3600),
        )
        alerts, _ = _replay(SEED, stage)
        assert len(alerts) == 2
        digest = stage.finish()
        assert len(digest) == 1
        assert digest[0].digest_count > 10
