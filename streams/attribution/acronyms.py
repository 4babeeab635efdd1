"""Short forms an entry defines: "the Coastal Defence Forces (CDF)" makes "CDF" a name of the
organisation, so that "the CDF said" and "a CDF spokesman" credit it under its full name.

Only an organisation gets a short form: the phrase before the parenthesis holds an organisation
word of the language ("Forces", "Institute", "Bundesamt") or its capitalised words' initials
spell the short form. A person's party or state after the name ("Anna Roth (SPD)") is left alone:
the phrase opens with a given name, or is a person the memory knows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from streams.attribution.language import Language
from streams.attribution.memory import SpeakerMemory

__all__ = ["learn_acronyms"]

#: "(CDF)", "(BfV)": two to eight letters, the first and at least one more upper case
_SHORT = re.compile(r"\(([A-ZÄÖÜ][A-Za-zÄÖÜäöü]{1,7})\)")
#: how many words before the parenthesis may belong to the organisation's name
_REACH = 8
_WORD = re.compile(r"[\w’'.&-]+$")


def learn_acronyms(texts: Iterable[str], lang: Language, memory: SpeakerMemory) -> None:
    """Teach `memory` every organisation short form that `texts` define."""
    for text in texts:
        if "(" not in text:
            continue
        for match in _SHORT.finditer(text):
            short = match.group(1)
            if sum(c.isupper() for c in short) < 2:
                continue
            name = _name_before(text[: match.start()], lang)
            if name is not None and _is_org(name, short, lang, memory):
                memory.add_alias(memory.add(name, kind="org"), short)


def _name_before(before: str, lang: Language) -> str | None:
    """The capitalised phrase that ends right before the parenthesis: "the Coastal Defence
    Forces" gives "Coastal Defence Forces"; linking words may stand inside ("Office for Budget
    Responsibility", "Bundesamt für Verfassungsschutz")."""
    words = before.split()[-_REACH:]
    taken: list[str] = []
    for word in reversed(words):
        if not _WORD.search(word) or word[-1] in ",;:":
            break
        if word[:1].isupper():
            taken.append(word)
        elif word.lower() in lang.stopwords and taken:
            taken.append(word)  # "for", "of", "für", "der" inside a name
        else:
            break
    while taken and not taken[-1][:1].isupper():
        taken.pop()  # the phrase opens with a capitalised word
    taken.reverse()
    while taken and taken[0].lower() in lang.determiners:
        taken.pop(0)
    capitals = [w for w in taken if w[:1].isupper()]
    return " ".join(taken) if len(capitals) >= 2 else None


def _is_org(name: str, short: str, lang: Language, memory: SpeakerMemory) -> bool:
    words = name.split()
    known, _ = memory.by_name(name, fuzzy=False)
    if known is not None and known.kind == "person":
        return False
    capitals = [w for w in words if w[:1].isupper()]
    if any(lang.org_head(w) is not None for w in capitals):
        return True  # "Harbour Defense Forces (HDF)", even when its first word is a given name
    if lang.is_given_name(words[0]):
        return False  # "Anna Roth (SPD)": a person and their party
    initials = "".join(part[:1] for w in capitals for part in w.split("-") if part[:1].isupper())
    return initials.upper() == short.upper()
