"""Live sources from flags or from a YAML list, built into pollers.

    defaults:              # optional, for every source below
      interval: 60
      tz: Europe/London
    sources:
      - url: https://news.example/live/storm
        blog: storm-orla
        profile: wordpress-liveblog     # optional: a built-in profile name or a YAML file
      - url: https://news.example/live/storm/rss
        kind: feed
        blog: storm-orla-feed
        interval: 120

A bare list of sources is accepted too. Relative profile paths are read from the list's folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import httpx
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from connectors.sources.http.extract import load_profile
from connectors.sources.http.feeds import feed_extractor
from connectors.sources.http.fetch import FetchPolicy
from connectors.sources.http.poller import HttpPoller, page_extractor
from schemas.exceptions import ConfigError
from streams.core.clock import Clock, system_clock
from streams.core.settings import Settings

__all__ = ["FEED_ACCEPT", "SourceSpec", "build_poller", "load_sources"]

FEED_ACCEPT = "application/atom+xml,application/rss+xml,application/xml;q=0.9,text/xml;q=0.8"
_MAX_LIST_BYTES = 1_000_000


class SourceSpec(BaseModel):
    """One live source."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: Annotated[str, Field(min_length=1, max_length=2000)]
    blog: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.:-]+$")]
    kind: Literal["http", "feed"] = "http"
    interval: Annotated[float | None, Field(gt=0)] = None
    profile: str | None = None
    tz: str | None = None

    @field_validator("url")
    @classmethod
    def _http_only(cls, value: str) -> str:
        if not value.lower().startswith(("http://", "https://")):
            raise ValueError("only http:// and https:// URLs are polled")
        return value


def load_sources(path: Path) -> list[SourceSpec]:
    """The sources of a YAML list; `ConfigError` names the first fault."""
    try:
        if path.stat().st_size > _MAX_LIST_BYTES:
            raise ConfigError(f"{path}: a source list is at most {_MAX_LIST_BYTES} bytes")
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the source list: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    defaults: dict[str, Any] = {}
    if isinstance(data, dict):
        defaults = data.get("defaults") or {}
        data = data.get("sources")
    if not isinstance(data, list) or not data or not isinstance(defaults, dict):
        raise ConfigError(f"{path}: expected a list of sources (or `sources:` with a list)")
    out: list[SourceSpec] = []
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            raise ConfigError(f"{path}: source {i + 1} is not a mapping")
        merged = {**defaults, **item}
        profile = merged.get("profile")
        if isinstance(profile, str) and profile.endswith((".yaml", ".yml")):
            candidate = Path(profile)
            if not candidate.is_absolute():
                candidate = path.parent / candidate
            merged["profile"] = str(candidate)
        try:
            out.append(SourceSpec.model_validate(merged))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "source"
            raise ConfigError(f"{path}: source {i + 1}: {where}: {first['msg']}") from exc
    return out


def build_poller(
    spec: SourceSpec,
    *,
    client: httpx.AsyncClient,
    settings: Settings,
    clock: Clock = system_clock,
) -> HttpPoller:
    """An `HttpPoller` for one source, bounded by the settings."""
    profile = load_profile(spec.profile) if spec.profile else None
    policy = FetchPolicy(
        user_agent=settings.user_agent,
        timeout=settings.http_timeout,
        max_bytes=settings.max_page_bytes,
        max_redirects=settings.max_redirects,
        **({"accept": FEED_ACCEPT} if spec.kind == "feed" else {}),
    )
    extractor = feed_extractor() if spec.kind == "feed" else page_extractor(profile)
    return HttpPoller(
        spec.url,
        spec.blog,
        client=client,
        interval=spec.interval or settings.poll_interval,
        extractor=extractor,
        policy=policy,
        timezone=spec.tz or (profile.timezone if profile else None),
        clock=clock,
        kind=spec.kind,
    )
