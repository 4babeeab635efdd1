"""CSS-selector profiles (YAML) for sites the built-in markup detection does not fit.

A profile names the entry element and, optionally, where each field is:

    name: example-news
    entry: "article.live-post"           # one element per entry (required)
    id: "@data-post-id"                   # "@attr" of the entry, "selector@attr", or "selector"
    time: ["time@datetime", "@data-ts"]   # absolute stamps, first hit wins
    printed_time: ".post-time"            # a printed clock time (`14:24 Uhr`, `2:24 p.m.`)
    headline: "h3.post-title"
    body: ".post-body"                    # default: the entry minus headline and time
    remove: [".share-bar", ".byline"]     # dropped from the body
    detect: "#live-posts article"         # built-in profiles: used when this matches the page

Built-in profiles live in `connectors/sources/http/extract/profiles/*.yaml`; `--profile NAME`
picks one by name, `--profile FILE` loads a file.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, tzinfo
from importlib import resources
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node
from selectolax.lexbor import SelectolaxError

from connectors.sources.http.extract.entry import BlockFields, entry_from_block
from connectors.sources.http.extract.model import ExtractedEntry
from connectors.sources.http.extract.times import parse_stamp, relative_delta
from schemas.exceptions import ConfigError
from streams.core.timefmt import leading_time

__all__ = ["Profile", "apply_profile", "builtin_profiles", "load_profile"]

_PROBE = HTMLParser("<p></p>")
_MAX_PROFILE_BYTES = 100_000


def _check_selector(selector: str) -> str:
    try:
        _PROBE.css(selector)
    except SelectolaxError as exc:
        raise ValueError(f"not a CSS selector: {selector!r}") from exc
    return selector


def _split(spec: str) -> tuple[str | None, str | None]:
    """`selector@attr` to its parts; `@attr` is an attribute of the entry itself."""
    if "@" in spec:
        selector, attr = spec.rsplit("@", 1)
        return (selector.strip() or None), attr.strip()
    return spec.strip(), None


class Profile(BaseModel):
    """Where a site keeps its entries and their fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=100)]
    entry: str
    id: str | None = None
    time: tuple[str, ...] = ()
    printed_time: str | None = None
    headline: str | None = None
    body: str | None = None
    remove: tuple[str, ...] = ()
    detect: str | None = None
    timezone: str | None = None

    @field_validator("time", "remove", mode="before")
    @classmethod
    def _listify(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @field_validator("entry", "headline", "body", "detect", "printed_time")
    @classmethod
    def _selector(cls, value: str | None) -> str | None:
        return _check_selector(value) if value is not None else None

    @field_validator("remove")
    @classmethod
    def _selectors(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_check_selector(v) for v in value)

    @field_validator("time")
    @classmethod
    def _specs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for spec in value:
            selector, _ = _split(spec)
            if selector:
                _check_selector(selector)
        return value

    @field_validator("id")
    @classmethod
    def _id_spec(cls, value: str | None) -> str | None:
        if value:
            selector, _ = _split(value)
            if selector:
                _check_selector(selector)
        return value


def _parse_profile(text: str, origin: str) -> Profile:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{origin}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: a profile is a mapping with at least `name` and `entry`")
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "profile"
        raise ConfigError(f"{origin}: {where}: {first['msg']}") from exc


def builtin_profiles() -> dict[str, Profile]:
    """The profiles shipped with liveblog, by name."""
    out: dict[str, Profile] = {}
    folder = resources.files("connectors.sources.http.extract") / "profiles"
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith((".yaml", ".yml")):
            profile = _parse_profile(item.read_text(encoding="utf-8"), item.name)
            out[profile.name] = profile
    return out


def load_profile(name_or_path: str) -> Profile:
    """A profile by built-in name or from a YAML file."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        try:
            if path.stat().st_size > _MAX_PROFILE_BYTES:
                raise ConfigError(f"{path}: a profile file is at most {_MAX_PROFILE_BYTES} bytes")
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read profile: {exc}") from exc
        return _parse_profile(text, str(path))
    known = builtin_profiles()
    if name_or_path in known:
        return known[name_or_path]
    raise ConfigError(
        f"unknown profile {name_or_path!r}: give a YAML file or one of {', '.join(sorted(known))}"
    )


def _first(node: Node, spec: str) -> tuple[str | None, str]:
    selector, attr = _split(spec)
    target = node.css_first(selector) if selector else node
    if target is None:
        return None, spec
    if attr:
        value = target.attributes.get(attr)
        return (value.strip() if value else None), spec
    return " ".join(target.text(separator=" ").split()) or None, spec


def apply_profile(
    profile: Profile,
    root: Node,
    *,
    tz: tzinfo,
    fetched_at: datetime,
    page_url: str | None,
    day: date | None = None,
) -> list[ExtractedEntry]:
    """The entries the profile finds under `root`, in document order."""
    fields = BlockFields(headline=profile.headline, body=profile.body, remove=profile.remove)
    source = f"profile:{profile.name}"
    out: list[ExtractedEntry] = []
    for node in root.css(profile.entry):
        ident: str | None = None
        if profile.id:
            ident, _ = _first(node, profile.id)
        entry = entry_from_block(
            node,
            tz=tz,
            fetched_at=fetched_at,
            page_url=page_url,
            day=day,
            fields=fields,
            ident=ident,
            source=source,
        )
        if entry is None:
            continue
        sources = dict(entry.sources)
        when, printed = entry.time, entry.printed_time
        for spec in profile.time:
            value, where = _first(node, spec)
            stamp = parse_stamp(value, tz) if value else None
            if stamp is not None:
                when = stamp
                sources["time"] = f"{source}:{where}"
                break
        if profile.printed_time:
            value, where = _first(node, profile.printed_time)
            found = leading_time(value) if value else None
            if found is not None:
                printed = found.printed
                if "time" not in sources or when is None:
                    sources["time"] = f"{source}:{where}(printed)"
            elif value and when is None and (rel := relative_delta(value)) is not None:
                when = fetched_at - rel
                sources["time"] = f"{source}:{where}(relative-to-fetch)"
        if ident:
            sources["id"] = f"{source}:{profile.id}"
        out.append(dataclasses.replace(entry, time=when, printed_time=printed, sources=sources))
    return out
