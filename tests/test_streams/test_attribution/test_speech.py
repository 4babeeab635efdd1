"""Speech frames: speech verbs on either side, "according to", "asked", colons, spokespeople."""

from __future__ import annotations

import pytest

from tests.test_streams.test_attribution.blog import last_speaker_of, run, speakers

OKAFOR = (
    "Maria Okafor, the minister for housing, arrived at the conference centre shortly after nine."
)
LINDQVIST = "EU trade commissioner Jan Lindqvist is also in the room, sitting in the front row."
BOTH = f"{OKAFOR} {LINDQVIST}"


class TestSpeechVerbs:
    @pytest.mark.parametrize(
        ("entry", "fragment", "speaker"),
        [
            ("“We will not back down,” Okafor said.", "back down", "Okafor"),
            ("“We will not back down,” said Maria Okafor.", "back down", "Okafor"),
            ("“We will not back down,” says the housing minister.", "back down", "Okafor"),
            ("Okafor said: “We will not back down.”", "back down", "Okafor"),
            ("Okafor told reporters the plan was “dead in the water”.", "dead in", "Okafor"),
            ("Lindqvist added that talks were “at a delicate stage”.", "delicate", "Lindqvist"),
            ("“It is a disgrace,” Okafor insisted.", "disgrace", "Okafor"),
            ("“It is a disgrace,” Lindqvist warned.", "disgrace", "Lindqvist"),
            ("“Not today,” Lindqvist replied.", "Not today", "Lindqvist"),
            ("“That is all,” Okafor concluded.", "That is all", "Okafor"),
            ("“The numbers add up,” Okafor explained.", "numbers", "Okafor"),
            ("“No deal is better than a bad deal,” Lindqvist repeated.", "bad deal", "Lindqvist"),
            ("“We are open to talks,” the commissioner stated.", "open to talks", "Lindqvist"),
            ("Lindqvist wrote on X that the offer was “final”.", "final", "Lindqvist"),
            ("“Not again,” Okafor replies sharply.", "Not again", "Okafor"),
            ("Okafor has also said the target is “within reach”.", "within reach", "Okafor"),
            ("Okafor called the offer “an insult to renters”.", "insult", "Okafor"),
            ("Okafor goes on: “Every council will get the money.”", "council", "Okafor"),
            (
                "Lindqvist – who has long opposed the tariffs – said they were “madness”.",
                "madness",
                "Lindqvist",
            ),
            ("Lindqvist (pictured) said the EU was “united”.", "united", "Lindqvist"),
            ("“Shocking” – that was Lindqvist's verdict on the figures.", "Shocking", "Lindqvist"),
            (
                "Okafor, asked whether she would resign, replied: “Absolutely not.”",
                "Absolutely",
                "Okafor",
            ),
            ("“I don't know,” admitted Okafor.", "know", "Okafor"),
            ("“I like to see it from the front,” Okafor shared.", "front", "Okafor"),
            ("The deal is “dead in the water”, so the commissioner.", "dead", "Lindqvist"),
            (
                "Okafor described it as “a fig leaf” and said she would “keep fighting”.",
                "keep fighting",
                "Okafor",
            ),
        ],
    )
    def test_verb_names_the_speaker(self, entry: str, fragment: str, speaker: str) -> None:
        """A speech verb's subject, before or after it, is the speaker of the quote it frames."""
        assert last_speaker_of(BOTH, entry, fragment=fragment) == speaker

    @pytest.mark.parametrize(
        ("entry", "fragment", "speaker"),
        [
            ("Lindqvist is “a man of his word”, Okafor said.", "man of his word", "Okafor"),
            ("“I trust Lindqvist completely,” Okafor said.", "trust", "Okafor"),
            ("Okafor said Lindqvist had been “very constructive”.", "constructive", "Okafor"),
            (
                "Asked about Lindqvist's claim that talks had stalled, Okafor said: “He knows "
                "that is not true.”",
                "not true",
                "Okafor",
            ),
            (
                "Okafor complained that Lindqvist had “walked away from the table”.",
                "walked away",
                "Okafor",
            ),
            (
                "Okafor said the commissioner's comments were “too little, too late”.",
                "too late",
                "Okafor",
            ),
        ],
    )
    def test_person_named_in_the_quote_is_not_its_speaker(
        self, entry: str, fragment: str, speaker: str
    ) -> None:
        """A person named inside the quotation or as its subject is not the one speaking."""
        assert last_speaker_of(BOTH, entry, fragment=fragment) == speaker

    @pytest.mark.parametrize(
        "entry",
        [
            "In a post on X, the campaign asked supporters to “keep the pressure on”.",
            "Fairweather's claim that the scheme is “unworkable” has been rejected.",
            "We are told the talks are “going well”.",
            "A senior government source told the BBC: “The minister is furious.”",
            "Okafor was warned that the bill was “in trouble”.",
        ],
    )
    def test_verb_as_noun_or_passive_frames_nobody(self, entry: str) -> None:
        """A speech verb used as a noun, in the passive, or with "we" names no speaker."""
        results, _ = run(BOTH, entry)
        assert [q.speaker for q in results[-1].quotes] == [None]


class TestAppositionChains:
    @pytest.mark.parametrize(
        "entry",
        [
            "Retired welder Ray Hollis, 60, from Lowdham, North Wessex, said: “Nobody told us.”",
            "Ray Hollis, 60, from Lowdham, said: “Nobody told us.”",
            "Ray Hollis, a welder from Lowdham, said: “Nobody told us.”",
        ],
    )
    def test_speaker_stands_before_the_places(self, entry: str) -> None:
        """`X, 60, from A, B, said:`: the places of an apposition chain are not its subject,
        however many commas they take."""
        assert last_speaker_of(entry, fragment="Nobody told") == "Hollis"

    @pytest.mark.parametrize(
        "says",
        [
            "says the rate rise has",
            "says the Central Bank’s (well-flagged) rate rise has",  # an owner, not a subject
        ],
    )
    def test_speaker_heads_a_chain_of_role_and_company(self, says: str) -> None:
        """`X, chief executive of the lender, Harbour Capital, says …:`: the company and the role
        describe X, who speaks (the company is no person, however its name reads)."""
        entry = (
            f"Dana Reyes, chief executive of the lender, Harbour Capital, {says} not spooked "
            "buyers:\n\n> “Demand is up.”"
        )
        assert last_speaker_of(entry, fragment="Demand is up") == "Reyes"

    def test_a_name_after_an_opening_place_still_speaks(self) -> None:
        """A place that opens the sentence is no apposition: the name after it speaks."""
        entry = "In Lowdham, Ray Hollis, a retired welder, said: “Nobody told us.”"
        assert last_speaker_of(entry, fragment="Nobody told") == "Hollis"


class TestSubjectClauses:
    @pytest.mark.parametrize(
        ("entry", "speaker"),
        [
            (
                "That Lindqvist personally announced the tariffs signals a “hardening line” on "
                "trade, says Okafor, a former minister.",
                "Okafor",
            ),
            # "That" as a determiner opens no clause: Okafor's suggestion frames the quotation
            ("That kind of talk led Okafor to suggest: “He has lost the room.”", "Okafor"),
        ],
    )
    def test_speech_verb_inside_a_subject_clause_frames_nothing(
        self, entry: str, speaker: str
    ) -> None:
        """ "That X announced Y signals …, says Z": X's announcing is a fact the sentence is
        about; Z speaks."""
        fragment = "hardening" if "hardening" in entry else "lost the room"
        assert last_speaker_of(BOTH, entry, fragment=fragment) == speaker


class TestAuxiliaries:
    def test_apposition_before_has_said(self) -> None:
        """ "The host, board member Dana Reyes, has said …": the auxiliary does not hide the
        apposition that names the speaker."""
        entry = "The host, board member Dana Reyes, has said the plan “is against our interest”."
        assert last_speaker_of(BOTH, entry, fragment="against") == "Reyes"


class TestInvertedApposition:
    def test_name_after_an_unnamed_role_speaks(self) -> None:
        """ "said a teacher, Dana Reyes": the name in apposition is the speaker."""
        entry = "“We must act now,” said a teacher, Dana Reyes."
        assert last_speaker_of(BOTH, entry, fragment="act now") == "Reyes"


class TestLetters:
    @pytest.mark.parametrize(
        ("entry", "speaker"),
        [
            ("The Harbour Trust’s letter to Dana Reyes said: “We demand an inquiry.”", "Trust"),
            (
                "A letter from the Harbour Trust to Dana Reyes said: “We demand an inquiry.”",
                "Trust",
            ),
            (
                "The Harbour Trust’s letter to Dana Reyes, the standards commissioner, said: "
                "“We demand an inquiry.”",
                "Trust",
            ),
            ("A letter to Dana Reyes said: “We demand an inquiry.”", None),
        ],
    )
    def test_addressee_of_a_letter_is_not_its_writer(self, entry: str, speaker: str | None) -> None:
        """ "X's letter to Y said": X wrote it; a letter whose writer is not given is nobody's,
        never its addressee's."""
        assert last_speaker_of(entry, fragment="demand") == speaker


class TestPrepositionalObjects:
    @pytest.mark.parametrize(
        ("entry", "fragment", "speaker"),
        [
            ("A source close to the inquiry said the report was “months away”.", "months", None),
            ("Sources at the ministry said the plan was “in trouble”.", "trouble", None),
            (
                "A spokesperson at the ministry said the plan was “on track”.",
                "on track",
                "ministry",
            ),
            ("In the morning Okafor said the plan was “on track”.", "on track", "Okafor"),
        ],
    )
    def test_object_of_a_preposition_is_not_the_subject(
        self, entry: str, fragment: str, speaker: str | None
    ) -> None:
        """In "a source close to the inquiry said", the inquiry is not speaking; the phrase
        before the preposition is the subject, and a spokesperson's words are its principal's."""
        assert last_speaker_of(BOTH, entry, fragment=fragment) == speaker


class TestAccordingTo:
    @pytest.mark.parametrize(
        ("entry", "fragment", "speaker"),
        [
            ("According to Okafor, the deal is “as good as done”.", "good as done", "Okafor"),
            ("The deal is “as good as done”, according to Okafor.", "good as done", "Okafor"),
            ("According to the commissioner, the offer is “final”.", "final", "Lindqvist"),
            (
                "According to a statement from the Housing Federation, rents are “out of control”.",
                "out of control",
                "Federation",
            ),
        ],
    )
    def test_source(self, entry: str, fragment: str, speaker: str) -> None:
        """ "According to X" makes X the speaker, wherever it stands in the sentence."""
        assert last_speaker_of(BOTH, entry, fragment=fragment) == speaker

    def test_reported_speech_without_quotes_makes_a_speaker(self) -> None:
        """An entry that only reports someone's words still lists them as its speaker."""
        results, _ = run(BOTH, "According to Okafor, the bill will pass next week.")
        assert speakers(results[-1]) == ["Okafor"]


class TestSpokespeople:
    @pytest.mark.parametrize(
        ("entry", "fragment", "speaker"),
        [
            (
                "Okafor's spokesperson said the minister was “relaxed” about the vote.",
                "relaxed",
                "Okafor",
            ),
            ("A spokesperson for Okafor said the figures were “robust”.", "robust", "Okafor"),
            (
                "The minister's spokesperson said she was “not going anywhere”.",
                "going anywhere",
                "Okafor",
            ),
            (
                "Her office said in a statement that she was “disappointed”.",
                "disappointed",
                "Okafor",
            ),
            ("A Treasury spokeswoman said the package was “fully costed”.", "costed", "Treasury"),
            (
                "A spokeswoman for the European Commission said talks would go on “for as long as "
                "it takes”.",
                "as long as",
                "Commission",
            ),
            (
                "A Department for Transport spokesperson said trains were “running normally”.",
                "running normally",
                "Transport",
            ),
        ],
    )
    def test_spokesperson_speaks_for_the_principal(
        self, entry: str, fragment: str, speaker: str
    ) -> None:
        """A spokesperson's or an office's words are attributed to whom they speak for."""
        assert last_speaker_of(BOTH, entry, fragment=fragment) == speaker

    def test_named_spokesperson_is_the_speaker(self) -> None:
        """A spokesperson named in an apposition is a person who speaks for themselves."""
        entry = "Its housing spokesperson, Cllr Bernadette Hale, said: “We welcome the money.”"
        assert last_speaker_of(BOTH, entry, fragment="welcome") == "Hale"


class TestAsked:
    def test_person_asked_answers_the_quote_that_follows(self) -> None:
        """ "X is asked about …" makes X the speaker of the unattributed quote after it."""
        entry = "Lindqvist is asked about the tariffs. “We will see what happens in June.”"
        assert last_speaker_of(BOTH, entry, fragment="June") == "Lindqvist"

    def test_questioner_is_a_speaker_but_answer_is_not_theirs(self) -> None:
        """ "X asked whether …" reports X's question; the answer's frame names its speaker."""
        entry = (
            "Tom Fairweather asked whether the money was new. Okafor replied that it was "
            "“every penny new”."
        )
        results, _ = run(BOTH, entry)
        assert speakers(results[-1]) == ["Fairweather", "Okafor"]

    def test_reporters_question_is_nobodys_quote(self) -> None:
        """ "“…?” a reporter asked" is the blog's journalist: the question has no speaker."""
        results, _ = run(BOTH, "“Will the toll rise?” a reporter asked. “Yes,” Okafor replied.")
        assert [q.speaker.name if q.speaker else None for q in results[-1].quotes] == [
            None,
            "Maria Okafor",
        ]

    def test_request_is_not_speech(self) -> None:
        """ "asked them to move" is a request, not a reported question."""
        results, _ = run("Police asked the protesters to move back from the steps.")
        assert speakers(results[-1]) == []


class TestCoordination:
    def test_two_subjects_both_speak(self) -> None:
        """ "X and Y have announced" makes both of them speakers of the entry."""
        results, _ = run(BOTH, "Okafor and Lindqvist have announced a joint review.")
        assert sorted(s or "" for s in speakers(results[-1])) == ["Lindqvist", "Okafor"]

    def test_reported_clause_is_not_a_second_speaker(self) -> None:
        """ "X complains that the assembly has condemned …" reports X, not the assembly."""
        entry = "Okafor complains that the council has condemned the plans."
        results, _ = run(BOTH, entry)
        assert speakers(results[-1]) == ["Okafor"]
