"""Attribution: who said what in a live-blog entry, learned from the text alone.

The stage function is `attribute` (`stage.py`); the package is self-contained (it imports only
`schemas` and the pipeline's models):

- `tokens`: one tokenizer (a quotation is one token), noun phrases and name runs;
- `quotes`: quotation spans and sentences;
- `lexicon`, `data/`: the word lists;
- `memory`: the per-blog speaker memory;
- `mentions`: speaker phrases and their resolution to people (names, roles, pronouns, ...);
- `people`: people introduced with their roles, ages and genders;
- `speech`: speech frames of a sentence;
- `clauses`: colon introductions and the subject a clause opens with;
- `reader`: one entry read paragraph by paragraph into quotations;
- `fallback`: speakers for quotations whose sentence names none;
- `methods`: the method and confidence table.
"""

from streams.attribution.methods import CONFIDENCE, Method
from streams.attribution.stage import DEFAULT_MIN_CONFIDENCE, Attribution, attribute

__all__ = ["CONFIDENCE", "DEFAULT_MIN_CONFIDENCE", "Attribution", "Method", "attribute"]
