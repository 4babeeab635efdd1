"""How a speaker was found, and how much that is worth: the `method` and `confidence` of a quote.

| method       | confidence | found by                                                      |
|--------------|-----------:|---------------------------------------------------------------|
| name         |       0.95 | the speaker's name in the frame ("…," Okafor said)            |
| line         |       0.95 | a speaker line ("Lindqvist: It is one of them.")              |
| role         |       0.90 | a learned role ("…," the housing minister said)               |
| org          |       0.90 | an organisation ("the finance ministry said")                 |
| colon        |       0.90 | a colon introduction ("Okafor said:" then a quote block)      |
| embed        |       0.90 | the author of an embedded post                                |
| continued    |       0.90 | a quotation continued into the next paragraph                 |
| voice        |       0.85 | a spokesperson or office ("Whitcombe's spokesperson said")    |
| fuzzy        |       0.85 | a misspelt name matched to a known person ("Okafour")         |
| pronoun      |       0.80 | he / she / it / they, to the most salient fitting speaker     |
| descriptor   |       0.75 | "the 54-year-old", "the Swede", "the retired postman"         |
| answer       |       0.75 | an `A:` line after a `Q:` line, to the person asked           |
| continuity   |       0.70 | an unframed quote next to a quote of the same speaker         |
| entry        |       0.65 | the entry's speaker so far                                    |
| role_guess   |       0.60 | an unlearned role word, to the entry's one person with a role |
| introduced   |       0.60 | no frame: the person the entry introduced (quote block, `A:`) |
| salience     |       0.55 | the previous entry's only speaker, for a stand-alone quote    |
| none         |       0.00 | nothing found                                                 |

Below the stage's threshold (`Settings.min_confidence`, 0.5 by default) a quote keeps its method
and confidence but has no speaker.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["CONFIDENCE", "Method"]

Method = Literal[
    "name",
    "line",
    "role",
    "org",
    "colon",
    "embed",
    "continued",
    "voice",
    "fuzzy",
    "pronoun",
    "descriptor",
    "answer",
    "continuity",
    "entry",
    "role_guess",
    "introduced",
    "salience",
    "none",
]

CONFIDENCE: dict[Method, float] = {
    "name": 0.95,
    "line": 0.95,
    "role": 0.9,
    "org": 0.9,
    "colon": 0.9,
    "embed": 0.9,
    "continued": 0.9,
    "voice": 0.85,
    "fuzzy": 0.85,
    "pronoun": 0.8,
    "descriptor": 0.75,
    "answer": 0.75,
    "continuity": 0.7,
    "entry": 0.65,
    "role_guess": 0.6,
    "introduced": 0.6,
    "salience": 0.55,
    "none": 0.0,
}
