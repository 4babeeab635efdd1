"""Alert delivery through Apprise to a real webhook receiver on loopback."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
import structlog
from structlog.testing import capture_logs

from connectors.sinks.delivery import Delivery, format_alert, redact
from schemas.events import Alert, DeadLetter, Match, SpeakerRef
from streams.core.metrics import Metrics
from tests.conftest import free_port
from tests.test_streams.livedata import NOW


def _alert(n: int = 1) -> Alert:
    return Alert(
        alert_id=f"a{n}",
        subscription_id="okafor-rent",
        blog_id="city-budget-live",
        entry_id=f"e{n}",
        quote_id=f"q{n}",
        speaker=SpeakerRef(id="okafor", name="Maria Okafor"),
        text="A rent cap protects families",
        matches=(Match(term="rent", start=2, end=6),),
        published_at=NOW,
        created_at=NOW,
    )


@pytest.fixture(autouse=True)
def fixture_fresh_logging() -> None:
    """structlog as by default, whatever an earlier CLI test configured (its stderr is gone)."""
    structlog.reset_defaults()


class TestDelivery:
    async def test_webhook_receives_alert(self, receiver: tuple[int, list[dict[str, Any]]]) -> None:
        """An alert reaches a json:// webhook with its title and text."""
        port, got = receiver
        dead: list[DeadLetter] = []
        delivery = Delivery(dead.append, attempts=2, backoff=0.05, timeout=5)
        delivery.start()
        delivery.submit(_alert(), [f"json://127.0.0.1:{port}/hook"])
        assert await delivery.drain(20)
        await delivery.stop()
        assert dead == []
        assert len(got) == 1
        assert "Maria Okafor" in got[0]["title"]
        assert "A rent cap protects families" in got[0]["message"]
        assert "matched: rent" in got[0]["message"]
        assert delivery.stats.delivered == 1

    async def test_deliver_returns_once_delivered(
        self, receiver: tuple[int, list[dict[str, Any]]]
    ) -> None:
        """`deliver` returns only after every target took the alert (nothing left in flight)."""
        port, got = receiver
        delivery = Delivery(lambda _: None, attempts=2, backoff=0.05, timeout=5)
        await asyncio.wait_for(
            delivery.deliver(_alert(), [f"json://127.0.0.1:{port}/hook"] * 2), 20
        )
        assert len(got) == 2 and delivery.stats.delivered == 2

    async def test_deliver_awaits_the_dead_letter(self) -> None:
        """For a dead target `deliver` returns only after the (async) dead-letter callback has
        finished, so a caller acknowledging afterwards never loses the alert."""
        with socket.socket() as held:
            held.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
            port = held.getsockname()[1]
            handed: list[DeadLetter] = []

            async def dead(letter: DeadLetter) -> None:
                await asyncio.sleep(0)
                handed.append(letter)

            delivery = Delivery(dead, attempts=2, backoff=0.05, timeout=2)
            await asyncio.wait_for(delivery.deliver(_alert(), [f"json://127.0.0.1:{port}/h"]), 30)
        assert len(handed) == 1 and "failed after 2 attempts" in handed[0].reason
        assert delivery.stats.dead_lettered == 1

    async def test_dead_target_retried_then_dead_lettered(self) -> None:
        """A target that is down is tried `attempts` times, then the alert is dead-lettered."""
        port = free_port()  # nothing listens there
        dead: list[DeadLetter] = []
        delivery = Delivery(dead.append, attempts=3, backoff=0.05, timeout=2)
        delivery.start()
        url = f"json://user:s3cretpw@127.0.0.1:{port}/t0ken-path?key=qs3cret"
        with capture_logs() as logs:
            delivery.submit(_alert(), [url])
            assert await delivery.drain(30)
        await delivery.stop()
        assert delivery.stats.retried == 2
        assert len(dead) == 1
        letter = dead[0]
        assert letter.stage == "delivery"
        assert "failed after 3 attempts" in letter.reason
        assert f"127.0.0.1:{port}" in letter.reason
        assert '"alert_id":"a1"' in letter.payload
        text = repr(logs) + letter.reason
        for secret in ("s3cretpw", "t0ken-path", "qs3cret"):
            assert secret not in text

    async def test_submit_never_waits(self) -> None:
        """Submitting to a slow target returns at once; a full queue dead-letters."""
        started = asyncio.Event()

        async def slow(url: str, title: str, body: str, timeout: float) -> bool:
            started.set()
            await asyncio.sleep(30)
            return True

        dead: list[DeadLetter] = []
        delivery = Delivery(dead.append, send=slow, queue_size=2, concurrency=1, timeout=60)
        delivery.start()
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        for n in range(5):
            delivery.submit(_alert(n), ["json://127.0.0.1:9/x"])
        assert loop.time() - t0 < 0.1
        await asyncio.wait_for(started.wait(), 5)
        await delivery.stop()
        assert [d.reason.endswith("delivery queue is full") for d in dead] == [True] * 3


class TestRedact:
    @pytest.mark.parametrize(
        ("url", "shown", "hidden"),
        [
            ("json://127.0.0.1:8080/secret-path", "json://127.0.0.1:8080/", "secret-path"),
            ("tgram://123456:ABCDEF/98765", "tgram://***/", "ABCDEF"),
            ("slack://T1/B2/XyZsecret/#news", "slack://***/", "XyZsecret"),
            ("mailto://me:pw123@mail.example", "mailto://***/", "pw123"),
            ("ntfy://my-private-topic", "ntfy://***/", "my-private-topic"),
        ],
    )
    def test_no_secret_survives(self, url: str, shown: str, hidden: str) -> None:
        """Redacted URLs keep the scheme (and a web hook's host), never tokens or paths."""
        out = redact(url)
        assert out.startswith(shown)
        assert hidden not in out
        assert redact(url) == out

    def test_format_alert(self) -> None:
        """The notification names the speaker and subscription and carries the text."""
        title, body = format_alert(_alert())
        assert title == "liveblog: Maria Okafor (okafor-rent)"
        assert body.startswith("A rent cap protects families")


class TestDeliveryRetryPolicy:
    """Delivery retries through `streams.core.retry`: counted, bounded, then dead-lettered."""

    async def test_retries_are_counted_and_end_in_a_dead_letter(self) -> None:
        """A target that refuses twice then takes the alert is retried twice (the counter says
        so) and delivered; one that always refuses is dead-lettered after `attempts` tries."""
        calls: dict[str, int] = {}

        async def flaky(url: str, title: str, body: str, timeout: float) -> bool:
            calls[url] = calls.get(url, 0) + 1
            return url.endswith("/ok") and calls[url] >= 3

        metrics = Metrics()
        dead: list[DeadLetter] = []
        delivery = Delivery(
            dead.append, send=flaky, attempts=3, backoff=0.01, max_backoff=0.02, metrics=metrics
        )
        await delivery.deliver(_alert(), ["json://127.0.0.1:9/ok", "json://127.0.0.1:9/down"])
        assert calls == {"json://127.0.0.1:9/ok": 3, "json://127.0.0.1:9/down": 3}
        assert delivery.stats.delivered == 1 and delivery.stats.dead_lettered == 1
        assert metrics.value("liveblog_retries_total", what="delivery") == 4
        assert len(dead) == 1 and "failed after 3 attempts" in dead[0].reason
        assert "refused the notification" in dead[0].reason

    async def test_an_exception_in_send_is_a_failed_try(self) -> None:
        """A sender that raises OSError counts as a failed try with the exception's name."""

        async def broken(url: str, title: str, body: str, timeout: float) -> bool:
            raise ConnectionRefusedError("no")

        dead: list[DeadLetter] = []
        delivery = Delivery(dead.append, send=broken, attempts=2, backoff=0.01)
        await delivery.deliver(_alert(), ["json://127.0.0.1:9/x"])
        assert len(dead) == 1 and "ConnectionRefusedError" in dead[0].reason
