"""Entry times as live blogs print them."""

from __future__ import annotations

from datetime import UTC, date, timedelta
from zoneinfo import ZoneInfo

import pytest

from schemas.exceptions import ConfigError
from streams.core.timefmt import leading_time, resolve_zone


class TestLeadingTime:
    @pytest.mark.parametrize(
        ("paragraph", "hour", "minute", "rest"),
        [
            ("2:24 p.m.: The press conference is over.", 14, 24, "The press conference is over."),
            ("2:24 p.m .: The press conference is over.", 14, 24, "The press conference is over."),
            ("2.24pm The minister arrives.", 14, 24, "The minister arrives."),
            ("11:05 a.m. Doors open.", 11, 5, "Doors open."),
            ("12:10 a.m.: Past midnight.", 0, 10, "Past midnight."),
            ("14:24 The vote begins.", 14, 24, "The vote begins."),
            ("14.24 GMT The vote begins.", 14, 24, "The vote begins."),
            ("14.24\u00a0GMT The vote begins.", 14, 24, "The vote begins."),
            ("14:24 Uhr: Die Sitzung beginnt.", 14, 24, "Die Sitzung beginnt."),
            ("19h30 La séance reprend.", 19, 30, "La séance reprend."),
            ("2022-04-26T14:24:00+02:00 Stamp first.", 14, 24, "Stamp first."),
            ("**14:24** Bold time.", 14, 24, "Bold time."),
            ("## 09:15 BST", 9, 15, ""),
            ("10:45 - Dash separated.", 10, 45, "Dash separated."),
            ("14:24", 14, 24, ""),
            ("Posted at 14:02 Polls close.", 14, 2, "Polls close."),
            ("+++ 16:05 Minister: 'No decision' +++", 16, 5, "Minister: 'No decision' +++"),
            ("8:52 p.m. ET, July 18, 2024", 20, 52, ""),
            ("14:05, 26 April 2022: Talks resume.", 14, 5, "Talks resume."),
            ("Published at 15.10 BST: Count begins.", 15, 10, "Count begins."),
        ],
    )
    def test_formats(self, paragraph: str, hour: int, minute: int, rest: str) -> None:
        """Each printed format gives its 24-hour time and leaves the text after the separator."""
        found = leading_time(paragraph)
        assert found is not None
        assert (found.hour, found.minute) == (hour, minute)
        assert paragraph[found.end :].strip() == rest

    @pytest.mark.parametrize(
        "paragraph",
        [
            "The conference scheduled for 12:30 p.m. has been postponed.",
            "14.50 euros is the new price.",
            "3.5 million people watched.",
            "25:61 is not a time.",
            "13:30 p.m. is not a time either.",
            "> 14:00 inside a quote block",
            "Updated 3 times today.",
            "Updated at 15.10 BST",
            "",
        ],
    )
    def test_not_an_entry_time(self, paragraph: str) -> None:
        """A time inside a sentence, a price or an impossible clock starts no entry."""
        assert leading_time(paragraph) is None

    @pytest.mark.parametrize(
        ("paragraph", "day"),
        [
            ("8:52 p.m. ET, July 18, 2024", date(2024, 7, 18)),
            ("14:05 Tuesday, 26 April 2022 – Talks.", date(2022, 4, 26)),
            ("14:05 Talks resume in May.", None),
        ],
    )
    def test_date_after_time(self, paragraph: str, day: date | None) -> None:
        """A date printed after the time, with its year, gives the entry's day."""
        found = leading_time(paragraph)
        assert found is not None
        assert found.day == day

    def test_printed_zone_wins(self) -> None:
        """A time printed with a zone is placed in that zone, not in the blog's zone."""
        found = leading_time("14.24 GMT Rain.")
        assert found is not None
        when = found.to_datetime(date(2024, 1, 5), ZoneInfo("Europe/Berlin"))
        assert when.utcoffset() == timedelta(0)

    def test_iso_keeps_its_offset_and_day(self) -> None:
        """An ISO stamp carries its own date and offset."""
        found = leading_time("2021-12-31T23:50:00-05:00 Late.")
        assert found is not None
        when = found.to_datetime(date(2030, 1, 1), UTC)
        assert when.isoformat() == "2021-12-31T23:50:00-05:00"


class TestResolveZone:
    def test_names_and_offsets(self) -> None:
        """IANA names and fixed offsets both resolve."""
        assert resolve_zone("+02:00").utcoffset(None) == timedelta(hours=2)
        assert str(resolve_zone("Europe/Berlin")) == "Europe/Berlin"

    def test_unknown(self) -> None:
        """An unknown zone is a configuration error, not a crash."""
        with pytest.raises(ConfigError):
            resolve_zone("Mars/Olympus")
