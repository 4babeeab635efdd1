"""Paragraph forms: headlines, Q/A lines, speaker lines, quote blocks, embeds, continued quotes."""

from __future__ import annotations

import pytest

from tests.test_streams.test_attribution.blog import run, speaker_of, speakers

OKAFOR = (
    "Maria Okafor, the minister for housing, arrived at the conference centre shortly after nine."
)
LINDQVIST = "EU trade commissioner Jan Lindqvist is also in the room, sitting in the front row."
BOTH = f"{OKAFOR} {LINDQVIST}"


class TestHeadlines:
    @pytest.mark.parametrize(
        ("entry", "fragment", "speaker"),
        [
            (
                "## Okafor: ‘We will build’\n\nThe minister set out her plans.",
                "We will build",
                "Okafor",
            ),
            (
                "## Lindqvist: deal 'within touching distance'\n\nTalks go on.",
                "touching",
                "Lindqvist",
            ),
            ("## Okafour: “Not one step back”\n\nThe minister was defiant.", "step back", "Okafor"),
            (
                "## Treasury insists package is 'fully costed'\n\nNo further detail yet.",
                "costed",
                "Treasury",
            ),
        ],
    )
    def test_headline_quote(self, entry: str, fragment: str, speaker: str) -> None:
        """`X: "…"` headlines and headline frames attribute the headline's quotation."""
        results, _ = run(BOTH, entry)
        assert speaker_of(results[-1], fragment) == speaker
        assert results[-1].quotes[0].kind == "headline"

    @pytest.mark.parametrize(
        ("entry", "fragment", "speaker"),
        [
            (
                "## Engineer admits 'we should have acted sooner'\n\nThe port's chief engineer, "
                "Anselm Okoro, told the inquiry the sea wall had been patched, not rebuilt.",
                "acted sooner",
                "Okoro",
            ),
            (
                "## Minister vows to 'fix the railways'\n\nTransport Secretary Dafydd "
                "Morgan-Price told MPs the network was “broken”.",
                "railways",
                "Morgan-Price",
            ),
            (
                "## Coach hails 'special' night\n\nCarrow Athletic head coach Marta Lindahl was "
                "all smiles after the final whistle.",
                "special",
                "Lindahl",
            ),
            (
                "## Pensioner tells of 'terrifying' night\n\nDerek Aske, 81, was rescued from "
                "his bungalow by boat.",
                "terrifying",
                "Aske",
            ),
            (
                "## Surveyor: gates were 'an accident waiting to happen'\n\nChartered surveyor "
                "Idris Penhale, who inspected the gates in 2023, gave evidence this morning.",
                "accident",
                "Penhale",
            ),
            (
                "## Police warn of 'treacherous' roads\n\nDrivers in the Carrow valley are "
                "urged to stay at home.",
                "treacherous",
                "Police",
            ),
            (
                "## Pensioner tells of 'terrifying' night\n\nDerek Aske, 81, and Joan Tull, 79, "
                "were rescued by boat.",
                "terrifying",
                None,
            ),
        ],
    )
    def test_headline_noun_is_a_role_or_description(
        self, entry: str, fragment: str, speaker: str | None
    ) -> None:
        """A headline's first word that is a role or common noun ("Engineer admits …") is never
        a person of that name: it is the entry's person with that role or description, its one
        person, an organisation, or nobody."""
        results, memory = run(entry)
        assert speaker_of(results[-1], fragment) == speaker
        headline_word = entry.split()[1]
        assert all(p.name != headline_word for p in memory.persons.values() if p.kind == "person")

    @pytest.mark.parametrize(
        ("entry", "voice"),
        [
            (
                "## Brennan: 'We deserved more'\n\nBrennan was in a bullish mood at full time.\n\n"
                "“We deserved more, and everyone in the ground saw it.”",
                "Brennan",
            ),
            (
                "## Reaction: 'We deserved more'\n\nThe mood was bullish at full time.\n\n"
                "“We deserved more, and everyone in the ground saw it.”",
                None,
            ),
        ],
    )
    def test_headline_speaker_new_to_the_blog(self, entry: str, voice: str | None) -> None:
        """A headline `Name: "…"` whose name the body writes too gives the entry's unframed
        quotes to that person; a label such as "Reaction:" names nobody."""
        results, _ = run(entry)
        assert speaker_of(results[-1], "everyone in the ground") == voice

    def test_headline_repeating_a_body_quote_is_dropped(self) -> None:
        """A headline quote that repeats a body quote is not reported twice."""
        results, _ = run(BOTH, "## Okafor: ‘We will build’\n\n“We will build,” Okafor said.")
        assert [q.kind for q in results[-1].quotes] == ["partial"]


class TestTitles:
    def test_newspaper_title_is_not_a_quote(self) -> None:
        """`told the “Rheinische Post”` names a newspaper: only the real quotation is kept."""
        results, _ = run(
            OKAFOR, "Okafor told the “Evening Courier” there would be “no blank cheque”."
        )
        assert [q.text for q in results[-1].quotes] == ["no blank cheque"]

    @pytest.mark.parametrize(
        "entry",
        [
            "“No blank cheque,” Okafor told the newspaper “Evening Courier”.",
            "“No blank cheque,” Okafor told the broadcaster “Channel North”.",
            "“No blank cheque,” Okafor said on the programme “Sunday Politics”.",
        ],
    )
    def test_media_title_after_its_noun(self, entry: str) -> None:
        """A title right after `newspaper`, `broadcaster` or `programme` is not a quotation."""
        results, _ = run(OKAFOR, entry)
        assert [q.text for q in results[-1].quotes] == ["No blank cheque"]


class TestQuestionsAndAnswers:
    def test_answer_belongs_to_the_person_asked(self) -> None:
        """`Q:` lines are nobody's quote; `A:` lines are the answers of the person asked."""
        entry = (
            "Okafor's spokesperson was asked about the vote.\n\n"
            "Q: Will the minister resign?\n\n"
            "A: No. She has the prime minister's full support."
        )
        results, _ = run(BOTH, entry)
        assert [(q.kind, q.method) for q in results[-1].quotes] == [("qa", "answer")]
        assert speaker_of(results[-1], "full support") == "Okafor"

    @pytest.mark.parametrize(
        "intro",
        [
            "Northgate's two-goal hero **Kwame Asante** is up next.",
            "**Kwame Asante** faced the press after his two goals.",
            "Northgate striker **Kwame Asante**, speaking after the match:",
            "Next up is Northgate forward Kwame Asante.",
        ],
    )
    def test_answers_of_the_person_the_entry_introduced(self, intro: str) -> None:
        """With nobody asked and no speaker yet, `A:` lines are the person the entry named."""
        entry = (
            f"{intro}\n\nQ: How does it feel?\n\nA: Amazing. I dreamed of this as a boy.\n\n"
            "Q: And the second goal?\n\nA: I just hit it and hoped."
        )
        results, _ = run(entry)
        assert speaker_of(results[-1], "dreamed") == "Asante"
        assert speaker_of(results[-1], "hoped") == "Asante"
        assert speakers(results[-1]) == ["Asante"]

    def test_speaker_lines(self) -> None:
        """`Name: answer` lines in a press conference give each answer its speaker."""
        entry = (
            "Q: Is dairy still the sticking point?\n\n"
            "Lindqvist: It is one of them.\n\n"
            "Q: Minister, will you walk away?\n\n"
            "Okafor: Nobody is walking away."
        )
        results, _ = run(BOTH, entry)
        assert speaker_of(results[-1], "one of them") == "Lindqvist"
        assert speaker_of(results[-1], "walking away") == "Okafor"
        assert speakers(results[-1]) == ["Lindqvist", "Okafor"]


class TestColonIntroductions:
    @pytest.mark.parametrize(
        ("entry", "fragment", "speaker"),
        [
            (
                "Okafor said:\n\n> We are not going anywhere. The plan stands.",
                "going anywhere",
                "Okafor",
            ),
            ("She said:\n\n> We are not going anywhere.", "going anywhere", "Okafor"),
            (
                "In a statement, the commissioner said:\n\n> Trade is not a zero-sum game.",
                "zero-sum",
                "Lindqvist",
            ),
            (
                "Okafor, speaking to Sky News:\n\n“We are not going anywhere.”",
                "going anywhere",
                "Okafor",
            ),
            ("Lindqvist on Radio Europa: “Trade is not a zero-sum game.”", "zero-sum", "Lindqvist"),
            ("Lindqvist's verdict: “Too little, too late.”", "too late", "Lindqvist"),
            (
                "Lindqvist, the commissioner, is lost for words: “I have nothing to add.”",
                "nothing to add",
                "Lindqvist",
            ),
        ],
    )
    def test_colon_introduces_the_quote(self, entry: str, fragment: str, speaker: str) -> None:
        """A clause ending in a colon introduces the quotation or block after it."""
        results, _ = run(BOTH, entry)
        assert speaker_of(results[-1], fragment) == speaker

    @pytest.mark.parametrize(
        ("entry", "fragment", "speaker"),
        [
            (
                "Asked about the penalty, Voss shrugged: “What is the point? Nothing changes.”",
                "point",
                "Voss",
            ),
            ("Asked about Pereira, Voss shrugs: “He is a good lad.”", "good lad", "Voss"),
            ("Pereira was blunt: “They deserved better than that.”", "deserved", "Pereira"),
            (
                "Voss was typically forthright:\n\n> We were robbed. Simple as that.",
                "robbed",
                "Voss",
            ),
            ("Pereira smiled: “We will take the point and go home happy.”", "go home", "Pereira"),
            ("The Riverside manager grinned: “Not bad for a Tuesday.”", "Tuesday", "Voss"),
            ("Voss left the pitch in a hurry. Her verdict: “A fair result.”", "fair", "Voss"),
            ("Fans were furious: “Sack the board!”", "Sack", None),
            ("Voss signs off:\n\n“See you on Saturday.”", "Saturday", "Voss"),
            ("Pereira hits back: “We were the better side.”", "better side", "Pereira"),
        ],
    )
    def test_person_before_a_verb_or_adjective_and_a_colon(
        self, entry: str, fragment: str, speaker: str | None
    ) -> None:
        """ "Voss shrugged:", "Pereira was blunt:", "Her verdict:": the person before the colon
        speaks the quotation after it, with no speech verb; a group speaks for nobody."""
        intro = (
            "Riverside manager Lena Voss and her captain, Joel Pereira, were both in demand "
            "at full time."
        )
        results, _ = run(intro, entry)
        assert speaker_of(results[-1], fragment) == speaker
        quote = next(q for q in results[-1].quotes if fragment in q.text)
        assert quote.method == ("colon" if speaker else "none")

    @pytest.mark.parametrize(
        ("entry", "speaker"),
        [
            ("McAllister said: “We go again.”", "McAllister"),
            ("Engineer said: “We go again.”", None),
        ],
    )
    def test_unintroduced_surname_opening_the_sentence(
        self, entry: str, speaker: str | None
    ) -> None:
        """A surname nobody introduced that opens its sentence is a name when it is no ordinary
        word of the language ("McAllister said:"), and nobody when it is ("Engineer said:")."""
        results, _ = run(entry)
        assert speaker_of(results[-1], "go again") == speaker

    def test_block_without_introduction_is_the_entry_speaker(self) -> None:
        """A quote block with no colon before it belongs to whoever the entry reports."""
        entry = (
            "Okafor went on to talk about rents.\n\n> Nobody should pay half their wage in rent."
        )
        results, _ = run(BOTH, entry)
        assert speaker_of(results[-1], "half their wage") == "Okafor"


class TestIntroducedPerson:
    @pytest.mark.parametrize(
        ("entry", "fragment"),
        [
            (
                "Riverside boss **Lena Voss** has been in front of the cameras. She was not happy "
                "with the decision.\n\n> We were the better side and we lost to a decision "
                "nobody in the ground understood.",
                "better side",
            ),
            (
                "Holloway midfielder **Tariq Mensah** was the last man out of the dressing "
                "room.\n\n“It was a strange night, but we stuck together and got the point.”",
                "strange night",
            ),
            (
                "There was a long wait for **Tariq Mensah**, who came out last of all.\n\n"
                "> It was a strange night.\n\n> We stuck together.",
                "strange night",
            ),
        ],
    )
    def test_unframed_quote_is_the_person_introduced(self, entry: str, fragment: str) -> None:
        """A quote block or quotation no frame reaches, in an entry that named one person and no
        speaker, is that person's, as `introduced`."""
        results, _ = run(entry)
        quote = next(q for q in results[-1].quotes if fragment in q.text)
        assert quote.speaker is not None and quote.method == "introduced"
        assert quote.confidence == pytest.approx(0.6)

    @pytest.mark.parametrize(
        ("entry", "fragment"),
        [
            (
                "Riverside boss Lena Voss and Holloway boss Piet Maartens shook hands at full "
                "time.\n\n“It was a strange night for football.”",
                "strange night",
            ),
            ("Holloway midfielder Tariq Mensah had a “quiet” night.", "quiet"),
            (
                "Riverside boss Lena Voss left early. A few thoughts from our correspondent:\n\n"
                "> The mood in the away end was grim.",
                "away end",
            ),
        ],
    )
    def test_no_guess(self, entry: str, fragment: str) -> None:
        """Two people in the entry, a scare quote, or a block our correspondent introduces
        get nobody."""
        results, _ = run(entry)
        assert speaker_of(results[-1], fragment) is None


class TestContinuedQuotes:
    def test_paragraph_continues_an_open_quotation(self) -> None:
        """An unclosed quotation continued by the next paragraph's opening mark is one voice."""
        entry = (
            "In a statement, Okafor said:\n\n"
            "“Councils have been asking for this for years and we welcome it.\n\n"
            "“That will not pay for the planners we lost, let alone the ones we need.”"
        )
        results, _ = run(BOTH, entry)
        quotes = results[-1].quotes
        assert [q.speaker.name if q.speaker else None for q in quotes] == ["Maria Okafor"] * 2
        assert quotes[1].method == "continued"

    def test_split_quotation(self) -> None:
        """`“We did not want this,” she said, “but we had no choice.”` is one speaker."""
        entry = (
            "Okafor was on the picket line. “We did not want this,” she said, “but we had no "
            "choice.”"
        )
        results, _ = run(BOTH, entry)
        assert {speaker_of(results[-1], f) for f in ("want this", "no choice")} == {"Okafor"}


class TestEmbeds:
    def test_post_is_its_author_words(self) -> None:
        """An embedded post without quotations is its author's words."""
        entry = (
            "Lindqvist posted:\n\n"
            "> Talks are over for today. Back at it tomorrow.\n"
            "> — Jan Lindqvist (@janlindqvist) March 12, 2025"
        )
        results, _ = run(BOTH, entry)
        assert speaker_of(results[-1], "Talks are over") == "Lindqvist"
        assert results[-1].quotes[0].method in ("colon", "embed")

    def test_post_by_someone_new(self) -> None:
        """A post's byline names its author, even one the blog has not mentioned."""
        entry = (
            "The Liberal Democrats have responded.\n\n"
            "> Where is the money? Where are the homes?\n"
            "> — Alun Pryce MP (@AlunPryceMP) March 12, 2025"
        )
        results, _ = run(BOTH, entry)
        assert speaker_of(results[-1], "Where is the money") == "Pryce"

    def test_quotation_inside_a_post_is_the_quoted_person(self) -> None:
        """A post that quotes someone carries that person's words, not the poster's."""
        entry = (
            "Our correspondent has been following the talks:\n\n"
            "> Okafor to reporters: “We are closer than ever.”\n"
            "> — Sam Reporter (@samreports) March 12, 2025"
        )
        results, _ = run(BOTH, entry)
        assert speaker_of(results[-1], "closer than ever") == "Okafor"
        assert "Reporter" not in speakers(results[-1])
