"""Per-language word data for attribution: English and German, behind one `Language` object.

The attribution engine asks a `Language` which words introduce speech (`speech_verbs`, German
separable verbs in `separable`), which words put a source next to them ("according to X",
„laut X“, „X zufolge“), which pronouns, titles, role nouns and organisation nouns can stand for a
speaker, and whether a capitalised word is an ordinary word of the language rather than part of a
name (`is_common_word`) or a given name (`is_given_name`, `given_name_gender`).

Where the words come from, and why:

* The generic lists (speech verbs, roles, organisations, titles, function words, ...) are plain
  text in `streams/attribution/data/<lang>/*.txt`, one entry (or a line of entries) per line,
  `#` comments allowed; written for this project, no person's names.
* Given names (with gender) and common surnames: `data/<lang>/given_names.txt` and
  `surnames.txt`, derived once by `scripts/build-lexicon` from Faker's per-locale name lists
  (MIT licence, notice kept at the top of each file; ~9k given names from many Latin-script
  locales, gender decided by the language's own locales; 1.4k (de) / 3.3k (en) surnames from the
  language's own locales; under 200 KB per language). Faker is not needed at run time.
  gender-guesser was not used (GPL-3), nor names-dataset (hundreds of MB in memory).
* Word frequencies: `wordfreq` (code Apache-2.0; data CC-BY-SA 4.0, so it is a runtime
  dependency and nothing derived from it is shipped; 58 MB on disk). Only its "small"
  English/German lists are read (about 20 ms each). A word counts as common from Zipf 4.0
  up; a known name only when it is frequent and clearly more frequent than in the other
  language ("Young", "Brown", "Hope" are words; "Smith", "John", "Taylor" names; German
  "Sommer", "König" words, "Müller" a name).
* German nouns: `german-nouns` (Wiktionary data, CC-BY-SA 4.0: runtime dependency, nothing
  derived shipped). Its `index.txt` (every inflected form, lower case) and the part-of-speech
  column of `nouns.csv` are read directly (0.3-0.4 s on first use, ~70 MB peak RSS,
  25 MB on disk), not through
  its `Nouns` class (1.5 s): a form of a noun is common unless it is also a form of a
  Vorname/Nachname/Toponym/Eigenname entry (then as for names above). Unknown words are split
  into compounds: "Trainerteam" is common because "Team" is, unless the head is a surname or
  a head typical of surnames ("Wagenknecht", "Steinmeier", "Sommerfeld").

All the heavy data loads lazily, on the first call that needs it (`_FREQ` and `_NOUNS` stay
empty on import), and lookups are cached per word.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Literal

__all__ = ["Gender", "Lang", "Language", "detect_language", "language"]

Lang = Literal["en", "de"]
Gender = Literal["m", "f"]

#: Zipf frequency from which a word counts as common; a known name counts as a word only from
#: NAME_ZIPF up and when it is NAME_GAP more frequent than in the other language (names are about
#: as frequent in both: "John" 5.4/4.9, "Smith" 4.9/4.1; words are not: "Brown" 5.0/4.1)
COMMON_ZIPF = 4.0
NAME_ZIPF = {"en": 4.8, "de": 5.0}
NAME_GAP = 0.8
#: wordfreq lists by language, filled on first use
_FREQ: dict[str, Mapping[str, float]] = {}
#: german-nouns forms: "common" (forms of plain nouns) and "names" (forms of name entries)
_NOUNS: dict[str, frozenset[str]] = {}
_NAME_POS = ("Vorname", "Nachname", "Toponym", "Eigenname", "Straßenname")
#: heads of German compounds that mostly make surnames and place names (Sommerfeld, Brennecke)
_NAME_HEADS = frozenset(
    [
        *("feld", "felde", "berg", "berger", "stein", "bach", "dorf", "hof", "hofer", "mann"),
        *("hausen", "heim", "burg", "wald", "tal", "thal", "ecke", "brock", "bruch", "brück"),
        *("brügge", "kamp", "kemper", "horst", "hagen", "rode", "roth", "ried", "see"),
    ]
)
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_UMLAUT = re.compile(r"[äöüß]", re.IGNORECASE)


def _lines(code: str, name: str) -> list[str]:
    path = resources.files("streams.attribution").joinpath("data", code, name)
    text = path.read_text(encoding="utf-8")
    return [s for line in text.splitlines() if (s := line.strip()) and not s.startswith("#")]


def _words(code: str, name: str) -> frozenset[str]:
    return frozenset(w.lower() for line in _lines(code, name) for w in line.split())


def _speech_verbs(
    code: str,
) -> tuple[frozenset[str], dict[str, frozenset[str]], frozenset[str]]:
    """The speech verbs of `speech_verbs.txt`: the forms that are speech on their own, those
    that need a particle after them ("+out": point out), and those that need a quotation after
    them ('+"': she continued: "…"), or either. The marks "!", "~" and "?" matter to the rule
    reader only."""
    free: set[str] = set()
    bound: dict[str, frozenset[str]] = {}
    quoted: set[str] = set()
    for line in _lines(code, "speech_verbs.txt"):
        words = line.lower().split()
        needs = {w[1:] for w in words if w.startswith("+")}
        forms = [w.rstrip("!~?") for w in words if not w.startswith("+")]
        particles = frozenset(needs - {'"'})
        if particles:
            bound.update(dict.fromkeys(forms, particles))
        if '"' in needs:
            quoted.update(forms)
        if not needs:
            free.update(forms)
    return frozenset(free), bound, frozenset(quoted)


def _gender(mark: str) -> Gender | None:
    return "m" if mark == "m" else "f" if mark == "f" else None


@dataclass(frozen=True, slots=True)
class Language:
    """The word data of one language and the lookups built on it."""

    code: Lang
    speech_verbs: frozenset[str]
    separable: Mapping[str, frozenset[str]]
    source_preps: frozenset[str]
    source_postps: frozenset[str]
    pronouns: Mapping[str, Gender | None]
    determiners: frozenset[str]
    titles: frozenset[str]
    roles: frozenset[str]
    org_words: frozenset[str]
    stopwords: frozenset[str]
    given_names: Mapping[str, Gender | None]  # lower-case given name -> gender (None: both)
    surnames: frozenset[str]  # lower-case common surnames
    works: frozenset[str]  # nouns before a title in quotation marks: "the documentary '…'"
    #: bodies named by their remit and the words opening it: "committee" -> "on", "into", ...
    remits: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: speech verbs only when a quotation follows them in the sentence ("she continued: “…”")
    quote_only: frozenset[str] = frozenset()

    def role_head(self, word: str) -> str | None:
        """The role a word names, also as the head of a compound or hyphenation."""
        return _head(self.code, word.lower(), "roles")

    def names_work(self, word: str) -> bool:
        """Whether a word names a work or medium before its title ("Zeitung", "documentary",
        also "Nachrichtenportals", "Netflix-Dokumentation")."""
        low = word.lower()
        if self.code == "de" and low.endswith("s") and _head(self.code, low[:-1], "works"):
            return True  # genitive: "des Nachrichtenportals"
        return _head(self.code, low, "works") is not None

    def org_head(self, word: str) -> str | None:
        """The organisation noun a word names, also as the head of a compound or hyphenation."""
        return _head(self.code, word.lower(), "org_words")

    def is_common_word(self, word: str) -> bool:
        """Whether a (capitalised) word is an ordinary word of the language, not part of a name."""
        return _is_common(self.code, word)

    def is_noun(self, word: str) -> bool:
        """A German noun read as the noun when it stands alone ("Dienstag", "Brücke", "Müller"
        alone), though families bear some of them (then a full name "Anna Müller" still reads as
        a name); always False in English, which capitalises no nouns."""
        return _noun(self.code, word.lower())

    def given_name_gender(self, word: str) -> Gender | None:
        """The gender of a given name; None for an unknown or ambiguous one."""
        return self.given_names.get(word.lower())

    def is_given_name(self, word: str) -> bool:
        """Whether a word is a known given name."""
        return word.lower() in self.given_names

    def fold(self, word: str) -> str:
        """The word in lower case without accents ("Müller" -> "muller")."""
        return _fold(word)

    def zipf(self, word: str) -> float:
        """The Zipf frequency (0 for unknown words) of a word in the language's wordfreq list."""
        return _zipf(self.code, word.lower())


@lru_cache(maxsize=65536)
def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower().replace("ß", "ss"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _load(code: Lang) -> Language:
    separable: dict[str, frozenset[str]] = {}
    for line in _lines(code, "separable.txt"):
        stem, *particles = line.lower().split()
        separable[stem] = separable.get(stem, frozenset()) | frozenset(particles)
    pronouns: dict[str, Gender | None] = {}
    for line in _lines(code, "pronouns.txt"):
        word, mark = line.split()
        pronouns[word.lower()] = _gender(mark)
    given: dict[str, Gender | None] = {}
    for line in _lines(code, "given_names.txt"):
        name, mark = line.rsplit(None, 1)
        key = name.lower()
        given[key] = _gender(mark) if given.get(key, _gender(mark)) == _gender(mark) else None
    verbs, bound, quote_only = _speech_verbs(code)
    separable.update(bound)
    return Language(
        code=code,
        speech_verbs=verbs | frozenset(separable) | quote_only,
        # a stem that is a speech verb on its own ("sagte") needs no particle ("sagte zu")
        separable={stem: parts for stem, parts in separable.items() if stem not in verbs},
        quote_only=quote_only,
        source_preps=_words(code, "source_preps.txt"),
        source_postps=_words(code, "source_postps.txt"),
        pronouns=pronouns,
        determiners=_words(code, "determiners.txt"),
        titles=_words(code, "titles.txt"),
        roles=_words(code, "roles.txt"),
        org_words=_words(code, "org_words.txt"),
        stopwords=_words(code, "stopwords.txt"),
        given_names=given,
        surnames=frozenset(w.lower() for w in _lines(code, "surnames.txt")),
        works=_words(code, "works.txt"),
        remits={
            body.lower(): frozenset(w.lower() for w in opening)
            for body, *opening in (line.split() for line in _lines(code, "remits.txt"))
        },
    )


@cache
def language(code: str | None) -> Language:
    """The language of a code ("en", "de", "de-AT", ...); unknown or None is English."""
    prefix = (code or "").strip().lower()[:2]
    return _load("de" if prefix == "de" else "en")


# -- lookups -------------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _head(code: Lang, word: str, kind: Literal["roles", "org_words", "works"]) -> str | None:
    words: frozenset[str] = getattr(language(code), kind)
    if word in words:
        return word
    if "-" in word:
        return _head(code, word.rsplit("-", 1)[1], kind)
    if code != "de":  # English compounds are not written as one word ("Whitehead" is a name)
        return None
    for i in range(3, len(word) - 2):
        tail = word[i:]
        if tail in words and (len(tail) >= 4 or word[i - 1] == "s"):
            return tail
    return None


def _freq(code: str) -> Mapping[str, float]:
    if code not in _FREQ:
        from wordfreq import get_frequency_dict

        _FREQ[code] = get_frequency_dict(code, wordlist="small")
    return _FREQ[code]


@lru_cache(maxsize=65536)
def _zipf(code: str, lower: str) -> float:
    freq = _freq(code).get(lower, 0.0)
    return math.log10(freq) + 9 if freq > 0 else 0.0


def _german_nouns() -> tuple[frozenset[str], frozenset[str]]:
    """Lower-case forms of German nouns (all entries), and of name entries (Vorname, ...)."""
    if not _NOUNS:
        base = resources.files("german_nouns")
        index = base.joinpath("index.txt").read_text(encoding="utf-8")
        _NOUNS["common"] = frozenset(re.findall(r"^[^\t\n]+", index, re.MULTILINE))
        del index
        # name entries are rare: find their labels and read those rows only (a full csv parse
        # of the 20 MB file takes 1.5 s)
        csv = base.joinpath("nouns.csv").read_bytes()
        labels = [label.encode() for label in _NAME_POS]
        starts: set[int] = set()
        for label in labels:
            i = csv.find(label)
            while i != -1:
                starts.add(csv.rfind(b"\n", 0, i) + 1)
                i = csv.find(label, i + 1)
        names: set[str] = set()
        for start in starts:
            line = csv[start : csv.find(b"\n", start)]
            comma = line.find(b",")
            quoted = line.startswith(b'"', comma + 1)
            end = line.find(b'"', comma + 2) + 1 if quoted else line.find(b",", comma + 1)
            if any(label in line[comma + 1 : end] for label in labels):
                names.add(line[:comma].decode().lower())
                names.update(f.decode().lower() for f in line[end:].split(b",") if len(f) > 1)
        _NOUNS["names"] = frozenset(names)
    return _NOUNS["common"], _NOUNS["names"]


def _is_name(lang: Language, lower: str) -> bool:
    # German: every noun is capitalised, so only Wiktionary's name entries (Müller, Schmidt,
    # Maria) outrank a noun; Faker's surnames hold too many nouns (Bürger, Schüler, Reich)
    if lang.code == "de":
        return lower in _german_nouns()[1]
    return lower in lang.given_names or lower in lang.surnames


@lru_cache(maxsize=65536)
def _is_common(code: Lang, word: str) -> bool:
    lang = language(code)
    lower = word.lower().strip(".'’")
    if not lower:
        return False
    if lower in lang.stopwords or lower in lang.determiners:
        return True
    if lower in lang.roles or lower in lang.org_words or lower in lang.speech_verbs:
        return True
    if _is_name(lang, lower):  # names are as frequent in the other language, words are not
        other = "de" if code == "en" else "en"
        zipf = _zipf(code, lower)
        return zipf >= NAME_ZIPF[code] and zipf - _zipf(other, lower) >= NAME_GAP
    if code == "en":
        return _zipf(code, lower) >= COMMON_ZIPF
    return _german_common(lower)


#: from this Zipf frequency a German noun that some family bears is read as the noun
NOUN_OVER_NAME_ZIPF = 4.5


@lru_cache(maxsize=65536)
def _noun(code: Lang, lower: str) -> bool:
    if code != "de":
        return False
    common, names = _german_nouns()
    if lower not in common or lower in language(code).given_names:
        return False
    return lower not in names or _zipf(code, lower) >= NOUN_OVER_NAME_ZIPF


def _german_common(lower: str) -> bool:
    common, names = _german_nouns()
    if lower in common:
        return True
    if "-" in lower:  # "Brücken-Doku": the last part decides
        last = lower.rsplit("-", 1)[1]
        return bool(last) and _is_common("de", last)
    surnames = language("de").surnames
    if lower in surnames or lower in language("de").given_names:
        return False
    for i in range(3, len(lower) - 3):  # compounds: "Trainerteam", "Russlandexperte"
        tail = lower[i:]  # but not "Wagenknecht", "Steinmeier": heads that are surnames
        if tail in _NAME_HEADS or tail in names or tail in surnames:
            return False
        if tail in common:
            return True
    return False


# -- language detection --------------------------------------------------------------------------


@cache
def _markers() -> tuple[frozenset[str], frozenset[str]]:
    en, de = language("en"), language("de")
    en_words = en.stopwords | en.determiners | frozenset(en.pronouns) | {"said", "says"}
    de_words = de.stopwords | de.determiners | frozenset(de.pronouns) | {"sagte", "sagt"}
    return frozenset(en_words - de_words), frozenset(de_words - en_words)


#: how much of a text language detection reads
_DETECT_CHARS = 1200


def detect_language(text: str) -> Lang:
    """ "de" or "en" for a text: function words, umlauts, then word frequencies when close."""
    en_markers, de_markers = _markers()
    text = text[:_DETECT_CHARS]  # the opening of an entry tells its language
    tokens = _WORD.findall(text.lower())
    counts = Counter(tokens)
    en = float(sum(n for t, n in counts.items() if t in en_markers))
    de = float(sum(n for t, n in counts.items() if t in de_markers))
    de += 0.5 * min(len(_UMLAUT.findall(text)), 4)
    if abs(de - en) < 2:  # short or name-heavy text: which language knows its words better
        for token in tokens:
            gap = _zipf("de", token) - _zipf("en", token)
            de += 0.5 * (gap >= 1)
            en += 0.5 * (gap <= -1)
    return "de" if de > en else "en"
