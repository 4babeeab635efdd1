"""One polite, bounded HTTP GET through an injected `httpx.AsyncClient`.

Conditional (`If-None-Match`, `If-Modified-Since`), with a clear User-Agent, http and https only,
redirects followed by hand up to a bound (each hop checked), the body read as a stream and cut
off at a maximum size, and one deadline over the whole exchange. Compressed bodies (gzip,
deflate; nothing else is asked for) are inflated here, from the raw stream, in pieces of at most
`INFLATE_CHUNK` bytes, so a gzip bomb stops near the size cap instead of being inflated one
network read at a time (httpx's own decoder inflates each read whole: 64 KB of zeros is 64 MB).
Every failure is a `FetchError` (with the status and any `Retry-After`) or `PayloadTooLarge`.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from connectors.sources.files import decode_bytes
from schemas.exceptions import DecodeError, FetchError, PayloadTooLarge

__all__ = [
    "INFLATE_CHUNK",
    "FetchPolicy",
    "FetchResult",
    "Validators",
    "decode_page",
    "fetch",
    "retry_after_seconds",
]

_REDIRECTS = {301, 302, 303, 307, 308}

#: the most bytes one inflate step may produce
INFLATE_CHUNK = 64 * 1024
#: Content-Encoding -> zlib `wbits` (None: as sent)
_CODINGS: dict[str, int | None] = {
    "": None,
    "identity": None,
    "gzip": 16 + zlib.MAX_WBITS,
    "x-gzip": 16 + zlib.MAX_WBITS,
    "deflate": zlib.MAX_WBITS,
}


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """The bounds of one fetch."""

    user_agent: str = "liveblog-connector/0.1"
    timeout: float = 15.0
    max_bytes: int = 8_000_000
    max_redirects: int = 5
    accept: str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.5"


@dataclass(frozen=True, slots=True)
class Validators:
    """What the server said last time, for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A 200 with its body, or a 304 (`body` None)."""

    status: int
    url: str
    body: bytes | None
    content_type: str
    charset: str | None
    validators: Validators
    redirects: int = 0

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """`Retry-After` as seconds from `now`: delta-seconds or an HTTP date; None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def _check_scheme(url: httpx.URL) -> None:
    if url.scheme not in ("http", "https"):
        raise FetchError(f"{url}: only http and https URLs are fetched, not {url.scheme!r}")


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    *,
    policy: FetchPolicy,
    validators: Validators = Validators(),
    now: datetime | None = None,
) -> FetchResult:
    """GET `url` within `policy`; a 304 when the validators still hold."""
    try:
        target = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise FetchError(f"{url!r} is not a URL: {exc}") from exc
    _check_scheme(target)
    headers = {
        "User-Agent": policy.user_agent,
        "Accept": policy.accept,
        "Accept-Encoding": "gzip, deflate",
    }
    if validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    try:
        async with asyncio.timeout(policy.timeout):
            return await _follow(client, target, headers, policy, now or datetime.now(UTC))
    except TimeoutError as exc:
        raise FetchError(f"{url}: no complete answer within {policy.timeout:g} s") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc


async def _follow(
    client: httpx.AsyncClient,
    target: httpx.URL,
    headers: dict[str, str],
    policy: FetchPolicy,
    now: datetime,
) -> FetchResult:
    timeout = httpx.Timeout(policy.timeout)
    visited: list[str] = []
    for hop in range(policy.max_redirects + 1):
        visited.append(str(target))
        request = client.build_request("GET", target, headers=headers, timeout=timeout)
        response = await client.send(request, stream=True, follow_redirects=False)
        try:
            if response.status_code in _REDIRECTS:
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(f"{target}: redirect without a Location", status=302)
                target = target.join(location)
                _check_scheme(target)
                continue
            return await _result(response, target, hop, policy, now)
        finally:
            await response.aclose()
    raise FetchError(
        f"{visited[0]}: more than {policy.max_redirects} redirects "
        f"({' -> '.join(visited[-3:])} -> ...)",
        status=310,
    )


async def _result(
    response: httpx.Response, target: httpx.URL, hops: int, policy: FetchPolicy, now: datetime
) -> FetchResult:
    status = response.status_code
    validators = Validators(
        etag=response.headers.get("ETag"), last_modified=response.headers.get("Last-Modified")
    )
    content_type = response.headers.get("Content-Type", "")
    if status == 304:
        return FetchResult(304, str(target), None, content_type, None, validators, hops)
    if status != 200:
        retry = retry_after_seconds(response.headers.get("Retry-After"), now)
        raise FetchError(f"{target}: HTTP {status}", status=status, retry_after=retry)
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > policy.max_bytes:
        raise PayloadTooLarge(
            f"{target}: Content-Length {declared} is over the {policy.max_bytes}-byte limit",
            size=int(declared),
            limit=policy.max_bytes,
        )
    coding = response.headers.get("Content-Encoding", "").strip().lower()
    if coding not in _CODINGS:
        raise FetchError(f"{target}: Content-Encoding {coding!r} is not one this fetcher reads")
    chunks: list[bytes] = []
    size = 0
    async for chunk in inflate(response.aiter_raw(), _CODINGS[coding], target):
        size += len(chunk)
        if size > policy.max_bytes:
            raise PayloadTooLarge(
                f"{target}: body over the {policy.max_bytes}-byte limit; stopped reading",
                size=size,
                limit=policy.max_bytes,
            )
        chunks.append(chunk)
    return FetchResult(
        200,
        str(target),
        b"".join(chunks),
        content_type,
        response.charset_encoding,
        validators,
        hops,
    )


async def inflate(
    raw: AsyncIterator[bytes], wbits: int | None, target: object = "body"
) -> AsyncIterator[bytes]:
    """The decoded body of a raw stream, in pieces of at most `INFLATE_CHUNK` bytes (`wbits`
    None: the stream as it is). The caller stops reading at its cap, so at most one piece past
    it is ever made."""
    if wbits is None:
        async for chunk in raw:
            yield chunk
        return
    inflater = zlib.decompressobj(wbits)
    first = True
    try:
        async for chunk in raw:
            if first and wbits == zlib.MAX_WBITS and chunk and chunk[0] & 0x0F != 8:
                # "deflate" sent raw, without the zlib header (as some servers do)
                inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            first = False
            data = chunk
            while data and not inflater.eof:
                piece = inflater.decompress(data, INFLATE_CHUNK)
                data = inflater.unconsumed_tail
                if piece:
                    yield piece
        rest = inflater.flush()
    except zlib.error as exc:
        raise FetchError(f"{target}: the compressed body is damaged: {exc}") from exc
    if rest:
        yield rest


def decode_page(body: bytes, charset: str | None) -> str:
    """A page's text: the charset the server declared, else a BOM or UTF-8, else the charset the
    page declares in a `<meta>` element, else Windows-1252; undecodable bytes are replaced."""
    if charset:
        try:
            return body.decode(charset, errors="replace")
        except LookupError:
            pass
    try:
        return decode_bytes(body, name="page")
    except DecodeError:
        pass
    head = HTMLParser(body[:4096].decode("latin-1"))
    declared: str | None = None
    meta = head.css_first("meta[charset]")
    if meta is not None:
        declared = meta.attributes.get("charset")
    else:
        for node in head.css("meta[http-equiv]"):
            content = (node.attributes.get("content") or "").lower()
            if "charset=" in content:
                declared = content.split("charset=", 1)[1].split(";")[0].strip()
    for name in (declared, "cp1252"):
        if not name:
            continue
        try:
            return body.decode(name, errors="replace")
        except LookupError:
            continue
    return body.decode("latin-1")
