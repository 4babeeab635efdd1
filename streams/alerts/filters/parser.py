"""Tokenizer and parser of the filter language; every error names the position of the fault.

Grammar (OR binds looser than the implicit AND; `-` and NOT bind tightest)::

    filter  := or
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*
    unary   := ("-" | "NOT ") unary | primary
    primary := "(" or ")" | FIELD ":" (WORD | PHRASE) | PHRASE | WORD

Words are letters and digits with `'`, `.`, `-` or `&` inside (`cease-fire`, `U.N.`, `AT&T`);
`*` is allowed in `blog:` values only. OR, AND and NOT are operators only in capitals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from schemas.exceptions import FilterSyntaxError
from streams.alerts.filters.nodes import FIELDS, All, Any, Field, FieldName, Node, Not, Term
from streams.core.text import is_word_char, normalize_term

__all__ = ["MAX_DEPTH", "MAX_FILTER_CHARS", "MAX_TERMS", "parse"]

#: bounds on one filter, so a hostile one cannot cost more than a small fixed amount
MAX_FILTER_CHARS = 4000
MAX_DEPTH = 16
MAX_TERMS = 64

TokenKind = Literal["(", ")", "OR", "AND", "NOT", "WORD", "PHRASE", "FIELD"]
_INNER = frozenset("'’.-&")
_LANG = re.compile(r"^[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*$")
_BLOG = re.compile(r"^[\w.:*-]+$")


@dataclass(frozen=True, slots=True)
class _Token:
    kind: TokenKind
    text: str
    pos: int
    value_pos: int = 0  # fields: where the value starts
    phrase: bool = False  # fields: the value was quoted


def _fail(expression: str, message: str, pos: int) -> FilterSyntaxError:
    return FilterSyntaxError(message, position=pos, expression=expression)


def _phrase(expr: str, start: int) -> tuple[str, int]:
    """The text of the phrase opening at `start` and the index after its closing quote."""
    end = expr.find('"', start + 1)
    if end < 0:
        raise _fail(expr, 'unterminated phrase: a closing " is missing', start)
    text = expr[start + 1 : end]
    if not normalize_term(text):
        raise _fail(expr, "empty phrase", start)
    return text, end + 1


def _check_word(expr: str, word: str, pos: int, *, star: bool) -> None:
    if not is_word_char(word[0]) and not (star and word[0] == "*"):
        raise _fail(expr, f"unexpected character {word[0]!r}", pos)
    for i, ch in enumerate(word):
        if is_word_char(ch) or (star and ch == "*"):
            continue
        if ch in _INNER and 0 < i < len(word) - 1:
            continue
        if ch in ".'’" and i == len(word) - 1 and i > 0:
            continue  # "U.N." and "protesters'" end with them
        raise _fail(expr, f"unexpected character {ch!r}", pos + i)


def tokenize(expr: str) -> list[_Token]:
    """The tokens of `expr`, or a `FilterSyntaxError` at the first character that does not fit."""
    tokens: list[_Token] = []
    i, n = 0, len(expr)
    while i < n:
        ch = expr[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(_Token(ch, ch, i))  # type: ignore[arg-type]
            i += 1
        elif ch == '"':
            text, end = _phrase(expr, i)
            tokens.append(_Token("PHRASE", text, i))
            i = end
        elif ch == "-":
            if i + 1 >= n or expr[i + 1].isspace() or expr[i + 1] in ")-":
                raise _fail(expr, "'-' must stand right before the term it excludes", i)
            tokens.append(_Token("NOT", "-", i))
            i += 1
        else:
            start = i
            while i < n and not expr[i].isspace() and expr[i] not in '()"':
                i += 1
            word = expr[start:i]
            if ":" in word:
                name, _, value = word.partition(":")
                if name.lower() not in FIELDS:
                    raise _fail(
                        expr, f"unknown field {name!r} (fields: {', '.join(FIELDS)})", start
                    )
                value_pos = start + len(name) + 1
                phrase = False
                if not value:
                    if i < n and expr[i] == '"':
                        value, i = _phrase(expr, i)
                        phrase = True
                    else:
                        raise _fail(expr, f"{name.lower()}: needs a value", value_pos)
                else:
                    _check_word(expr, value, value_pos, star=name.lower() == "blog")
                tokens.append(_Token("FIELD", f"{name.lower()}:{value}", start, value_pos, phrase))
            elif word in ("OR", "AND", "NOT"):
                tokens.append(_Token(word, word, start))  # type: ignore[arg-type]
            else:
                _check_word(expr, word, start, star=False)
                tokens.append(_Token("WORD", word, start))
    return tokens


class _Parser:
    def __init__(self, expr: str, tokens: list[_Token]) -> None:
        self.expr = expr
        self.tokens = tokens
        self.i = 0
        self.terms = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def fail(self, message: str, pos: int) -> FilterSyntaxError:
        return _fail(self.expr, message, pos)

    def parse(self) -> Node:
        node = self.or_(0)
        tok = self.peek()
        if tok is not None:
            if tok.kind == ")":
                raise self.fail("unexpected ')' without a matching '('", tok.pos)
            raise self.fail(f"unexpected {tok.text!r}", tok.pos)  # pragma: no cover
        return node

    def or_(self, depth: int) -> Node:
        parts = [self.and_(depth)]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.i += 1
            nxt = self.peek()
            if nxt is None or nxt.kind in (")", "OR", "AND"):
                pos = nxt.pos if nxt is not None else len(self.expr)
                raise self.fail("OR needs a term on its right", pos)
            parts.append(self.and_(depth))
        return parts[0] if len(parts) == 1 else Any(tuple(parts))

    def and_(self, depth: int) -> Node:
        parts = [self.unary(depth)]
        while (tok := self.peek()) is not None and tok.kind not in (")", "OR"):
            if tok.kind == "AND":
                self.i += 1
                nxt = self.peek()
                if nxt is None or nxt.kind in (")", "OR", "AND"):
                    pos = nxt.pos if nxt is not None else len(self.expr)
                    raise self.fail("AND needs a term on its right", pos)
            parts.append(self.unary(depth))
        return parts[0] if len(parts) == 1 else All(tuple(parts))

    def unary(self, depth: int) -> Node:
        tok = self.peek()
        if tok is not None and tok.kind == "NOT":
            self.i += 1
            if self.peek() is None:
                raise self.fail("nothing to exclude after NOT", len(self.expr))
            return Not(self.unary(depth), tok.pos)
        return self.primary(depth)

    def primary(self, depth: int) -> Node:
        tok = self.peek()
        if tok is None:
            raise self.fail("a term is missing at the end", len(self.expr))
        if tok.kind in ("OR", "AND"):
            raise self.fail(f"{tok.kind} needs a term on its left", tok.pos)
        if tok.kind == ")":
            raise self.fail("a term is missing before ')'", tok.pos)
        self.i += 1
        if tok.kind == "(":
            if depth + 1 > MAX_DEPTH:
                raise self.fail(f"parentheses nested deeper than {MAX_DEPTH}", tok.pos)
            node = self.or_(depth + 1)
            close = self.peek()
            if close is None or close.kind != ")":
                raise self.fail("unclosed '('", tok.pos)
            self.i += 1
            return node
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise self.fail(f"more than {MAX_TERMS} terms", tok.pos)
        if tok.kind == "FIELD":
            return self.field(tok)
        return Term(tok.text, tok.kind == "PHRASE", tok.pos)

    def field(self, tok: _Token) -> Field:
        name, _, raw = tok.text.partition(":")
        field_name: FieldName = name  # type: ignore[assignment]
        if field_name == "blog":
            value = raw.strip().lower()
            if not _BLOG.match(value):
                raise self.fail("blog: takes a blog id, with * for any run", tok.value_pos)
        elif field_name == "kind":
            value = raw.strip().lower()
            if value not in ("quote", "entry"):
                raise self.fail("kind: is quote or entry", tok.value_pos)
        elif field_name == "lang":
            value = raw.strip().lower().replace("_", "-")
            if not _LANG.match(value):
                raise self.fail("lang: takes a language code such as en or en-GB", tok.value_pos)
        else:
            value = normalize_term(raw)
            if not value:
                raise self.fail("speaker: needs a name", tok.value_pos)
        return Field(field_name, value, tok.pos)


def parse(expression: str) -> Node:
    """The tree of `expression`; a `FilterSyntaxError` (with its position) when it is invalid."""
    if len(expression) > MAX_FILTER_CHARS:
        raise FilterSyntaxError(
            f"filter longer than {MAX_FILTER_CHARS} characters", position=MAX_FILTER_CHARS
        )
    tokens = tokenize(expression)
    if not tokens:
        raise _fail(expression, "empty filter", 0)
    return _Parser(expression, tokens).parse()
