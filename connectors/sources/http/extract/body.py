"""An entry block's body as canonical HTML: paragraphs, quote blocks and embedded posts kept apart.

Whatever the publisher's markup, the body handed to the pipeline holds only `<p>`,
`<blockquote>` (a quotation, its cite line as a paragraph inside) and
`<blockquote class="embed" data-embed="KIND">` (an embedded social post), every text escaped. The
parse stage reads this with `streams.pipeline.htmltext`; the cursor fingerprints its text.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Literal

from selectolax.lexbor import LexborNode as Node

__all__ = ["BodyPart", "body_parts", "render_parts", "text_parts"]

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
_BLOCK_TAGS = _LEAF_BLOCKS | _CONTAINERS | {"blockquote", "iframe", "table", "tr", "td", "header"}
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
)


@dataclass(frozen=True, slots=True)
class BodyPart:
    """One paragraph of a body; `embed` names the kind of post for embeds."""

    kind: Kind
    text: str
    embed: str | None = None


def _classes(node: Node) -> str:
    return (node.attributes.get("class") or "").lower()


def _embed_kind(node: Node) -> str | None:
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
    """Page furniture within an entry (byline, share bar, timestamp label)."""
    cls = _classes(node)
    if not cls:
        return False
    if any(hint in cls for hint in _META_HINTS):
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


def _text(node: Node) -> str:
    return " ".join(node.text(separator="", deep=True).split())


def _placeholder(node: Node, kind: str) -> str:
    link = node if node.tag == "iframe" else node.css_first("iframe[src], a[href]")
    target = ""
    if link is not None:
        target = link.attributes.get("src") or link.attributes.get("href") or ""
    target = target if target.startswith(("https://", "http://")) else ""
    return f"[{kind} post{': ' + target[:300] if target else ''}]"


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
            if child.mem_id in skip or tag in _SKIP or tag == "-comment":
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
                    if len(out) == before:
                        out.append(BodyPart("embed", _placeholder(child, kind), kind))
                elif _is_quote(child) and mode == "p":
                    walk(child, "quote", None)
                elif (
                    tag in _LEAF_BLOCKS
                    and not _has_block_child(child)
                    and not (skip and any(n.mem_id in skip for n in child.traverse()))
                ):
                    text = _text(child)
                    if text:
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
    """Canonical HTML of body parts; consecutive parts of one quote or embed share one element."""
    html: list[str] = []
    open_kind: tuple[Kind, str | None] | None = None
    for part in parts:
        key = (part.kind, part.embed)
        if open_kind is not None and open_kind != key:
            html.append("</blockquote>")
            open_kind = None
        if part.kind != "p" and open_kind is None:
            if part.kind == "embed":
                html.append(f'<blockquote class="embed" data-embed="{escape(part.embed or "")}">')
            else:
                html.append("<blockquote>")
            open_kind = key
        html.append(f"<p>{escape(part.text, quote=False)}</p>")
    if open_kind is not None:
        html.append("</blockquote>")
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
