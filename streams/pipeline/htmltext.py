"""Paragraphs of an HTML entry block, with a real HTML parser (selectolax)."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from streams.core.models import Paragraph

__all__ = ["html_paragraphs"]

_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figcaption", "div"}
_DROP = "script, style, noscript, template, iframe, object, embed, svg, button, form"
#: where none of `_DROP`'s tags opens in the source, the parsed tree has none of them either
_DROP_OPENS = re.compile(
    r"<(?:script|style|noscript|template|iframe|object|embed|svg|button|form)", re.IGNORECASE
)


def _text(node: Node) -> str:
    return " ".join(node.text(separator=" ", deep=True).split())


def html_paragraphs(html: str) -> list[Paragraph]:
    """Block-level text of `html` in document order; blockquotes and embedded posts marked."""
    tree = HTMLParser(html)
    if _DROP_OPENS.search(html):
        for node in tree.css(_DROP):
            node.decompose()
    root = tree.body or tree.root
    if root is None:
        return []
    out: list[Paragraph] = []

    def walk(node: Node, in_quote: bool, in_embed: bool) -> None:
        child = node.child
        while child is not None:
            tag = child.tag
            if tag == "blockquote":
                cls = (child.attributes.get("class") or "").lower()
                embed = in_embed or any(
                    k in cls for k in ("twitter", "instagram", "embed", "tiktok")
                )
                inner = len(out)
                walk(child, True, embed)
                if len(out) == inner:
                    text = _text(child)
                    if text:
                        out.append(Paragraph(text=text, quote_block=True, embed=embed))
            elif tag in _BLOCKS and not _has_block_child(child):
                text = _text(child)
                if text:
                    out.append(Paragraph(text=text, quote_block=in_quote, embed=in_embed))
            elif tag not in ("-text",):
                walk(child, in_quote, in_embed)
            elif node is root and child.text(deep=False).strip():
                out.append(Paragraph(text=" ".join(child.text(deep=False).split())))
            child = child.next

    walk(root, False, False)
    return out


def _has_block_child(node: Node) -> bool:
    child = node.child
    while child is not None:
        if child.tag in _BLOCKS or child.tag == "blockquote":
            return True
        child = child.next
    return False
