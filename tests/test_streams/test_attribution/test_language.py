"""Tests for the per-language word data of the attribution engine."""

from __future__ import annotations

import subprocess
import sys

import pytest

from streams.attribution.language import Language, detect_language, language
from streams.attribution.lexicon import lexicon

EN = language("en")
DE = language("de")


class TestLanguageFactory:
    """language() picks and caches the word data of a code."""

    @pytest.mark.parametrize(
        ("code", "expected"),
        [("en", "en"), ("de", "de"), ("de-AT", "de"), (None, "en"), ("fr", "en")],
    )
    def test_codes(self, code: str | None, expected: str) -> None:
        """Known codes map to their language, unknown ones and None to English."""
        assert language(code).code == expected

    def test_cached(self) -> None:
        """The same object is returned for the same code."""
        assert language("de") is language("de")
        assert isinstance(language("de"), Language)

    def test_lazy(self) -> None:
        """Importing and loading the word lists leaves wordfreq and german-nouns unread."""
        code = (
            "import sys; from streams.attribution import language as m; "
            "m.language('de'); m.language('en'); "
            "assert not m._FREQ and not m._NOUNS, (m._FREQ.keys(), m._NOUNS.keys()); "
            "m.language('de').is_common_word('Film'); assert m._NOUNS; print('ok')"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == "ok"


class TestWordLists:
    """The lists carry the words the engine relies on."""

    @pytest.mark.parametrize(
        "word",
        ["said", "says", "told", "added", "insisted", "wrote", "tweeted", "acknowledged", "urged"],
    )
    def test_english_speech_verbs(self, word: str) -> None:
        """Common English reporting verbs are speech verbs in every listed form."""
        assert word in EN.speech_verbs

    @pytest.mark.parametrize(
        "word",
        [
            "sagte",
            "gesagt",
            "erklärte",
            "betont",
            "schrieb",
            "kritisierte",
            "fügte",
            "räumte",
            "hieß",
        ],
    )
    def test_german_speech_verbs(self, word: str) -> None:
        """Common German reporting verbs, and separable stems, are speech verbs."""
        assert word in DE.speech_verbs

    def test_not_speech(self) -> None:
        """'so' is a source preposition in German, not a speech verb; 'the' is no verb."""
        assert "so" not in DE.speech_verbs
        assert "so" in DE.source_preps
        assert "the" not in EN.speech_verbs

    @pytest.mark.parametrize(
        ("stem", "particle"),
        [
            ("fügte", "hinzu"),
            ("teilte", "mit"),
            ("räumte", "ein"),
            ("gab", "bekannt"),
            ("gab", "zu"),
            ("stellte", "klar"),
            ("stellte", "fest"),
        ],
    )
    def test_separable(self, stem: str, particle: str) -> None:
        """German separable verbs map their stem to the particles that complete them."""
        assert particle in DE.separable[stem]

    def test_english_particle_verbs(self) -> None:
        """English speech verbs that need a particle after them ("point out", "go on") or a
        quotation ("she continued: “…”"), from the annotations of the one verb list."""
        assert EN.separable["pointed"] == {"out"}
        assert EN.separable["went"] == {"on"}
        assert "said" not in EN.separable and "said" in EN.speech_verbs
        assert {"continued", "dismissed"} <= EN.quote_only
        assert "continued" in EN.speech_verbs and "said" not in EN.quote_only

    def test_sources(self) -> None:
        """Source prepositions and postpositions of both languages."""
        assert "according" in EN.source_preps
        assert {"laut", "so"} <= DE.source_preps
        assert DE.source_postps == {"zufolge"}
        assert not EN.source_postps

    def test_pronouns(self) -> None:
        """Pronouns give a gender where the language marks one."""
        assert EN.pronouns == {"he": "m", "she": "f", "they": None}
        assert DE.pronouns["er"] == "m"
        assert DE.pronouns["sie"] is None

    def test_small_lists(self) -> None:
        """Determiners and titles are lower case and hold the basic words."""
        assert {"the", "a", "an", "those"} <= EN.determiners
        assert {"der", "die", "das", "einem", "dieser"} <= DE.determiners
        assert {"mr", "mrs", "dr", "prof", "sen", "gov"} <= EN.titles
        assert {"herr", "frau", "dr", "prof"} <= DE.titles

    @pytest.mark.parametrize("lang", [EN, DE])
    def test_lower_case(self, lang: Language) -> None:
        """Every list is lower case."""
        for words in (lang.speech_verbs, lang.roles, lang.org_words, lang.stopwords, lang.titles):
            assert all(w == w.lower() for w in words)

    @pytest.mark.parametrize("lang", [EN, DE])
    def test_sizes(self, lang: Language) -> None:
        """The lists are generous, not token samples."""
        assert len(lang.speech_verbs) >= 150
        assert len(lang.roles) >= 150
        assert len(lang.org_words) >= 70
        assert len(lang.stopwords) >= 150


class TestRoleHead:
    """role_head finds the role a word names, also inside compounds."""

    @pytest.mark.parametrize(
        ("word", "head"),
        [
            ("Bundeskanzler", "kanzler"),
            ("CDU-Politiker", "politiker"),
            ("Russlandexperte", "experte"),
            ("Interimscoach", "coach"),
            ("Sprecherin", "sprecherin"),
            ("Regierungssprecher", "sprecher"),
            ("Ministerin", "ministerin"),
            ("Hund", None),
            ("Schubert", None),
            ("Demokrat", None),
        ],
    )
    def test_german(self, word: str, head: str | None) -> None:
        """German compounds and hyphenations end in their role."""
        assert DE.role_head(word) == head

    @pytest.mark.parametrize(
        ("word", "head"),
        [
            ("spokeswoman", "spokeswoman"),
            ("Minister", "minister"),
            ("ex-minister", "minister"),
            ("Whitehead", None),
            ("Smith", None),
            ("table", None),
        ],
    )
    def test_english(self, word: str, head: str | None) -> None:
        """English roles are whole words or the last part of a hyphenation."""
        assert EN.role_head(word) == head


class TestOrgHead:
    """org_head finds the organisation noun a word names."""

    @pytest.mark.parametrize(
        ("word", "head"),
        [
            ("Staatsanwaltschaft", "staatsanwaltschaft"),
            ("Bundesinnenministerium", "ministerium"),
            ("Landespolizei", "polizei"),
            ("Bundesamt", "amt"),
            ("Demokrat", None),
            ("Film", None),
        ],
    )
    def test_german(self, word: str, head: str | None) -> None:
        """German organisation compounds end in their head noun."""
        assert DE.org_head(word) == head

    @pytest.mark.parametrize(
        ("word", "head"), [("Police", "police"), ("Ministry", "ministry"), ("Smith", None)]
    )
    def test_english(self, word: str, head: str | None) -> None:
        """English organisation nouns are whole words."""
        assert EN.org_head(word) == head


EN_WORDS = [
    "The",
    "Information",
    "Campaign",
    "Limit",
    "However",
    "Minister",
    "Police",
    "Meanwhile",
    "Government",
    "Yesterday",
    "Although",
    "Several",
    "Officials",
    "President",
    "Market",
    "Morning",
    "Election",
    "Statement",
    "Security",
    "Health",
    "Today",
    "Despite",
    "Tuesday",
    "After",
    "During",
    "People",
    "Country",
    "Young",
    "Brown",
    "Will",
]
EN_NAMES = [
    "Smith",
    "Hollister",
    "Okonkwo",
    "Starmer",
    "Johnson",
    "Williams",
    "Taylor",
    "Jennifer",
    "Michael",
    "Hendrik",
    "Maria",
    "Okonkwo",
    "Vandermeer",
    "Brackwell",
    "Thistlewood",
    "Kowalczyk",
    "Marguerite",
    "Fenwick",
    "Ashdown",
    "Pemberton",
    "Delacroix",
    "Rourke",
    "Castellano",
    "Nakamura",
    "Jones",
    "Rose",
    "Miller",
    "Davis",
    "Wilson",
    "Biden",
]
DE_WORDS = [
    "Film",
    "Worte",
    "Tag",
    "Menge",
    "Russophobie",
    "Debatten",
    "Persönlichkeiten",
    "Brücken-Doku",
    "Trainerteam",
    "Der",
    "Die",
    "Nach",
    "Allerdings",
    "Bundesamt",
    "Regierung",
    "Polizei",
    "Bürger",
    "Schüler",
    "Hände",
    "Bücher",
    "Häuser",
    "Woche",
    "Entscheidung",
    "Gespräch",
    "Verhandlungen",
    "Sommer",
    "König",
    "Sprecher",
    "Wahlkampf",
    "Koalitionsvertrag",
]
DE_NAMES = [
    "Schubert",
    "Wendler",
    "Kessler",
    "Brenner",
    "Lindqvist",
    "Merz",
    "Schmidt",
    "Müller",
    "Schneider",
    "Fischer",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Scholz",
    "Wagenknecht",
    "Steinmeier",
    "Lauterbach",
    "Hendrik",
    "Maria",
    "Brennecke",
    "Obermaier",
    "Kleinschmidt",
    "Wüstenhagen",
    "Sommerfeld",
    "Grabowski",
    "Yilmaz",
    "Kowalski",
    "Petersen",
    "Weidel",
    "Zimmermann",
]


class TestIsCommonWord:
    """is_common_word tells ordinary words from names."""

    @pytest.mark.parametrize("word", EN_WORDS)
    def test_english_words(self, word: str) -> None:
        """Frequent English words and function words are common."""
        assert EN.is_common_word(word)

    @pytest.mark.parametrize("word", EN_NAMES)
    def test_english_names(self, word: str) -> None:
        """English surnames and given names, also the word Rose, are not."""
        assert not EN.is_common_word(word)

    @pytest.mark.parametrize("word", DE_WORDS)
    def test_german_words(self, word: str) -> None:
        """German nouns in any form, compounds and function words are common."""
        assert DE.is_common_word(word)

    @pytest.mark.parametrize("word", DE_NAMES)
    def test_german_names(self, word: str) -> None:
        """German surnames, also ones that are nouns (Müller, Fischer), are not."""
        assert not DE.is_common_word(word)

    def test_empty(self) -> None:
        """Punctuation alone is no word."""
        assert not EN.is_common_word("'")


class TestGivenNames:
    """Given names and their gender."""

    @pytest.mark.parametrize(
        ("lang", "word", "gender"),
        [
            (EN, "Maria", "f"),
            (EN, "Hendrik", "m"),
            (EN, "Taylor", None),
            (EN, "Jennifer", "f"),
            (EN, "Michael", "m"),
            (DE, "Maria", "f"),
            (DE, "Hendrik", "m"),
            (DE, "Andrea", None),
            (DE, "Friedrich", "m"),
            (DE, "Angela", "f"),
            (EN, "Smith", None),
            (DE, "Tisch", None),
        ],
    )
    def test_gender(self, lang: Language, word: str, gender: str | None) -> None:
        """Known names give their gender, ambiguous and unknown ones None."""
        assert lang.given_name_gender(word) == gender

    @pytest.mark.parametrize(
        ("lang", "word", "known"),
        [
            (EN, "Taylor", True),
            (EN, "maria", True),
            (EN, "Hollister", False),
            (DE, "Jan", True),
            (DE, "Film", False),
        ],
    )
    def test_is_given_name(self, lang: Language, word: str, known: bool) -> None:
        """Known given names, in any case, are given names; surnames and nouns are not."""
        assert lang.is_given_name(word) is known

    def test_fold(self) -> None:
        """fold lower-cases and drops accents."""
        assert DE.fold("Müller") == "muller"
        assert EN.fold("José") == "jose"
        assert DE.fold("Straße") == "strasse"


class TestDetectLanguage:
    """detect_language tells English from German on short text."""

    @pytest.mark.parametrize(
        "text",
        [
            "He said the plan would fail.",
            "The minister told reporters that talks would continue.",
            "Taylor Swift performed in Berlin.",
            "“We will win,” she said.",
            "Police confirmed two arrests on Tuesday.",
        ],
    )
    def test_english(self, text: str) -> None:
        """English sentences are English."""
        assert detect_language(text) == "en"

    @pytest.mark.parametrize(
        "text",
        [
            "Er sagte, der Plan werde scheitern.",
            "„Das ist falsch“, so Brenner.",
            "Merz trifft Macron in Paris.",
            "Die Polizei bestätigte zwei Festnahmen.",
            "Laut Behörden gibt es keine Verletzten.",
        ],
    )
    def test_german(self, text: str) -> None:
        """German sentences are German."""
        assert detect_language(text) == "de"

    def test_empty(self) -> None:
        """An empty text is English."""
        assert detect_language("") == "en"


@pytest.mark.parametrize(
    ("code", "word", "names"),
    [
        ("de", "Zeitung", True),
        ("de", "Nachrichtenportals", True),  # genitive of a compound
        ("de", "Netflix-Dokumentation", True),
        ("de", "Minister", False),
        ("en", "documentary", True),
        ("en", "newspaper", True),
        ("en", "minister", False),
    ],
)
def test_words_that_name_a_work(code: str, word: str, names: bool) -> None:
    """A noun before a title in quotation marks names a work or medium, compounds too."""
    assert language(code).names_work(word) is names


def test_one_english_speech_verb_list() -> None:
    """The rule reader reads the language reading's English list: its verbs, less those marked
    for the language reading only ("reported"), with its marks ("~": "says" inverts)."""
    lex = lexicon()
    assert {"said", "says", "emailed", "asserted"} <= lex.speech_forms & EN.speech_verbs
    assert "reported" in EN.speech_verbs and "reported" not in lex.speech_forms
    assert "says" in lex.inverting_forms
