"""An entry block's body as canonical HTML: paragraphs, quote blocks and embedded posts kept apart.

Whatever the publisher's markup, the body handed to the pipeline holds only `<p>`,
`<blockquote>` (a quotation; a `<cite>` that closes it becomes the line introducing it,
`<p>NAME:</p>`, so the quote is NAME's and the name is no quote) and
`<blockquote class="embed" data-embed="KIND">` (an embedded post: its text as one paragraph ending
in the author's byline `— Name (@handle)`, the author again in a `<cite>` the parse stage does not
read; a post without text is an empty element carrying `data-url` and `data-author`), every text
escaped. Page furniture is left out: share bars, bylines and author cards, related links and
teasers, newsletter boxes, ads, "Read more" and "Last updated" lines. The parse stage reads this
with `streams.pipeline.htmltext`; the cursor fingerprints its text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from typing import Literal

from selectolax.lexbor import LexborNode as Node

from connectors.sources.http.extract.times import UPDATED, parse_date
from streams.core.timefmt import leading_time

__all__ = [
    "BodyPart",
    "body_parts",
    "is_furniture_block",
    "is_furniture_text",
    "is_meta",
    "render_parts",
    "text_parts",
]

Kind = Literal["p", "quote", "embed"]

_SKIP = {
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "button",
    "form",
    "input",
    "select",
    "nav",
    "time",
    "img",
    "picture",
    "video",
    "audio",
    "source",
}
_LEAF_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "dd", "dt", "pre"}
_CONTAINERS = {"div", "section", "article", "ul", "ol", "dl", "figure", "main", "aside", "footer"}
#: AMP's embed elements
_AMP_EMBEDS = {
    "amp-twitter": "twitter",
    "amp-instagram": "instagram",
    "amp-youtube": "youtube",
    "amp-facebook": "facebook",
    "amp-bluesky": "bluesky",
    "amp-iframe": "post",
}
_BLOCK_TAGS = (
    _LEAF_BLOCKS
    | _CONTAINERS
    | {"blockquote", "iframe", "table", "tr", "td", "header"}
    | set(_AMP_EMBEDS)
)
_EMBED_HINTS = {
    "twitter": "twitter",
    "tweet": "twitter",
    "x-post": "twitter",
    "instagram": "instagram",
    "tiktok": "tiktok",
    "facebook": "facebook",
    "youtube": "youtube",
    "bluesky": "bluesky",
    "mastodon": "mastodon",
    "telegram": "telegram",
    "embed": "post",
    "social": "post",
}
#: classes of page furniture inside a block: bylines, share bars, timestamps
_META_HINTS = (
    "share",
    "social-share",
    "byline",
    "author",
    "avatar",
    "timestamp",
    "time-ago",
    "meta",
    "tools",
    "actions",
    "sr-only",
    "visually-hidden",
    "screen-reader",
    "advert",
    "newsletter",
    "permalink",
    "footer",
    "related",
    "newsletter",
    "read-more",
    "readmore",
    "more-on",
    "teaser",
    "promo",
    "signup",
    "sign-up",
    "subscribe",
    "outbrain",
    "taboola",
)
#: class words (split at `-`, `_` and spaces) of furniture that substrings would over-match
_META_WORDS = {"ad", "ads", "advert", "advertisement", "sponsored", "bio", "comments", "discussion"}
_WORDS = re.compile(r"[\s_\-]+")
#: lines that are furniture by their text
_FURNITURE_TEXT = re.compile(
    r"^\s*(?:read more|related|more on this|see also|sign up|newsletter|follow us|share this"
    r"|mehr zum thema|lesen sie auch|auch interessant|jetzt abonnieren)\b",
    re.IGNORECASE,
)
_SHARED_BY = re.compile(
    r"\s*A (?:post|photo|video) shared by\s+(?P<who>[^()\n]{1,80}?)\s*\((?P<handle>@[\w.]{1,60})\)"
    r"[^\n]{0,60}$",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"[—–-]{1,2}\s*(?P<who>[^()@\n—–]{1,80}?)\s*\((?P<handle>@[\w.]{1,60})\)")
_HANDLE_URL = re.compile(
    r"https?://(?:www\.)?(?:twitter\.com|x\.com|instagram\.com|t\.me|bsky\.app/profile)/"
    r"(?P<handle>[\w.]{1,60})",
    re.IGNORECASE,
)
_MAX_CITE = 150


@dataclass(frozen=True, slots=True)
class BodyPart:
    """One paragraph of a body; `embed` names the kind of post for embeds."""

    kind: Kind
    text: str
    embed: str | None = None
    author: str | None = None
    url: str | None = None


def _classes(node: Node) -> str:
    return (node.attributes.get("class") or "").lower()


def _embed_kind(node: Node) -> str | None:
    if node.tag in _AMP_EMBEDS:
        return _AMP_EMBEDS[node.tag or ""]
    if node.tag == "iframe":
        src = (node.attributes.get("src") or node.attributes.get("title") or "").lower()
        return next((v for k, v in _EMBED_HINTS.items() if k in src), "post")
    attrs = node.attributes
    embed_attr = attrs.get("data-embed") or attrs.get("data-provider") or ""
    marker = f"{_classes(node)} {embed_attr.lower()}"
    if node.tag not in ("blockquote", "figure", "div", "aside", "section"):
        return None
    for key, kind in _EMBED_HINTS.items():
        if key in marker:
            return kind
    return None


def is_meta(node: Node) -> bool:
    """Page furniture within an entry (byline, share bar, timestamp label, related links,
    newsletter box, ad)."""
    if node.tag == "aside" and _link_dense(node):
        return True
    cls = _classes(node)
    if not cls:
        return False
    if any(hint in cls for hint in _META_HINTS):
        return True
    if _META_WORDS.intersection(_WORDS.split(cls)):
        return True
    # a short label whose class names a time or date ("block-time", "entry__date")
    return any("time" in token or "date" in token for token in cls.split()) and (
        len(node.text(separator=" ").strip()) <= 60
    )


def _is_quote(node: Node) -> bool:
    if node.tag == "blockquote":
        return True
    cls = _classes(node)
    return node.tag in ("figure", "div", "aside") and (
        "pullquote" in cls or "quote" in cls.split() or "block-quote" in cls or "quote-" in cls
    )


def _link_dense(node: Node) -> bool:
    """A box of links (related articles, "more on this story"): two or more links that make up
    nearly all of its text."""
    links = node.css("a")
    if len(links) < 2:
        return False
    text = len(" ".join(node.text(separator=" ").split()))
    linked = sum(len(" ".join(a.text(separator=" ").split())) for a in links)
    return text > 0 and linked >= 0.8 * text


_BLOCK_FURNITURE = {
    "related",
    "teaser",
    "teasers",
    "promo",
    "newsletter",
    "signup",
    "subscribe",
    "advert",
    "advertisement",
    "ad",
    "ads",
    "sponsored",
    "outbrain",
    "taboola",
    "comments",
    "discussion",
    "recommended",
}


def is_furniture_block(node: Node) -> bool:
    """A whole candidate entry that is furniture: a related-articles box or teaser, a
    newsletter sign-up, an ad slot, reader comments (by class word), or a box of links."""
    if _BLOCK_FURNITURE.intersection(_WORDS.split(_classes(node))):
        return True
    return _link_dense(node)


def is_furniture_text(text: str) -> bool:
    """A line that is furniture by what it says ("Read more: ...", "Last updated: 13:07 ...");
    "Updated 2:15 p.m.: police say ..." is news and stays."""
    if len(text) > 300:
        return False
    if _FURNITURE_TEXT.match(text):
        return True
    m = UPDATED.match(text)
    if m is None:
        return False
    rest = text[m.end() :]
    if len(rest) <= 60 and parse_date(rest) is not None:
        return True
    stamp = leading_time(rest)
    return stamp is not None and len(rest[stamp.end :].strip(" ,.;")) <= 12


def _text(node: Node) -> str:
    return " ".join(node.text(separator="", deep=True).split())


def _embed_url(node: Node) -> str | None:
    link = node if node.tag in ("iframe", "script") else node.css_first("iframe[src], a[href]")
    target = ""
    if link is not None:
        target = link.attributes.get("src") or link.attributes.get("href") or ""
    target = target or node.attributes.get("cite") or node.attributes.get("data-url") or ""
    return target[:300] if target.startswith(("https://", "http://")) else None


def _embed_post(node: Node, kind: str, parts: list[BodyPart]) -> BodyPart:
    """One embedded post as one part: its text ending in the author's byline, when known."""
    text = " ".join(p.text for p in parts)
    author: str | None = None
    shared = _SHARED_BY.search(text)
    if shared is not None:
        # Instagram's caption line: the author, not the blogger's words
        author = f"{shared.group('who').strip()} ({shared.group('handle')})"
        text = text[: shared.start()].strip()
    elif (byline := _BYLINE.search(text)) is not None:
        author = f"{byline.group('who').strip()} ({byline.group('handle')})"
    attrs = node.attributes
    url = _embed_url(node)
    if author is None:
        named = attrs.get("data-author") or attrs.get("data-username")
        channel = attrs.get("data-telegram-post")
        if named:
            author = " ".join(named.split())[:100]
        elif channel:
            handle = channel.split("/")[0][:60]
            author = f"{handle} (@{handle})"
        elif url and (m := _HANDLE_URL.match(url)) is not None:
            handle = m.group("handle")
            author = f"{handle} (@{handle})" if handle.lower() not in ("p", "reel", "s") else None
    if channel := attrs.get("data-telegram-post"):
        url = f"https://t.me/{channel.strip()[:200]}"
    elif video := attrs.get("data-videoid"):
        url = f"https://www.youtube.com/watch?v={video.strip()[:60]}"
    if author and text and "(@" in author and _BYLINE.search(text) is None:
        # the byline in the post's own paragraph: the parse stage reads it as the author
        text = f"{text} — {author}"
    return BodyPart("embed", text, kind, author, url)


def _take_cite(quote: Node) -> str | None:
    """The speaker a `<cite>` (or a quote's own caption) names, taken out of the quotation."""
    cites = [c for c in quote.css("cite, figcaption") if c.tag == "cite" or not c.css_first("cite")]
    for cite in cites:
        text = " ".join(cite.text(separator=" ").split()).strip(" —–-―~")
        if not 0 < len(text) <= _MAX_CITE:
            continue
        holder = cite.parent
        cite.decompose()
        # an emptied footer or caption around the cite goes with it
        while (
            holder is not None
            and holder.mem_id != quote.mem_id
            and holder.tag
            in (
                "footer",
                "figcaption",
                "p",
                "span",
            )
        ):
            parent = holder.parent
            if holder.text(separator="").strip():
                break
            holder.decompose()
            holder = parent
        return text
    return None


def _has_block_child(node: Node) -> bool:
    child = node.child
    while child is not None:
        if child.tag in _BLOCK_TAGS:
            return True
        child = child.next
    return False


def body_parts(root: Node, *, skip: frozenset[int] = frozenset()) -> list[BodyPart]:
    """The body of `root` in document order; nodes whose `mem_id` is in `skip` (the headline, the
    time label) and page furniture are left out."""
    out: list[BodyPart] = []

    def walk(node: Node, mode: Kind, embed: str | None) -> None:
        child = node.child
        inline: list[str] = []

        def flush() -> None:
            text = " ".join("".join(inline).split())
            inline.clear()
            if text:
                out.append(BodyPart(mode, text, embed))

        while child is not None:
            tag = child.tag
            if tag == "script" and child.attributes.get("data-telegram-post") and mode == "p":
                flush()
                out.append(_embed_post(child, "telegram", []))
            elif child.mem_id in skip or tag in _SKIP or tag == "-comment":
                pass
            elif tag == "-text":
                inline.append(child.text_content or "")
            elif is_meta(child) and mode == "p":
                pass
            elif tag in _BLOCK_TAGS or tag == "br":
                flush()
                kind = _embed_kind(child)
                if kind is not None and mode != "embed":
                    before = len(out)
                    walk(child, "embed", kind)
                    post = _embed_post(child, kind, out[before:])
                    del out[before:]
                    out.append(post)
                elif _is_quote(child) and mode == "p":
                    speaker = _take_cite(child)
                    if speaker:
                        out.append(BodyPart("p", f"{speaker}:"))
                    walk(child, "quote", None)
                elif mode == "p" and tag in _CONTAINERS and _link_dense(child):
                    pass  # a box of related links
                elif (
                    tag in _LEAF_BLOCKS
                    and not _has_block_child(child)
                    and not (skip and any(n.mem_id in skip for n in child.traverse()))
                ):
                    text = _text(child)
                    if text and not (mode != "embed" and is_furniture_text(text)):
                        out.append(BodyPart(mode, text, embed))
                elif tag != "br":
                    walk(child, mode, embed)
            else:
                inline.append(child.text(separator="", deep=True))
            child = child.next
        flush()

    walk(root, "p", None)
    return out


def render_parts(parts: list[BodyPart]) -> str:
    """Canonical HTML of body parts; consecutive parts of one quote share one element, each
    embedded post is one element."""
    html: list[str] = []
    open_kind: tuple[Kind, str | None] | None = None

    def close() -> None:
        nonlocal open_kind
        if open_kind is not None:
            html.append("</blockquote>")
            open_kind = None

    for part in parts:
        if part.kind == "embed":
            close()
            kind = escape(part.embed or "post")
            if not part.text:
                extra = "".join(
                    f' {name}="{escape(value)}"'
                    for name, value in (("data-url", part.url), ("data-author", part.author))
                    if value
                )
                html.append(f'<blockquote class="embed" data-embed="{kind}"{extra}></blockquote>')
                continue
            cite = f"<cite>{escape(part.author, quote=False)}</cite>" if part.author else ""
            html.append(
                f'<blockquote class="embed" data-embed="{kind}">'
                f"<p>{escape(part.text, quote=False)}</p>{cite}</blockquote>"
            )
            continue
        key = (part.kind, part.embed)
        if open_kind is not None and open_kind != key:
            close()
        if part.kind == "quote" and open_kind is None:
            html.append("<blockquote>")
            open_kind = key
        html.append(f"<p>{escape(part.text, quote=False)}</p>")
    close()
    return "".join(html)


def text_parts(text: str) -> list[BodyPart]:
    """Plain text (a JSON-LD `articleBody`, a push body) as paragraphs, one per non-empty line;
    consecutive `> ` lines are one quote block."""
    out: list[BodyPart] = []
    quote: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = " ".join(line.split())
        if stripped.startswith(">"):
            quote.append(stripped.lstrip(">").strip())
            continue
        if quote:
            out.append(BodyPart("quote", " ".join(q for q in quote if q)))
            quote = []
        if stripped:
            out.append(BodyPart("p", stripped))
    if quote:
        out.append(BodyPart("quote", " ".join(q for q in quote if q)))
    return [p for p in out if p.text]
