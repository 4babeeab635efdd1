"""The language-driven reading the ranker takes its candidates from: mentions and speech cues."""

from __future__ import annotations

import pytest

from streams.attribution.cues import Doc, read_doc
from streams.attribution.language import language
from streams.attribution.memory import SpeakerMemory
from streams.attribution.ranker import Model, candidates, is_title, locate, speaker_candidates


def doc(*paragraphs: str, lang: str = "en", memory: SpeakerMemory | None = None) -> Doc:
    return read_doc(list(paragraphs), language(lang), memory or SpeakerMemory())


def mentions(d: Doc) -> list[tuple[str, str, str | None, str | None]]:
    return [(m.text, m.kind, m.person.name if m.person else None, m.cue) for m in d.mentions()]


class TestMentions:
    def test_role_before_a_name_is_learned(self) -> None:
        """`Bundeskanzlerin Anna Roth` is Anna Roth, who then holds that role."""
        memory = SpeakerMemory()
        d = doc("Bundeskanzlerin Anna Roth reiste nach Paris.", lang="de", memory=memory)
        assert ("Anna Roth", "name", "Anna Roth", None) in mentions(d)
        assert any("kanzlerin" in r for r in memory.persons["roth"].roles)

    @pytest.mark.parametrize(
        ("text", "lang"),
        [
            ("Die Menge jubelte am Dienstag vor der Brücke.", "de"),
            ("However, the Film Festival opened on Monday.", "en"),
        ],
    )
    def test_ordinary_words_name_nobody(self, text: str, lang: str) -> None:
        """Capitalised nouns, weekdays and sentence openers are no people."""
        assert [m for m in mentions(doc(text, lang=lang)) if m[1] in ("name", "surname")] == []

    def test_surname_is_the_full_name_met_before(self) -> None:
        """A surname alone finds the person introduced with the full name."""
        d = doc("Grace Okafor arrived.", "Later Okafor left.")
        assert ("Okafor", "surname", "Grace Okafor", None) in mentions(d)

    def test_headline_verb_ends_a_name(self) -> None:
        """`Donna Reyes Praises Tom Hill` holds two names, not one."""
        names = [m[2] for m in mentions(doc("Donna Reyes Praises Tom Hill After Final"))]
        assert "Donna Reyes" in names and "Tom Hill" in names


class TestKindBeforeName:
    def test_noun_before_a_name_makes_it_an_organisation(self) -> None:
        """ "revelations by newspaper Nordposten" names a newspaper, which "the newspaper
        reported" then is; "minister Jan Lind" stays a person."""
        d = doc(
            "The prime minister was concerned about the revelations by newspaper Nordposten. "
            "Thirty employees were “security risks”, the newspaper reported.",
            "Justice minister Jan Lind will meet the police.",
        )
        found = {m.text: (m.kind, m.person.name if m.person else None) for m in d.mentions()}
        assert found["Nordposten"] == ("org", "Nordposten")
        assert found["newspaper"] == ("org", "Nordposten")
        assert found["Jan Lind"] == ("name", "Jan Lind")

    def test_a_known_person_stays_a_person(self) -> None:
        """A name the blog knows as a person's is not made an organisation by a noun."""
        d = doc(
            "The report was passed to lawyer Dana Reyes by group Reyes.",
            memory=_knows("Dana Reyes"),
        )
        found = {m.text: (m.kind, m.person.name if m.person else None) for m in d.mentions()}
        assert found["Reyes"] == ("surname", "Dana Reyes")


class TestPlaces:
    def test_place_continued_in_an_apposition_is_a_place(self) -> None:
        """`from Lowdham, North Wessex,`: the second name continues the place, so the speech
        verb's subject is the person before both."""
        d = doc(
            "Ray Hollis, 60, from Lowdham, North Wessex, said: “We started out in Wessex.”",
            memory=_knows("Wessex"),
        )
        by_text = {m[0]: m for m in mentions(d)}
        assert by_text["Ray Hollis"][3] == "verb_before"
        assert [m.prep for m in d.mentions() if m.text == "Wessex"] == ["place"]

    def test_name_after_an_opening_place_is_no_place(self) -> None:
        """ "In Lowdham, Ray Hollis, the mayor, said": Hollis is the subject."""
        d = doc("In Lowdham, Ray Hollis, the mayor, said: “No.”")
        assert [m.prep for m in d.mentions() if m.text == "Ray Hollis"] == [""]


class TestLetters:
    @pytest.mark.parametrize(
        ("text", "lang"),
        [
            ("A letter from the Harbour Trust to Dana Reyes said: “We demand an inquiry.”", "en"),
            ("Ein Brief von der Hafenstiftung an Dana Reyes hieß: „Wir fordern Aufklärung.“", "de"),
        ],
    )
    def test_writer_of_a_letter_is_no_place(self, text: str, lang: str) -> None:
        """`a letter from X`: X is the writer, not a place the verb's subject search skips."""
        d = doc(text, lang=lang)
        assert [m.prep for m in d.mentions() if m.text in ("Harbour Trust", "Hafenstiftung")] == [
            ""
        ]


class TestPronouns:
    @pytest.mark.parametrize(
        ("text", "lang", "subject"),
        [
            (
                "Botschafter Tom Hill verteidigte den Einsatz. UN-Generalsekretär Dan Silva "
                "erklärte, er sei „zutiefst besorgt“.",
                "de",
                "Dan Silva",
            ),
            (
                "Ambassador Tom Hill defended the raid. UN chief Dan Silva said he was "
                "“deeply worried”.",
                "en",
                "Dan Silva",
            ),
        ],
    )
    def test_pronoun_after_a_subject_with_its_role(
        self, text: str, lang: str, subject: str
    ) -> None:
        """A role before a name ("UN-Generalsekretär Dan Silva erklärte, er sei …") still makes
        the name the sentence's subject, which the pronoun after it stands for."""
        found = [m[2] for m in mentions(doc(text, lang=lang)) if m[1] == "pronoun"]
        assert found == [subject]


class TestUnnamed:
    def test_indefinite_role_is_somebody_unnamed(self) -> None:
        """ "one resident said": the cue's subject is somebody unnamed (not the blog's resident),
        and "she" after it stands for them."""
        memory = _knows("Dana Reyes")
        memory.learn_role(memory.persons["reyes"], "resident")
        d = doc("“We lost it”, one resident said. “It is gone,” she added.", memory=memory)
        got = [(m.text, m.person, m.cue, m.anonymous) for m in d.mentions()]
        assert got == [
            ("resident", None, "verb_before", True),
            ("she", None, "verb_before", True),
        ]

    def test_the_unnamed_role_again_is_still_unnamed(self) -> None:
        """ "A senior official said … “…,” the official said": the same unnamed person, not
        whoever else the blog knows in that role."""
        memory = _knows("Dana Reyes")
        memory.learn_role(memory.persons["reyes"], "minister")
        d = doc(
            "A senior official said the talks had stalled. “We wait,” the official said.",
            memory=memory,
        )
        assert [(m.text, m.anonymous) for m in d.mentions()] == [
            ("senior official", True),
            ("official", True),
        ]

    def test_description_in_apposition_is_no_speaker(self) -> None:
        """ "Dana Reyes, 42, a lecturer, said": the lecturer is Reyes, described."""
        d = doc("Dana Reyes, 42, a lecturer from Lowdham, said: “We lost it.”")
        assert [(m.text, m.cue, m.anonymous) for m in d.mentions()][:1] == [
            ("Dana Reyes", "verb_before", False)
        ]
        assert not any(m.anonymous for m in d.mentions())


class TestSpokespeople:
    @pytest.mark.parametrize(
        ("text", "lang"),
        [
            ("“We acted lawfully,” a Harbour Trust spokeswoman said.", "en"),
            ("„Wir haben rechtmäßig gehandelt“, sagte ein Harbour Trust Sprecher.", "de"),
        ],
    )
    def test_spokesman_speaks_for_the_body_named(self, text: str, lang: str) -> None:
        """ "a Harbour Trust spokeswoman said": the Trust is the speech cue's subject."""
        memory = SpeakerMemory()
        memory.add("Harbour Trust", kind="org")
        found = [(m[2], m[3]) for m in mentions(doc(text, lang=lang, memory=memory))]
        assert ("Harbour Trust", "verb_before" if lang == "en" else "verb_after") in found


class TestRoleThenName:
    @pytest.mark.parametrize(
        ("text", "lang"),
        [
            ("“We lost it,” said a nurse, Dana Reyes.", "en"),
            ("“We lost it,” said the head of the union, Dana Reyes.", "en"),
            (
                "Scharf kritisiert die Landesvorsitzende der Familienunternehmer, Dana Reyes, "
                "den Auftritt.",
                "de",
            ),
        ],
    )
    def test_name_after_the_role_is_the_subject(self, text: str, lang: str) -> None:
        """A speech verb's subject is a role phrase with its complement and then the name: the
        name is who speaks."""
        found = {m[2]: m[3] for m in mentions(doc(text, lang=lang))}
        assert found.get("Dana Reyes") == "verb_after"


class TestNounsNotVerbs:
    def test_speech_word_after_an_article_is_a_noun(self) -> None:
        """ "on a call that the agency …": "call" is a noun, the agency no speech verb's subject."""
        for text in (
            "Officials spoke on a call that the Harbour Agency arranged.",
            "Officials spoke on a background call that the Harbour Agency arranged.",
        ):
            d = doc(text)
            assert [m[3] for m in mentions(d) if m[0] == "Harbour Agency"] == [None]
        memory = _knows("Dana Reyes")
        memory.learn_role(memory.persons["reyes"], "minister")
        d = doc("“We wait,” the minister said.", memory=memory)
        assert [(m.person.name if m.person else None, m.cue) for m in d.mentions()] == [
            ("Dana Reyes", "verb_before")
        ]


class TestRolesWithModifiers:
    def test_party_before_the_role_picks_its_holder(self) -> None:
        """ "der CDU-Spitzenkandidat" is the candidate whose role names the CDU ("Karl Adler,
        der Spitzenkandidat der CDU,"), not the AfD-Spitzenkandidat mentioned last."""
        d = doc(
            "In der Debatte wirft AfD-Spitzenkandidat Tom Brenner seinem Kontrahenten Karl "
            "Adler eine Lüge vor.",
            "Karl Adler allerdings, der Spitzenkandidat der CDU, hat sich etwas vorgenommen.",
            "Der Herr Brenner hat es jetzt gesagt.",
            "Er lasse sich nur „ungern unterstellen, dass ich lüge“, so der CDU-Spitzenkandidat.",
            lang="de",
        )
        found = [(m.text, m.person.name if m.person else None) for m in d.mentions()]
        assert ("Spitzenkandidat", "Karl Adler") in found
        assert ("CDU-Spitzenkandidat", "Karl Adler") in found

    def test_role_in_apposition_is_learned(self) -> None:
        """ "Dana Reyes, the head of the union," gives Reyes that role."""
        memory = SpeakerMemory()
        doc("Dana Reyes, the head of Acme, arrived late.", memory=memory)
        assert memory.persons["reyes"].roles == ["head of acme"]


class TestRulePickShortForms:
    def test_first_name_pick_is_the_previous_speaker_in_full(self) -> None:
        """The rule reader's "Phil" for a continued quotation is the "Phil Dunmore" who spoke
        before, even when only the previous speaker names him among the candidates."""
        memory = SpeakerMemory()
        full = memory.add("Phil Dunmore")
        short = memory.add("Phil")
        d = doc("“Now he is walking everywhere, so you need eyes in the back of your head.”")
        text = "Now he is walking everywhere, so you need eyes in the back of your head."
        site = locate(d, 0, text, "direct")
        cands = candidates(
            d,
            site,
            text,
            rule_pick=short,
            rule_method="continued",
            previous=full,
            previous_para=-1,
            memory=memory,
            entry_speakers=[],
        )
        ruled = [c.person.name for c in cands if "rule" in c.features]
        assert ruled == ["Phil Dunmore"]


class TestFallbackInLongEntries:
    @pytest.mark.parametrize(("paragraphs", "weight"), [(2, 0.1), (10, 0.5), (40, 1.0)])
    def test_entry_default_carries_the_entry_length(self, paragraphs: int, weight: float) -> None:
        """The rule reader's default (the entry's speaker) is marked with how long the entry
        is, so that the model can trust it less in an article than in a short live entry."""
        memory = SpeakerMemory()
        lind = memory.add("Jan Lind")
        filler = ["The council met again on Tuesday."] * (paragraphs - 1)
        d = doc(*filler, "“We will build the bridge.”", memory=memory)
        text = "We will build the bridge."
        site = locate(d, paragraphs - 1, text, "direct")
        cands = candidates(
            d,
            site,
            text,
            rule_pick=lind,
            rule_method="entry",
            previous=None,
            previous_para=-1,
            memory=memory,
            entry_speakers=[],
        )
        (picked,) = [c for c in cands if "rule" in c.features]
        assert picked.features["rule_entry_x_long"] == pytest.approx(weight)
        assert "rule_entry_x_long" not in {k for c in cands if c is not picked for k in c.features}


class TestEntrySpeakerCandidates:
    @pytest.mark.parametrize(
        ("text", "lang"),
        [
            ("A working group has been set up, Lind said.", "en"),
            ("Lind sagte, die Brücke werde im Herbst geöffnet.", "de"),
            ("Jan Lind said the plan would fail.", "en"),
        ],
    )
    def test_reported_by_name_or_surname(self, text: str, lang: str) -> None:
        """Words reported without quotation marks under the speaker's name or surname mark
        the candidate as reported by name; under a pronoun they do not."""
        memory = _knows("Jan Lind")
        d = doc(text, lang=lang, memory=memory)
        lind = memory.persons["lind"]
        (cand,) = speaker_candidates(d, [], {}, [lind], [])
        assert cand.features.get("reported_by_name") == 1.0

    def test_reported_without_a_name_is_not_by_name(self) -> None:
        """Reported by somebody the sentence does not name: not by name."""
        memory = _knows("Jan Lind")
        d = doc("The plan would fail, officials said.", memory=memory)
        lind = memory.persons["lind"]
        (cand,) = speaker_candidates(d, [], {}, [lind], [])
        assert cand.features.get("reported") == 1.0
        assert "reported_by_name" not in cand.features


class TestUnintroducedNames:
    @pytest.mark.parametrize(
        ("text", "lang"),
        [("“We will act,” Korin said.", "en"), ("„Wir handeln“, sagte Korin.", "de")],
    )
    def test_the_subject_at_the_verb_is_a_person(self, text: str, lang: str) -> None:
        """A name the entry never introduced, right at the speech verb, is its subject."""
        d = doc(text, lang=lang)
        cued = [(m.text, m.person.name if m.person else None) for m in d.mentions() if m.cue]
        assert cued == [("Korin", "Korin")]

    def test_an_unknown_word_further_away_is_not(self) -> None:
        """An unknown capitalised word a few words before the verb is no subject."""
        d = doc("“We will act,” Korin in the morning said.")
        assert [m for m in d.mentions() if m.cue and m.person is not None] == []


class TestSubjectBeforeAReportedPronoun:
    @pytest.mark.parametrize(
        ("text", "subject"),
        [
            ("**Korin** says he does not have that figure.", "Korin"),
            ("Probate judge Wes Lind said he would not issue the licenses.", "Wes Lind"),
            ("Dana Reyes says she will stand again.", "Dana Reyes"),
        ],
    )
    def test_the_name_before_the_verb_speaks(self, text: str, subject: str) -> None:
        """ "X says he …": the name before the verb is its subject, the pronoun after it the
        subject of what X reports (it was read as the verb's subject after it)."""
        d = doc(text)
        cued = [(m.text, m.cue) for m in d.mentions() if m.cue]
        assert cued == [(subject, "verb_before")]

    def test_after_a_quotation_the_subject_still_follows(self) -> None:
        """ "“…,” said Lind": no name before the verb, the one after it speaks."""
        d = doc("“We are ready,” said Jan Lind.")
        assert [(m.text, m.cue) for m in d.mentions() if m.cue] == [("Jan Lind", "verb_after")]


class TestCataphora:
    def test_a_role_named_before_its_holder(self) -> None:
        """ "Die Gesundheitsministerin hat …" in the lede, "Gesundheitsministerin Dana Reyes"
        after it: the lede's role is Reyes."""
        d = doc(
            "Die Gesundheitsministerin hat den Plan als „Katastrophe“ bezeichnet.",
            "Gesundheitsministerin Dana Reyes ist seit Mai im Amt.",
            lang="de",
        )
        first = d.sentences[0].mentions[0]
        assert (first.text, first.person.name if first.person else None) == (
            "Gesundheitsministerin",
            "Dana Reyes",
        )

    def test_two_holders_leave_the_role_open(self) -> None:
        """Two people with that role in the entry: the lede's role is neither."""
        d = doc(
            "Die Ministerin hat den Plan als „Katastrophe“ bezeichnet.",
            "Gesundheitsministerin Dana Reyes und Bauministerin Anna Roth reisten ab.",
            lang="de",
        )
        assert d.sentences[0].mentions[0].person is None


class TestPostNominals:
    def test_letters_after_a_name_are_no_part_of_it(self) -> None:
        """ "Naomi Achter KC" and "Jan Lind MP" are Naomi Achter and Jan Lind."""
        d = doc(
            "**Naomi Achter KC**, counsel to the inquiry, said: “You were warned.”",
            "Jan Lind MP said he would vote against it.",
        )
        names = [m.person.name for m in d.mentions() if m.person is not None]
        assert names == ["Naomi Achter", "Jan Lind"]


class TestQuoteOnlyVerbs:
    def test_continues_reports_speech_only_before_a_quotation(self) -> None:
        """ "Broad continues round the wicket" is bowling; "Lind continued: “…”" is speech."""
        d = doc(
            "Broad continues round the wicket to Rogers. Starc dismissed Root for 12.",
            "Lind continued: “We are not finished.”",
            memory=_knows("Stuart Broad", "Mitchell Starc", "Jan Lind"),
        )
        cued = [m.person.name for m in d.mentions() if m.person is not None and m.cue]
        assert cued == ["Jan Lind"]


class TestBracketedAside:
    @pytest.mark.parametrize(
        ("text", "lang", "subject"),
        [
            (
                "**Alison Reyes** (SNP) said this implied the office did not care.",
                "en",
                "Alison Reyes",
            ),
            ("**James Lind** (Con) is asking the questions.", "en", "James Lind"),
            ("Mike Okafor (R-Wis.) said: “We will act.”", "en", "Mike Okafor"),
            ("Anna Roth (CDU) sagte, das Gesetz komme zu spät.", "de", "Anna Roth"),
        ],
    )
    def test_party_in_brackets_between_name_and_verb(
        self, text: str, lang: str, subject: str
    ) -> None:
        """A short bracketed aside after a name (a party, a state) does not end the clause:
        the name is still the subject of the speech verb."""
        d = doc(text, lang=lang)
        cued = [
            c.mention.person.name for c in d.sentences[0].cues if c.mention and c.mention.person
        ]
        assert cued[:1] == [subject]

    def test_a_long_bracket_still_ends_the_clause(self) -> None:
        """A bracketed sentence is no aside: the verb after it has no subject before it."""
        d = doc("Jan Lind (who was not at the meeting and has not commented since) said nothing.")
        said = [c for c in d.sentences[0].cues if d.sentences[0].tokens[c.at].lower == "said"]
        assert [c.mention for c in said] == [None]


class TestInterviewer:
    def test_he_who_answers_is_not_the_one_asked_about(self) -> None:
        """ "I ask if Dan Reyes is good enough. “Yes,” he snaps": the man the writer sits with
        answers, not the one the question is about; the writer's "I ask" names no speaker."""
        d = doc(
            "As I sit opposite Tony Hill in his office, I ask if Dan Reyes is good enough. "
            "“Yes, of course, he is just beginning,” he snaps."
        )
        found = {m.text: (m.person.name if m.person else None, m.cue) for m in d.mentions()}
        assert found["he"] == ("Tony Hill", "verb_before")
        assert found["Tony Hill"] == ("Tony Hill", None)

    def test_a_name_in_a_place_phrase_is_no_antecedent(self) -> None:
        """ "…, a few yards from Mira Lind's studio, …. “…,” she snaps": the woman named in
        the place phrase is not the one who answers, the one the writer sits with is."""
        d = doc(
            "As I sit opposite Dana Okafor in her office, only a few yards from Mira Lind's "
            "studio, I ask if Hana Berg can last. “Yes, of course, she is just beginning,” "
            "she snaps."
        )
        found = {m.text: (m.person.name if m.person else None, m.cue) for m in d.mentions()}
        assert found["she"] == ("Dana Okafor", "verb_before")

    def test_a_name_in_a_place_phrase_is_the_antecedent_when_alone(self) -> None:
        """Nobody else in the entry: "he" is the man the place phrase named."""
        d = doc("The crowd gathered outside the studio of Jon Reyes. “We are open,” he said.")
        found = {m.text: (m.person.name if m.person else None, m.cue) for m in d.mentions()}
        assert found["he"] == ("Jon Reyes", "verb_before")


class TestToldReporters:
    def test_told_reporters_that_names_its_subject_only(self) -> None:
        """ "A gracious Reyes told reporters that Castlebridge had been …": Reyes (after an
        adjective) is the subject; the club in the reported clause is nobody's cue, and the
        "she" after is no organisation."""
        memory = _knows("Dana Reyes")
        memory.add("Castlebridge Rovers", kind="org")
        d = doc(
            "A gracious Reyes told reporters that Castlebridge had been “the better side”.",
            "“We will learn from it,” she said.",
            memory=memory,
        )
        found = [(m.text, m.person.name if m.person else None, m.cue) for m in d.mentions()]
        assert ("Reyes", "Dana Reyes", "verb_before") in found
        assert all(cue is None for text, _, cue in found if text == "Castlebridge")
        assert ("she", "Dana Reyes", "verb_before") in found


class TestPlural:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("The Harbour Trust met on Monday. “We will appeal,” they said.", "Harbour Trust"),
            ("Dana Reyes addressed the crowd. “Let her speak,” they said.", None),
        ],
    )
    def test_they_is_an_organisation_or_a_group(self, text: str, expected: str | None) -> None:
        """ "they" stands for an organisation named before, else for a group nobody names, never
        for one person."""
        found = [m for m in doc(text).mentions() if m.kind == "pronoun"]
        assert [(m.person.name if m.person else None) for m in found] == [expected]
        assert found[0].anonymous == (expected is None)


class TestPassive:
    def test_passive_speech_verb_names_no_speaker(self) -> None:
        """ "Roth wurde kritisiert": Roth is spoken of, not speaking."""
        d = doc("Dana Roth wurde am Montag scharf kritisiert.", lang="de")
        assert [(m[0], m[3]) for m in mentions(d)] == [("Dana Roth", None)]


def _knows(*names: str) -> SpeakerMemory:
    memory = SpeakerMemory()
    for name in names:
        memory.add(name)
    return memory


class TestCues:
    @pytest.mark.parametrize(
        ("text", "lang", "cue"),
        [
            ("“We are ready,” said Tom Hill.", "en", "verb_after"),
            ("Tom Hill said: “We are ready.”", "en", "verb_before"),
            ("„Wir sind bereit“, sagte Anna Roth.", "de", "verb_after"),
            ("Laut Anna Roth ist alles „bereit“.", "de", "source"),
            ("According to Tom Hill, all is “ready”.", "en", "source"),
        ],
    )
    def test_speech_cue_names_its_subject(self, text: str, lang: str, cue: str) -> None:
        """A speech verb, source preposition or colon ties the speaker's mention to speech."""
        d = doc(text, lang=lang)
        assert [m[3] for m in mentions(d) if m[1] == "name"] == [cue]

    def test_reported_speech_without_quotation(self) -> None:
        """`X sagte, … werde …` (no quotation) makes X a speech verb's subject; whether X is an
        entry speaker is the speaker model's call."""
        d = doc("Petra Lindner sagte am Dienstag, die Brücke werde im Herbst geöffnet.", lang="de")
        assert [m[3] for m in mentions(d) if m[1] == "name"] == ["verb_before"]

    def test_object_of_told_is_not_the_subject(self) -> None:
        """`Hill told the Courier` makes Hill the speaker, the Courier the object."""
        d = doc("“Fine,” Tom Hill told the Evening Courier.")
        cues = {m[0]: m[3] for m in mentions(d)}
        assert cues["Tom Hill"] == "verb_before"

    def test_apposition_of_an_object_is_an_object(self) -> None:
        """`the letter to Reyes, the commissioner, said`: neither the addressee nor the role
        in apposition to her is the subject of `said`."""
        d = doc("The union’s letter to Dana Reyes, the standards commissioner, said: “Act now.”")
        preps = {m.text: m.prep for m in d.mentions()}
        assert preps["Dana Reyes"] == "object"
        assert preps["standards commissioner"] == "object"
        cued = [m.text for m in d.mentions() if m.cue is not None]
        assert "Dana Reyes" not in cued and "standards commissioner" not in cued

    def test_apposition_after_an_opening_place_keeps_its_role(self) -> None:
        """`In Lowdham, the mayor said`: no closing comma, so the mayor is no place."""
        d = doc("In Lowdham, the mayor said the bridge would reopen.")
        assert {m.text: m.prep for m in d.mentions()}["mayor"] == ""

    def test_bare_organisation_noun_is_the_named_one(self) -> None:
        """`the agency` after the entry named the Coastal Storm Centre is that centre, even
        when the blog remembers an organisation called just "agency"."""
        memory = SpeakerMemory()
        memory.add("agency", kind="org", org_kind="agency")
        d = doc(
            "Forecasters at the Coastal Storm Centre issued a warning on Friday.",
            "The agency warns that “all hazards are possible”.",
            memory=memory,
        )
        said = [m for m in d.mentions() if m.cue is not None]
        assert [(m.text, m.person.name if m.person else None) for m in said] == [
            ("agency", "Coastal Storm Centre")
        ]

    def test_separable_verb_needs_its_particle(self) -> None:
        """`teilte … mit` is speech; `teilte` alone (shared) is not."""
        with_particle = doc("Das teilte Anna Roth am Abend mit.", lang="de")
        without = doc("Anna Roth teilte das Brot.", lang="de")
        assert [m[3] for m in mentions(with_particle) if m[1] == "name"] == ["verb_after"]
        assert [m[3] for m in mentions(without) if m[1] == "name"] == [None]


class TestTitlesAndCalibration:
    @pytest.mark.parametrize(
        ("words", "lang", "title"),
        [
            ("The Evening Review", "en", True),
            ("we will act", "en", False),
            ("Die Brücken-Story", "de", True),
            ("Akt der internationalen Piraterie", "de", False),
            ("Fehlbesetzung", "de", False),
            ("STAFF", "en", True),
            ("No", "en", False),
        ],
    )
    def test_titles(self, words: str, lang: str, title: bool) -> None:
        """Quoted titles are told apart from quoted speech, in both languages; one word in
        capitals is a label ("STAFF" printed on a bib)."""
        assert is_title(words.split(), doc("x", lang=lang)) is title

    @pytest.mark.parametrize(
        ("text", "lang"),
        [
            ("Trade fell by a third (see ‘Harbour trade in numbers’).", "en"),
            ("Trade fell (Lind et al.; see ‘Harbour trade in numbers’).", "en"),
            ("Der Handel brach ein (siehe „Hafenhandel in Zahlen“).", "de"),
        ],
    )
    def test_a_box_referred_to_is_a_title(self, text: str, lang: str) -> None:
        """ "(see ‘…’)" refers the reader to a box or another article: its title, no speech."""
        d = doc(text, lang=lang)
        quoted = text[text.index("see" if lang == "en" else "siehe") :].split(" ", 1)[1][1:-3]
        assert locate(d, 0, quoted, "direct").titlecase

    def test_seeing_a_quotation_is_no_reference(self) -> None:
        """ "hard to see any ‘sound reason’": the verb, not a pointer to a box."""
        d = doc("Reyes says it is hard to see any ‘sound reason’ for the rise.")
        assert not locate(d, 0, "sound reason", "partial").titlecase

    def test_choice_model_shares_probability_between_candidates(self) -> None:
        """A choice model's best candidate gets a softmax over the quotation's candidates and
        "nobody" (score 0): two equal candidates halve what one alone would get, and the pick
        is the same candidate a logistic model with the same weights would rank first."""
        from streams.attribution.ranker import Candidate

        weights = {"cue": 2.0, "near": 1.0}
        choice = Model(weights, 0.0, choice=True)
        logistic = Model(weights, 0.0)
        memory = SpeakerMemory()
        a = Candidate(memory.add("Dana Reyes"), {"cue": 1.0})
        b = Candidate(memory.add("Tom Hill"), {"cue": 1.0})
        c = Candidate(memory.add("Ray Hollis"), {"near": 1.0})
        e2 = 2.718281828459045**2
        assert choice.best([a]) == (0, pytest.approx(e2 / (1 + e2)))
        assert choice.best([a, b])[1] == pytest.approx(e2 / (1 + 2 * e2))
        assert choice.best([c, a])[0] == logistic.best([c, a])[0] == 1
        assert choice.best([]) == (None, 0.0)

    def test_calibration_is_monotone_and_clipped(self) -> None:
        """The calibration table maps raw scores to probabilities, flat outside its range."""
        model = Model({"a": 1.0}, 0.0, (0.2, 0.5, 0.9), (0.1, 0.4, 0.95))
        assert model.calibrated(0.0) == 0.1
        assert model.calibrated(1.0) == 0.95
        assert model.calibrated(0.35) == pytest.approx(0.25)
        values = [model.calibrated(x / 20) for x in range(21)]
        assert values == sorted(values)


class TestRemits:
    @pytest.mark.parametrize(
        ("text", "lang", "body"),
        [
            (
                "Lawmakers on the Select Committee on the Competition Between the United States "
                "and the Northern People's Party, led by chairman Ray Castor, requested more "
                "information.",
                "en",
                "Select Committee",
            ),
            (
                "Der Untersuchungsausschuss zur Lage der Nordischen Fischereiagentur lehnte den "
                "Antrag ab.",
                "de",
                "Untersuchungsausschuss",
            ),
        ],
    )
    def test_names_in_a_bodys_remit_are_its_name(self, text: str, lang: str, body: str) -> None:
        """ "the Select Committee on … the United States and the Northern People's Party": the
        remit is part of the committee's name. The party in it is no speaker, and "States" no
        speech verb; the chairman after it still is the subject of "requested"."""
        d = doc(text, lang=lang)
        found = mentions(d)
        assert [m[0] for m in found if m[1] == "org"] == [body]
        verbs = [c.at for s in d.sentences for c in s.cues]
        if lang == "en":
            assert ("Ray Castor", "name", "Ray Castor", "verb_before") in found
            assert [d.sentences[0].tokens[k].text for k in verbs] == ["requested"]

    def test_a_body_on_a_weekday_is_no_remit(self) -> None:
        """ "The committee on Friday told Dana Reyes …": Dana Reyes is still named."""
        d = doc("The Harbour Committee met. The committee on Friday told Dana Reyes to resign.")
        assert "Dana Reyes" in [m[2] for m in mentions(d)]


class TestBodies:
    def test_initials_after_the_article_are_a_body(self) -> None:
        """ "The FBI told …", "the NHS": initials the language also writes as a word are a
        body after "the"; a heading's capitals ("LIVE:") and everyday words ("the US") not."""
        d = doc("The FBI told Nordvik Radio it had the letter.", "LIVE: the US and the NHS met.")
        found = {m.text: m.kind for m in d.mentions()}
        assert found.get("FBI") == "org"
        assert found.get("NHS") == "org"
        assert "LIVE" not in found and "US" not in found

    @pytest.mark.parametrize(
        ("text", "body"),
        [
            ("The Justice Department said it would appeal.", "Justice Department"),
            (
                "A Department for Transport spokesperson said plans worked.",
                "Department for Transport",
            ),
            ("A Ministry of Defence spokeswoman said no.", "Ministry of Defence"),
        ],
    )
    def test_a_body_named_in_full_speaks(self, text: str, body: str) -> None:
        """A role word opening a body's name ("Justice") and a body's name with "for" or "of"
        before a spokesperson are the body, the subject of the speech verb."""
        d = doc(text)
        first = next(iter(d.mentions()), None)
        assert first is not None and (first.text, first.kind, first.cue) == (
            body,
            "org",
            "verb_before",
        )

    def test_a_modified_body_noun_is_not_the_last_body(self) -> None:
        """ "the agency" is the body named last; "several secret police units" is not."""
        d = doc(
            "The rights organisation Harbour Watch found several secret police units abroad. "
            "The agency said it would act."
        )
        found = [(m.text, m.person.name if m.person else None) for m in d.mentions()]
        assert ("agency", "Harbour Watch") in found
        assert all(person is None for text, person in found if "police" in text)

    def test_that_after_the_verb_opens_what_is_reported(self) -> None:
        """ "The lawmakers added that their committee has …": the committee is what they
        report on, not the subject after the verb."""
        d = doc("The Harbour Committee met. The lawmakers added that their committee has powers.")
        cues = {m.text: m.cue for m in d.mentions()}
        assert cues.get("committee") is None


class TestGroups:
    _LEADER = "Senator Jan Lind and his colleagues asked the agency for answers."

    def test_the_plural_role_is_the_groups_head(self) -> None:
        """ "the lawmakers wrote" after "Lind and his colleagues …": Lind's group."""
        d = doc(self._LEADER, "“We seek answers,” the lawmakers wrote.")
        assert ("lawmakers", "role", "Jan Lind", "verb_before") in mentions(d)

    def test_they_is_the_plural_subject_of_its_sentence(self) -> None:
        """ "The lawmakers noted the agency …, but they were …": they are the lawmakers, not
        the body named in between."""
        d = doc(
            "The Harbour Agency held a briefing.",
            self._LEADER,
            "The lawmakers noted the agency held a briefing, but they were “disappointed”.",
        )
        they = [m for m in d.mentions() if m.text == "they"]
        assert [m.person.name if m.person else None for m in they] == ["Jan Lind"]

    def test_a_capitalised_plural_is_no_group(self) -> None:
        """ "the Harbour Defenders report": a name, not Lind's group of defenders."""
        d = doc(self._LEADER, "After the Harbour Defenders report, the agency acted.")
        second = [m for m in d.mentions() if m.para == 1]
        assert second and all(m.person is None or m.person.name != "Jan Lind" for m in second)


class TestOwners:
    @pytest.mark.parametrize(
        ("text", "subject"),
        [
            ("On Sunday Jan Okafor’s mother confirmed, “I listened to it.”", None),
            ("Later Jan Okafor’s spokesman said, “He listened to it.”", "Jan Okafor"),
            ("Later Jan Okafor’s office said, “He listened to it.”", "Jan Okafor"),
            ("Jan Okafor supporters said, “He listened to it.”", None),
            ("Jan Okafor aides said, “He listened to it.”", "Jan Okafor"),
        ],
    )
    def test_a_possessive_name_owns_the_subject(self, text: str, subject: str | None) -> None:
        """ "Okafor's mother confirmed", "Okafor supporters said": the mother and the supporters
        speak, not Okafor; his spokesman, office or aides speak for him."""
        d = doc("Jan Okafor played on Sunday.", text)
        cue = next(
            c
            for s in d.sentences
            for c in s.cues
            if s.tokens[c.at].lower in ("confirmed", "said") and c.kind == "verb_before"
        )
        assert (cue.mention.person.name if cue.mention and cue.mention.person else None) == subject


class TestVerbsOfTheTarget:
    @pytest.mark.parametrize(
        "text",
        [
            "Dana Lind has previously accused Jan Okafor of lacking a plan.",
            "Dana Lind has previously criticised Jan Okafor for lacking a plan.",
            "Dana Lind has previously praised Jan Okafor as “a fine leader”.",
        ],
    )
    def test_the_name_after_is_the_object(self, text: str) -> None:
        """ "Lind has previously accused Jan Okafor of …": Okafor is the one spoken of, Lind
        the speaker."""
        d = doc(text)
        cues = {m.text: m.cue for m in d.mentions()}
        assert cues == {"Dana Lind": "verb_before", "Jan Okafor": None}


class TestContractedPronouns:
    @pytest.mark.parametrize("word", ["he’s", "he's", "he'd", "he’ll"])
    def test_a_contracted_pronoun_is_a_pronoun(self, word: str) -> None:
        """ "Still, he’s worried about …": "he’s" is "he", the man who spoke before."""
        d = doc(
            "Dana Reyes met the mayor. Tom Lind, a veteran strategist, said the plan was sound.",
            f"Still, {word} worried about the “steady decline” of the party.",
        )
        found = [m for m in d.mentions() if m.para == 1 and m.kind == "pronoun"]
        assert [m.person.name if m.person else None for m in found] == ["Tom Lind"]


class TestNoActOfSpeech:
    @pytest.mark.parametrize(
        ("text", "lang"),
        [
            ("The old mantra Pacta Servanda goes without saying in this market.", "en"),
            ("Pavel Korin verließ den Saal, ohne etwas zu sagen.", "de"),
        ],
    )
    def test_a_speech_verb_nobody_performs_is_no_cue(self, text: str, lang: str) -> None:
        """ "it goes without saying", "ohne etwas zu sagen": a speech verb, but nobody speaks."""
        d = doc(text, lang=lang)
        assert [c for s in d.sentences for c in s.cues if c.kind.startswith("verb")] == []
