"""Topic names under one prefix, and broker URLs."""

from __future__ import annotations

import pytest

from schemas.exceptions import ConfigError
from streams.core.settings import Settings
from streams.core.topics import TOPIC_KINDS, TopicNames, bootstrap_servers


class TestTopicNames:
    def test_every_kind_has_a_name_under_the_prefix(self) -> None:
        """Each topic kind gets its own name, all under the configured prefix."""
        names = TopicNames.from_settings(Settings(topic_prefix="news.live"))
        everything = names.all()
        assert set(everything) == set(TOPIC_KINDS)
        assert len(set(everything.values())) == len(TOPIC_KINDS)
        assert all(name.startswith("news.live.") for name in everything.values())
        assert names.raw == "news.live.raw-entries"
        assert names.dead_letters == "news.live.dead-letters"

    @pytest.mark.parametrize("prefix", ["", "has space", "a/b", "ünï"])
    def test_bad_prefix_is_refused(self, prefix: str) -> None:
        """A prefix Kafka would not accept in a topic name is a configuration error."""
        with pytest.raises(ConfigError):
            TopicNames(prefix)


class TestBootstrapServers:
    @pytest.mark.parametrize(
        ("broker", "servers"),
        [
            ("kafka://127.0.0.1:9092", ["127.0.0.1:9092"]),
            ("127.0.0.1:19092", ["127.0.0.1:19092"]),
            ("kafka://a:1;kafka://b:2", ["a:1", "b:2"]),
            ("a:1, b:2", ["a:1", "b:2"]),
            ("kafka://broker:9092/", ["broker:9092"]),
        ],
    )
    def test_forms(self, broker: str, servers: list[str]) -> None:
        """Faust's kafka:// form and plain host:port lists give the same server list."""
        assert bootstrap_servers(broker) == servers

    @pytest.mark.parametrize("broker", ["", "kafka://", "kafka://host", "http://a:1", "a:port"])
    def test_bad_broker_is_a_config_error(self, broker: str) -> None:
        """A broker without a host and numeric port is refused with a clear error."""
        with pytest.raises(ConfigError):
            bootstrap_servers(broker)
