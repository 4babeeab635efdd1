"""`streams.pipeline.evaluation`: speaker identity, quote precision/recall, parity with the
shared scorer;`liveblog eval-set DIR`: a whole set replayed and scored in one process."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from streams.cli.evalset import BlogScore, header_language, means
from streams.pipeline.evaluation import matched, same_speaker, score, speaker_key
from tests.conftest import GOLD, SEED

SHARED_SCORER = Path("/work/shared/eval/score.py")
CLI = str(Path(sys.executable).parent / "liveblog")


def _same(a: str | None, b: str | None) -> bool:
    return same_speaker(speaker_key(a), speaker_key(b))


class TestSpeakerKey:
    @pytest.mark.parametrize(
        ("speaker", "key"),
        [
            ("Ilse Brandvold", ("ilse", "brandvold")),
            ("José Ibarrola", ("jose", "ibarrola")),
            ("Dale Hunsaker Jr.", ("dale", "hunsaker")),
            ("Wendell Quist III", ("wendell", "quist")),
            ({"name": "Maren Oduya"}, ("maren", "oduya")),
            ({"id": "p-7"}, ("p", "7")),
            ({"name": None}, None),
            ("", None),
            (None, None),
            ("Jr", ("jr",)),  # a suffix alone stays: there is nothing else
        ],
    )
    def test_key(self, speaker: object, key: tuple[str, ...] | None) -> None:
        assert speaker_key(speaker) == key


class TestSameSpeaker:
    @pytest.mark.parametrize(
        ("a", "b", "same"),
        [
            # one name ends the other
            ("Brandvold", "Ilse Brandvold", True),
            ("Ilse Brandvold", "Brandvold", True),
            ("Mrs Ilse Brandvold", "Ilse Brandvold", True),
            # surnames agree: a transliteration of the first name
            ("Piotr Wendel", "Pyotr Wendel", True),
            ("José Ibarrola", "JOSE IBARROLA", True),
            ("Dale Hunsaker Jr.", "Dale Hunsaker", True),
            ("Hunsaker", "Dale Hunsaker Sr", True),
            # particles: the word before the particle is part of the surname
            ("Zein ad-Din", "Sheib ad-Din", False),
            ("Zein ad-Din", "Hala Zein ad-Din", True),
            ("Rami Tarek al-Noor", "Salim al-Noor", False),
            ("Karl von Hollstein", "Greta von Hollstein", False),
            ("von Hollstein", "Karl von Hollstein", True),
            # a first name alone is not the speaker
            ("Maren", "Maren Oduya", False),
            # a fragment of an organisation's name is not the speaker
            ("Coastal", "Northfield Coastal Authority", False),
            ("Northfield", "Northfield Coastal Authority", False),
            # a different person with another surname
            ("Ilse Brandvold", "Ilse Marrak", False),
            # no speaker equals only no speaker
            (None, None, True),
            (None, "Ilse Brandvold", False),
            ("Ilse Brandvold", None, False),
        ],
    )
    def test_pairs(self, a: str | None, b: str | None, same: bool) -> None:
        assert _same(a, b) is same
        assert _same(b, a) is same

    def test_matched_is_one_to_one(self) -> None:
        want = [speaker_key("Ilse Brandvold")]
        got = [speaker_key("Brandvold"), speaker_key("Ilse Brandvold")]
        assert matched(got, want) == 1
        assert matched(got, [*want, speaker_key("Maren Oduya")]) == 1
        assert matched([], want) == 0


def _entry(time: str, speakers: list[str], quotes: list[tuple[str, str | None]]) -> dict[str, Any]:
    return {
        "published_at": f"2024-03-02T{time}:00+01:00",
        "speakers": [{"name": s} for s in speakers],
        "quotes": [
            {"text": t, "speaker": {"name": s} if s is not None else None} for t, s in quotes
        ],
    }


def _gold(
    entries: list[tuple[str, list[str]]],
    quotes: list[tuple[str, str, str | None]] | None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "entries": [{"time": t, "speakers": s} for t, s in entries],
        "quotes": None
        if quotes is None
        else [{"time": t, "text": x, "speaker": s} for t, x, s in quotes],
        **extra,
    }


Q1 = "The quay stays closed until Friday"
Q2 = "We have enough pumps for the whole week"
Q3 = "Nobody was hurt on the night shift"

# (case, gold, predicted, speaker F1, quote precision, quote recall)
CASES: list[tuple[str, dict[str, Any], list[dict[str, Any]], float, float, float]] = [
    (
        "suffix match",
        _gold([("10:05", ["Ilse Brandvold"])], [("10:05", Q1, "Ilse Brandvold")]),
        [_entry("10:05", ["Brandvold"], [(Q1, "Brandvold")])],
        1.0,
        1.0,
        1.0,
    ),
    (
        "surname match",
        _gold([("10:05", ["Pyotr Wendel"])], [("10:05", Q1, "Pyotr Wendel")]),
        [_entry("10:05", ["Piotr Wendel"], [(Q1, "Piotr Wendel")])],
        1.0,
        1.0,
        1.0,
    ),
    (
        "particle keeps the word before it",
        _gold([("10:05", ["Hala Zein ad-Din"])], [("10:05", Q1, "Hala Zein ad-Din")]),
        [_entry("10:05", ["Sheib ad-Din"], [(Q1, "Sheib ad-Din")])],
        0.0,
        0.0,
        0.0,
    ),
    (
        "first name alone is not the speaker",
        _gold([("10:05", ["Maren Oduya"])], [("10:05", Q1, "Maren Oduya")]),
        [_entry("10:05", ["Maren"], [(Q1, "Maren")])],
        0.0,
        0.0,
        0.0,
    ),
    (
        "organisation fragment is not the speaker",
        _gold(
            [("10:05", ["Northfield Coastal Authority"])],
            [("10:05", Q1, "Northfield Coastal Authority")],
        ),
        [_entry("10:05", ["Coastal"], [(Q1, "Coastal")])],
        0.0,
        0.0,
        0.0,
    ),
    (
        "null speaker equals null",
        _gold([("10:05", [])], [("10:05", Q1, None)]),
        [_entry("10:05", [], [(Q1, None)])],
        1.0,
        1.0,
        1.0,
    ),
    (
        "an unmatched attributed quote costs precision",
        _gold([("10:05", ["Ilse Brandvold"])], [("10:05", Q1, "Ilse Brandvold")]),
        [_entry("10:05", ["Ilse Brandvold"], [(Q1, "Ilse Brandvold"), (Q3, "Ilse Brandvold")])],
        1.0,
        0.5,
        1.0,
    ),
    (
        "an unattributed quote costs recall only",
        _gold(
            [("10:05", ["Ilse Brandvold"])],
            [("10:05", Q1, "Ilse Brandvold"), ("10:05", Q2, "Ilse Brandvold")],
        ),
        [_entry("10:05", ["Ilse Brandvold"], [(Q1, "Ilse Brandvold"), (Q2, None)])],
        1.0,
        1.0,
        0.5,
    ),
    (
        "nothing to find and nothing asserted is 1.0",
        _gold([("10:05", [])], []),
        [_entry("10:05", [], [])],
        1.0,
        1.0,
        1.0,
    ),
    (
        "quotes null: scored on speakers, an asserted quote is wrong",
        _gold([("10:05", ["Ilse Brandvold"])], None),
        [_entry("10:05", ["Ilse Brandvold", "Maren Oduya"], [(Q1, "Ilse Brandvold")])],
        2 / 3,
        0.0,
        0.0,
    ),
]


class TestScore:
    @pytest.mark.parametrize(
        ("gold", "predicted", "speaker_f1", "qp", "qr"),
        [c[1:] for c in CASES],
        ids=[c[0] for c in CASES],
    )
    def test_case(
        self,
        gold: dict[str, Any],
        predicted: list[dict[str, Any]],
        speaker_f1: float,
        qp: float,
        qr: float,
    ) -> None:
        result = score(gold, predicted)
        assert result["entries"]["aligned"] == len(gold["entries"])
        assert result["speakers"]["f1"] == pytest.approx(speaker_f1)
        assert result["quotes"]["precision"] == pytest.approx(qp)
        assert result["quotes"]["recall"] == pytest.approx(qr)

    def test_entry_speakers_pair_one_to_one(self) -> None:
        """Two spellings of one gold speaker give one hit and no extra."""
        gold = _gold([("10:05", ["Ilse Brandvold", "Maren Oduya"])], [])
        pred = [_entry("10:05", ["Brandvold", "Ilse Brandvold"], [])]
        s = score(gold, pred)["speakers"]
        assert (s["precision"], s["recall"]) == (1.0, 0.5)

    def test_allowed_speaker_is_no_error(self) -> None:
        gold = {
            "entries": [{"time": "10:05", "speakers": [], "allow": ["Northfield Harbour Board"]}],
            "quotes": [],
        }
        pred = [_entry("10:05", ["Northfield Harbour Board"], [])]
        assert score(gold, pred)["speakers"]["f1"] == 1.0


def _shared_scorer() -> ModuleType:
    if not SHARED_SCORER.is_file():
        pytest.skip(f"{SHARED_SCORER} is not here: nothing to compare with")
    spec = importlib.util.spec_from_file_location("shared_score", SHARED_SCORER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class TestParity:
    """The same numbers as the shared scorer the project is judged by."""

    @pytest.mark.parametrize(
        ("gold", "predicted"),
        [c[1:3] for c in CASES]
        + [
            (  # misaligned entries, an untimed entry, an ignored span, a misattribution
                {
                    **_gold(
                        [("09:00", ["Ilse Brandvold"]), ("09:30", []), ("10:05", ["Maren Oduya"])],
                        [
                            ("09:00", Q1, "Ilse Brandvold"),
                            ("10:05", Q2, "Maren Oduya"),
                            ("10:05", Q3, None),
                        ],
                    ),
                    "ignore": ["posted on a social network by the harbour board"],
                },
                [
                    _entry("09:00", ["Ilse"], [(Q1 + " at the earliest", "Ilse Brandvold")]),
                    {"speakers": ["Maren Oduya"], "quotes": []},
                    _entry("09:45", ["Tomasz Ekwueme"], [(Q3, "Tomasz Ekwueme")]),
                    _entry(
                        "10:05",
                        ["M. Oduya", "Zein ad-Din"],
                        [
                            (Q2, "Zein ad-Din"),
                            ("Posted on a social network by the harbour board", "Board"),
                        ],
                    ),
                ],
            ),
        ],
    )
    def test_synthetic(self, gold: dict[str, Any], predicted: list[dict[str, Any]]) -> None:
        shared = _shared_scorer()
        assert score(gold, predicted) == shared.score(gold, predicted)

    def test_seed(self, tmp_path: Path) -> None:
        shared = _shared_scorer()
        if not (SEED.is_file() and GOLD.is_file()):
            pytest.skip("the seed or its gold labels are not here")
        done = subprocess.run(
            [CLI, "replay", str(SEED), "--output", "-", "--no-db"],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr
        predicted = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
        gold = json.loads(GOLD.read_text(encoding="utf-8"))
        assert score(gold, predicted) == shared.score(gold, predicted)


# --- eval-set -------------------------------------------------------------------------------

_EN_TEXT = """\
# source: invented for this test | en | two entries
# title: Harbour flooding, live

10:05
Harbour master Ilse Brandvold said: "The quay stays closed until Friday."

10:40
"We have enough pumps for the whole week," said fire chief Tomasz Ekwueme.
"""

_DE_TEXT = """\
# source: invented for this test | de | one entry
# title: Hochwasser am Hafen

11:15
Hafenmeisterin Ilse Brandvold sagte, der Kai bleibe bis Freitag gesperrt.
"""


def _write_set(root: Path) -> Path:
    (root / "text").mkdir(parents=True)
    (root / "gold").mkdir()
    (root / "text" / "harbour-en.txt").write_text(_EN_TEXT, encoding="utf-8")
    (root / "text" / "harbour-de.txt").write_text(_DE_TEXT, encoding="utf-8")
    base = {"date": "2024-03-02", "timezone": "Europe/Oslo", "ignore": []}
    en = {
        **base,
        "blog": "harbour-en.txt",
        "entries": [
            {"time": "10:05", "speakers": ["Ilse Brandvold"]},
            {"time": "10:40", "speakers": ["Tomasz Ekwueme"]},
        ],
        "quotes": [
            {"time": "10:05", "text": Q1, "speaker": "Ilse Brandvold"},
            {"time": "10:40", "text": Q2, "speaker": "Tomasz Ekwueme"},
        ],
    }
    de = {
        **base,
        "blog": "harbour-de.txt",
        "entries": [{"time": "11:15", "speakers": ["Ilse Brandvold"]}],
        "quotes": None,
    }
    (root / "gold" / "harbour-en.json").write_text(json.dumps(en), encoding="utf-8")
    (root / "gold" / "harbour-de.json").write_text(json.dumps(de), encoding="utf-8")
    return root


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=300, cwd=cwd)


class TestEvalSet:
    def test_header_language(self, tmp_path: Path) -> None:
        path = _write_set(tmp_path / "set") / "text"
        assert header_language(path / "harbour-en.txt") == "en"
        assert header_language(path / "harbour-de.txt") == "de"
        (path / "plain.txt").write_text("10:05\nNothing here.\n", encoding="utf-8")
        assert header_language(path / "plain.txt") is None
        assert header_language(path / "missing.txt") is None

    def test_means(self) -> None:
        rows = [
            BlogScore("a", "en", 1, 1, 0.5, 1.0),
            BlogScore("b", "en", 2, 2, 1.0, 0.5),
            BlogScore("c", "en", 2, 2, None, 0.0),  # quotes null: speakers only
            BlogScore("d", None, 1, 1, 0.25, 0.75),
        ]
        got = {(m.language, m.blogs): (m.quote_f1, m.speaker_f1) for m in means(rows)}
        assert got == {("en", 3): (0.75, 0.5), (None, 1): (0.25, 0.75)}

    def test_rows_and_means(self, tmp_path: Path) -> None:
        root = _write_set(tmp_path / "set")
        done = _cli("eval-set", str(root), "--json", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        doc = json.loads(done.stdout)
        rows = {r["name"]: r for r in doc["rows"]}
        assert set(rows) == {"harbour-en", "harbour-de"}
        en, de = rows["harbour-en"], rows["harbour-de"]
        assert (en["language"], en["aligned"], en["gold_entries"]) == ("en", 2, 2)
        assert (de["language"], de["aligned"], de["gold_entries"]) == ("de", 1, 1)
        assert en["error"] is None and de["error"] is None
        assert de["quote_f1"] is None  # "quotes": null counts for speakers only
        assert 0.0 <= en["quote_f1"] <= 1.0
        by_lang = {m["language"]: m for m in doc["means"]}
        assert by_lang["en"]["quote_f1"] == en["quote_f1"]
        assert by_lang["en"]["speaker_f1"] == en["speaker_f1"]
        assert by_lang["de"]["quote_f1"] is None
        assert by_lang["de"]["speaker_f1"] == de["speaker_f1"]

        text = _cli("eval-set", str(root), cwd=tmp_path)
        assert text.returncode == 0, text.stderr
        lines = text.stdout.splitlines()
        row = next(line for line in lines if line.startswith("harbour-en "))
        assert row.split() == [
            "harbour-en",
            "en",
            "2/2",
            f"{en['quote_f1']:.3f}",
            f"{en['speaker_f1']:.3f}",
        ]
        assert any(line.startswith("harbour-de ") and " - " in line for line in lines)
        assert (
            f"mean en (1 blogs): quote-speaker F1 {en['quote_f1']:.3f}, "
            f"speaker F1 {en['speaker_f1']:.3f}"
        ) in lines
        assert f"mean de (1 blogs): quote-speaker F1 -, speaker F1 {de['speaker_f1']:.3f}" in lines

    def test_missing_gold(self, tmp_path: Path) -> None:
        (tmp_path / "nogold" / "text").mkdir(parents=True)
        done = _cli("eval-set", str(tmp_path / "nogold"), cwd=tmp_path)
        assert done.returncode == 2
        assert done.stdout == ""
        assert done.stderr.count("\n") == 1
        assert done.stderr.startswith("liveblog: error: ") and "gold/" in done.stderr
        assert "Traceback" not in done.stderr
