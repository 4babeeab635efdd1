"""The filter language of subscriptions and feeds: parse, compile, evaluate.

    speaker:okafor (veto OR ceasefire) -"security council" lang:en blog:summit-*

Words AND by default, "exact phrases", OR, -exclusion (or NOT), parentheses, and the fields
`speaker:`, `blog:` (with `*`), `kind:` (quote or entry) and `lang:`. See docs/subscriptions.md.
"""

from streams.alerts.filters.compiled import CompiledFilter, Occurrences, View, compile_filter
from streams.alerts.filters.nodes import FIELDS, All, Any, Field, Node, Not, Term
from streams.alerts.filters.parser import MAX_DEPTH, MAX_FILTER_CHARS, MAX_TERMS, parse
from streams.core.text import Folded, fold_text, normalize_term, term_forms

__all__ = [
    "FIELDS",
    "MAX_DEPTH",
    "MAX_FILTER_CHARS",
    "MAX_TERMS",
    "All",
    "Any",
    "CompiledFilter",
    "Field",
    "Folded",
    "Node",
    "Not",
    "Occurrences",
    "Term",
    "View",
    "compile_filter",
    "fold_text",
    "normalize_term",
    "parse",
    "term_forms",
]
