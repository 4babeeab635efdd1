"""The one settings object, built once at start-up and passed down.

Every field can be set from the environment with the `LIVEBLOG_` prefix (`LIVEBLOG_DB`,
`LIVEBLOG_BROKER`, ...) or from a `.env` file; CLI flags override them. No other module reads
`os.environ`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    """Runtime configuration of every liveblog command."""

    model_config = SettingsConfigDict(
        env_prefix="LIVEBLOG_", env_file=".env", extra="ignore", frozen=True
    )

    # storage
    db: str = Field("liveblog.db", description="SQLite path or postgresql:// URL of the sink")
    # kafka
    broker: str = Field("kafka://127.0.0.1:9092", description="Kafka bootstrap, kafka://HOST:PORT")
    topic_prefix: str = Field("liveblog", description="prefix of every topic name")
    partitions: int = Field(4, ge=1, description="partitions of the keyed topics")
    replication: int = Field(1, ge=1)
    app_id: str = Field("liveblog", description="Faust app id (consumer group)")
    session_timeout: float = Field(
        10.0, ge=6.0, le=300.0, description="seconds before a silent worker leaves its group"
    )
    commit_interval: float = Field(1.0, gt=0, description="seconds between offset commits")
    max_fetch_bytes: int = Field(
        1_048_576, ge=1024, description="bytes fetched per partition and request"
    )
    sink_group: str | None = Field(None, description="consumer group of `liveblog sink`")
    sink_batch_size: int = Field(500, ge=1, description="records per sink write")
    sink_batch_seconds: float = Field(0.5, gt=0, description="longest wait to fill a sink batch")
    sink_retry_timeout: float = Field(
        120.0,
        gt=0,
        le=280,
        description="seconds a failed sink write is retried (database restarting) before the "
        "sink exits; under the consumer's 300 s poll interval",
    )
    metrics_port: int | None = Field(
        None, ge=0, le=65535, description="Prometheus /metrics port of worker and sink (off: unset)"
    )
    metrics_host: str = Field("127.0.0.1", description="address /metrics listens on")
    worker_dir: Path = Field(
        default_factory=lambda: Path(tempfile.gettempdir()) / "liveblog-worker",
        description="Faust's scratch directory (the worker's state lives in Kafka)",
    )
    # input bounds
    max_file_bytes: int = Field(20_000_000, ge=1, description="largest source file accepted")
    max_entry_chars: int = Field(100_000, ge=1, description="largest entry block accepted")
    # attribution
    min_confidence: float = Field(
        0.4,
        ge=0.0,
        le=1.0,
        description="below this probability that the speaker is right a quote has no speaker "
        "(docs/attribution.md: the precision/recall of each threshold)",
    )
    speakers_file: Path | None = Field(None, description="optional YAML knowledge file of people")
    max_speakers: int = Field(
        200,
        ge=1,
        description="learned people a blog's speaker memory keeps; beyond it the least recently "
        "mentioned are forgotten (knowledge-file people come on top)",
    )
    # web
    web_host: str = "127.0.0.1"
    web_port: int = Field(6066, ge=1, le=65535)
    api_token: SecretStr | None = Field(None, description="bearer token of the HTTP API")
    feed_heartbeat: float = Field(15.0, gt=0, description="seconds between feed heartbeats")
    feed_max_clients: int = Field(200, ge=1, description="open SSE/WebSocket feeds at most")
    worker_web: bool = Field(False, description="Kafka mode: serve page, feeds and API on a worker")
    feed_db: Path | None = Field(None, description="Kafka mode: the worker's feed log (SQLite)")
    # alerts and delivery (streams/alerts/policy.py, connectors/sinks/delivery.py)
    alert_limit: int = Field(10, ge=1, description="alerts per subscription per window")
    alert_window: float = Field(60.0, gt=0, description="seconds of the alert throttle window")
    delivery_attempts: int = Field(4, ge=1, le=20, description="tries per alert and target")
    delivery_backoff: float = Field(1.0, gt=0, description="first retry delay; doubles each try")
    delivery_timeout: float = Field(10.0, gt=0, description="seconds allowed for one send")
    produce_timeout: float = Field(
        40.0, gt=0, le=600, description="seconds a raw entry may wait for the broker's ack"
    )
    # live sources (connectors/sources/http/poller.py)
    poll_interval: float = Field(30.0, gt=0, description="seconds between polls of a source")
    http_timeout: float = Field(15.0, gt=0, description="seconds allowed for one fetch")
    max_page_bytes: int = Field(8_000_000, ge=1, description="largest polled page accepted")
    max_redirects: int = Field(5, ge=0, description="redirects followed per fetch")
    user_agent: str = Field(
        "liveblog-connector/0.1 (live-blog poller; honours ETag and Retry-After)",
        description="User-Agent header of every poll",
    )
    cursor_dir: Path = Field(Path(".liveblog/cursors"), description="connector cursor files")
    # logging
    log_level: str = "INFO"
    log_format: Literal["console", "json"] = "console"
