"""Attribution: who said what in a live-blog entry, learned from the text alone.

The stage function lives in `streams.attribute`; this package holds its parts:

- `mentions`: speaker phrases and their resolution to people (names, roles, pronouns, ...);
- `people`: people introduced with their roles, ages and genders;
- `speech`: speech frames of a sentence;
- `clauses`: colon introductions and the subject a clause opens with;
- `reader`: one entry read paragraph by paragraph into quotations;
- `fallback`: speakers for quotations whose sentence names none;
- `methods`: the method and confidence table.
"""

from streams.attribution.methods import CONFIDENCE, Method

__all__ = ["CONFIDENCE", "Method"]
