"""The parsed form of a filter: a small tree of terms, fields, NOT, AND and OR."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from streams.core.text import normalize_term

__all__ = ["FIELDS", "All", "Any", "Field", "FieldName", "Node", "Not", "Term"]

FieldName = Literal["speaker", "blog", "kind", "lang"]
FIELDS: tuple[FieldName, ...] = ("speaker", "blog", "kind", "lang")


@dataclass(frozen=True, slots=True)
class Term:
    """A word (matched with its simple variants) or an exact phrase."""

    text: str
    phrase: bool
    pos: int
    #: what occurrences are looked up by: `w:` or `p:` and the folded text (computed once)
    key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", ("p:" if self.phrase else "w:") + normalize_term(self.text))

    def __str__(self) -> str:
        return f'"{self.text}"' if self.phrase else self.text


@dataclass(frozen=True, slots=True)
class Field:
    """`speaker:`, `blog:`, `kind:` or `lang:` with its value (folded)."""

    name: FieldName
    value: str
    pos: int

    def __str__(self) -> str:
        return f'{self.name}:"{self.value}"' if " " in self.value else f"{self.name}:{self.value}"


@dataclass(frozen=True, slots=True)
class Not:
    child: Node
    pos: int

    def __str__(self) -> str:
        return f"-{self.child}"


@dataclass(frozen=True, slots=True)
class All:
    """Every child must hold (words side by side, or AND)."""

    children: tuple[Node, ...]

    def __str__(self) -> str:
        return "(" + " ".join(str(c) for c in self.children) + ")"


@dataclass(frozen=True, slots=True)
class Any:
    """At least one child must hold (OR)."""

    children: tuple[Node, ...]

    def __str__(self) -> str:
        return "(" + " OR ".join(str(c) for c in self.children) + ")"


Node = Term | Field | Not | All | Any
