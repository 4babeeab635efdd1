"""Training the speaker ranker from gold files: `make train` (`python -m training`).

Corpus: every blog with gold labels the project can read — the seed (`seeds/gold`), the invented
fixture blogs (`tests/fixtures/blogs/gold`) and, when `../shared/eval/dev` is present, the real
development set (read in place, never copied). Each blog belongs to a *group*: its publisher for the
real articles (one per file), "guardian" for the real live blogs, "fixtures" for the invented
blogs and the seed.

1. Replay every blog through the real stages with the current model, recording each quotation's
   candidates and features (`attribute(..., trace=...)`).
2. Label them: a candidate is right when its name is the gold speaker by the scorer's rule; a
   quotation the gold does not hold (a title, a scare quote) has no right candidate.
3. Leave-one-group-out: for each group, fit a logistic regression on the others, replay the held-out
   blogs end to end with that model and score them with the project's scorer — the figures reported
   in `docs/attribution.md` come from these runs, never from blogs a model was fitted on.
4. Calibration: isotonic regression of "the pick is right" on the held-out raw scores; the
   reliability table and the precision/recall of each threshold come from the same held-out picks.
5. Fit on everything, attach the calibration, write `streams/attribution/model.json`.

scikit-learn is needed here only (the `dev` extra); inference reads the JSON file.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import statistics
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from connectors.sources.files import BlogMeta, FileSource
from schemas.exceptions import LiveblogError
from streams.attribution.memory import SpeakerMemory
from streams.attribution.ranker import Candidate, Model
from streams.attribution.stage import Trace, attribute
from streams.core.models import ParseState
from streams.pipeline.enrich import enrich
from streams.pipeline.evaluation import (
    norm_text,
    same_speaker,
    score,
    similarity,
    speaker_key,
)
from streams.pipeline.parse import parse

__all__ = ["Blog", "corpus", "main"]

_ROOT = Path(__file__).resolve().parents[1]
_MODEL = _ROOT / "streams" / "attribution" / "model.json"


@dataclass(frozen=True, slots=True)
class Blog:
    """One gold-labelled blog: where its text is, how to replay it, and its group."""

    name: str
    group: str
    text: Path
    gold: dict[str, Any]
    date: str
    timezone: str
    language: str | None
    order: str | None = None


@dataclass(slots=True)
class Run:
    """A replay of one blog: its output lines and, per quotation, the labelled candidates."""

    blog: Blog
    lines: list[dict[str, Any]] = field(default_factory=list)
    rows: list[tuple[list[Candidate], int | None, bool]] = field(default_factory=list)
    #: the entries' speaker candidates, each labelled 1 when the gold entry lists them
    speaker_rows: list[tuple[Candidate, int]] = field(default_factory=list)


def corpus(shared: Path | None) -> list[Blog]:
    """Every gold-labelled blog the project can read."""
    blogs: list[Blog] = []
    seeds = _ROOT / "seeds"
    fixtures = _ROOT / "tests" / "fixtures" / "blogs"
    for folder in (seeds, fixtures):
        for side in sorted(folder.glob("*.yaml")):
            meta = yaml.safe_load(side.read_text("utf-8"))
            gold = folder / "gold" / f"{side.stem}.json"
            text = side.with_suffix(".txt")
            if gold.exists() and text.exists():
                blogs.append(
                    Blog(
                        side.stem,
                        "fixtures",
                        text,
                        json.loads(gold.read_text("utf-8")),
                        str(meta.get("date")),
                        str(meta.get("timezone")),
                        meta.get("language"),
                        meta.get("order"),
                    )
                )
    if shared is not None and (shared / "eval" / "dev").is_dir():
        for gold_path in sorted((shared / "eval" / "dev").glob("*/gold/*.json")):
            gold = json.loads(gold_path.read_text("utf-8"))
            text = gold_path.parent.parent / "text" / gold["blog"]
            head = text.read_text("utf-8", errors="replace")[:400]
            lang = "de" if re.search(r"\|\s*de\b", head) else None
            kind = gold_path.parent.parent.name
            group = "guardian" if kind == "liveblogs" else gold_path.stem.split("-")[2]
            blogs.append(
                Blog(gold_path.stem, group, text, gold, gold["date"], gold["timezone"], lang)
            )
    return blogs


def replay(blog: Blog, model: Model, min_confidence: float = 0.0) -> Run:
    """Replay `blog` through parse, attribute and enrich with `model`, keeping the trace."""
    meta = BlogMeta(
        blog_id=blog.name,
        date=date.fromisoformat(blog.date),
        timezone=blog.timezone,
        language=blog.language,
        order=blog.order,
    )
    source = FileSource(
        blog.text,
        meta,
        max_bytes=50_000_000,
        max_entry_chars=1_000_000,
        fetched_at=datetime(2000, 1, 1, tzinfo=UTC),
    )
    run = Run(blog)
    parse_state, memory = ParseState(), SpeakerMemory()
    gold_quotes = blog.gold.get("quotes") or []
    gold_entries = blog.gold.get("entries") or []
    used: set[int] = set()
    ignored = [norm_text(t) for t in blog.gold.get("ignore", [])]
    for raw in source:
        try:
            parsed, parse_state = parse(raw, parse_state)
        except LiveblogError:
            continue
        trace = Trace()
        attribution, memory = attribute(
            parsed, memory, min_confidence=min_confidence, model=model, trace=trace
        )
        line = enrich(parsed, attribution, memory).model_dump(mode="json")
        run.lines.append(line)
        hhmm = _hhmm(line)
        gold_entry = next(
            (g for i, g in enumerate(gold_entries) if g["time"] == hhmm and i not in used), None
        )
        if gold_entry is not None:
            used.add(gold_entries.index(gold_entry))
            want = [speaker_key(x) for x in gold_entry.get("speakers", [])]
            allow = [speaker_key(x) for x in gold_entry.get("allow", [])]
            for cand in trace.speakers:
                key = speaker_key(cand.person.name)
                if any(same_speaker(key, w) for w in want):
                    run.speaker_rows.append((cand, 1))
                elif not any(same_speaker(key, a) for a in allow):
                    run.speaker_rows.append((cand, 0))
        if blog.gold.get("quotes") is None:
            continue  # a blog labelled for its speakers only says nothing about its quotes
        for text, _kind, cands in trace.quotes:
            norm = norm_text(text)
            if any(similarity(t, norm) >= 0.6 for t in ignored):
                continue
            gold = _gold_speaker(gold_quotes, norm, hhmm)
            has_gold = gold is not _NO_QUOTE
            right = None
            for i, cand in enumerate(cands):
                if (
                    has_gold
                    and gold is not None
                    and same_speaker(speaker_key(cand.person.name), speaker_key(gold))
                ):
                    right = i
                    break
            run.rows.append((cands, right, has_gold and gold is not None))
    return run


_NO_QUOTE = "\x00"


def _gold_speaker(gold_quotes: list[dict[str, Any]], norm: str, hhmm: str | None) -> str | None:
    best, speaker = 0.0, _NO_QUOTE
    for g in gold_quotes:
        s = similarity(norm_text(g["text"]), norm) + (0.001 if g.get("time") == hhmm else 0.0)
        if s > best:
            best, speaker = s, g["speaker"]
    return speaker if best >= 0.6 else _NO_QUOTE


def _hhmm(line: dict[str, Any]) -> str | None:
    value = line.get("published_at")
    m = re.search(r"T(\d{2}):(\d{2})", value) if isinstance(value, str) else None
    return f"{m.group(1)}:{m.group(2)}" if m else None


# fitting -------------------------------------------------------------------------------------


#: the model the first round replays with (only "the speaker of the quotation before" depends
#: on it): the rule reader's pick, then the nearest speech cue
START = Model(
    weights={"rule": 2.5, "cue_same_sent": 2.0, "same_sent": 0.5, "colon_before": 1.5,
             "previous": 0.7, "common_word_name": -3.0, "named_inside": -2.0},
    bias=-2.0,
)  # fmt: skip
#: the default `min_confidence`, fixed before looking at any score: with calibrated
#: probabilities the F1-optimal threshold is half the F1 reached (Lipton et al. 2014), and the
#: quote-speaker F1 aimed at is about 0.8
DEFAULT_THRESHOLD = 0.4
#: the invented fixture blogs were written with the rules: they count for less than real text
FIXTURE_WEIGHT = 0.3


Row = tuple[dict[str, float], int, float]  # features, label, weight


def _quote_rows(runs: list[Run], fixture_weight: float) -> list[Row]:
    return [
        (cand.features, int(i == right), _weight(run, fixture_weight))
        for run in runs
        for cands, right, _ in run.rows
        for i, cand in enumerate(cands)
    ]


def _speaker_rows(runs: list[Run], fixture_weight: float) -> list[Row]:
    return [
        (cand.features, label, _weight(run, fixture_weight))
        for run in runs
        for cand, label in run.speaker_rows
    ]


def _weight(run: Run, fixture_weight: float) -> float:
    return fixture_weight if run.blog.group == "fixtures" else 1.0


def _logistic(rows: list[Row], c: float) -> Model:
    """A logistic regression (scikit-learn, L2) over feature dicts."""
    from sklearn.linear_model import LogisticRegression

    names = sorted({k for features, _, _ in rows for k in features})
    index = {n: i for i, n in enumerate(names)}
    x = []
    for features, _, _ in rows:
        vec = [0.0] * len(names)
        for k, v in features.items():
            vec[index[k]] = v
        x.append(vec)
    clf = LogisticRegression(C=c, max_iter=3000)
    clf.fit(x, [y for _, y, _ in rows], sample_weight=[w for _, _, w in rows])
    weights = {n: round(float(w), 5) for n, w in zip(names, clf.coef_[0], strict=True)}
    return Model(
        weights={k: v for k, v in weights.items() if v != 0.0}, bias=float(clf.intercept_[0])
    )


def _choice(runs: list[Run], c: float, fixture_weight: float) -> Model:
    """A conditional logit (softmax) over each quotation's candidates and "nobody": the weights
    that make the right candidate win against the others of the same quotation, or nobody win
    when no candidate is right. L2 as in scikit-learn (`c` is the inverse strength), fitted with
    scipy's L-BFGS from zero, so the same rows give the same weights."""
    import numpy as np
    from scipy.optimize import minimize

    rows = [
        (cands, right, _weight(run, fixture_weight))
        for run in runs
        for cands, right, _ in run.rows
        if cands
    ]
    names = sorted({k for cands, _, _ in rows for cand in cands for k in cand.features})
    index = {n: i for i, n in enumerate(names)}
    n_cands = sum(len(cands) for cands, _, _ in rows)
    x = np.zeros((n_cands, len(names)))
    group = np.zeros(n_cands, dtype=np.intp)
    label = np.zeros(n_cands)  # 1 at the right candidate
    weights = np.zeros(len(rows))
    at = 0
    for r, (cands, right, weight) in enumerate(rows):
        weights[r] = weight
        for i, cand in enumerate(cands):
            for k, v in cand.features.items():
                x[at, index[k]] = v
            group[at] = r
            label[at] = float(i == right)
            at += 1

    def loss(theta: Any) -> tuple[float, Any]:
        w, b = theta[:-1], theta[-1]
        z = x @ w + b
        top = np.maximum(0.0, np.maximum.reduceat(z, _starts(group)))
        total = np.exp(-top) + np.bincount(
            group, weights=np.exp(z - top[group]), minlength=len(rows)
        )
        lse = top + np.log(total)
        right_z = np.bincount(group, weights=z * label, minlength=len(rows))
        nll = float(np.sum(weights * (lse - right_z))) + float(w @ w) / (2 * c)
        p = np.exp(z - lse[group])  # each candidate's probability
        resid = weights[group] * (p - label)
        grad_w = x.T @ resid + w / c
        grad_b = float(np.sum(resid))
        return nll, np.append(grad_w, grad_b)

    theta0 = np.zeros(len(names) + 1)
    res = minimize(loss, theta0, jac=True, method="L-BFGS-B", options={"maxiter": 5000})
    w = res.x[:-1]
    fitted = {n: round(float(v), 5) for n, v in zip(names, w, strict=True)}
    return Model(
        weights={k: v for k, v in fitted.items() if v != 0.0},
        bias=float(res.x[-1]),
        choice=True,
    )


def _starts(group: Any) -> Any:
    """Where each group of consecutive rows starts."""
    import numpy as np

    return np.flatnonzero(np.r_[True, group[1:] != group[:-1]])


#: "choice" (conditional logit over a quotation's candidates) or "logistic" (each on its own)
RANKER = "choice"


def fit(runs: list[Run], c: float = 1.0, fixture_weight: float = FIXTURE_WEIGHT) -> Model:
    """The quotation ranker and the entry-speaker model, fitted on the rows of `runs`."""
    if RANKER == "choice":
        quotes = _choice(runs, c, fixture_weight)
    else:
        quotes = _logistic(_quote_rows(runs, fixture_weight), c)
    speakers = _logistic(_speaker_rows(runs, fixture_weight), c)
    return replace(quotes, speakers=speakers)


def _picks(run: Run, model: Model) -> Iterator[tuple[float, bool, bool]]:
    """(raw best score, the pick is right, the quotation has a gold speaker) per quotation."""
    for cands, right, has_speaker in run.rows:
        if not cands:
            yield 0.0, False, has_speaker
            continue
        best, raw = model.best(cands)
        yield raw, best == right, has_speaker


def calibrate(points: list[tuple[float, bool]]) -> tuple[list[float], list[float]]:
    """Isotonic regression of rightness on the raw score, as a breakpoint table."""
    from sklearn.isotonic import IsotonicRegression

    xs = [p for p, _ in points]
    ys = [1.0 if ok else 0.0 for _, ok in points]
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
    iso.fit(xs, ys)
    bx = [float(v) for v in iso.X_thresholds_]
    by = [round(float(v), 4) for v in iso.y_thresholds_]
    return bx, by


def _mean(values: list[float]) -> float:
    return statistics.mean(values) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training")
    parser.add_argument("--shared", type=Path, default=_ROOT.parent / "shared")
    parser.add_argument("--c", type=float, default=1.0, help="inverse L2 strength")
    parser.add_argument("--rounds", type=int, default=2, help="trace/fit rounds")
    parser.add_argument(
        "--fixture-weight", type=float, default=FIXTURE_WEIGHT, help="weight of invented blogs"
    )
    parser.add_argument("--output", type=Path, default=_MODEL)
    parser.add_argument("--report", type=Path, default=None, help="write the CV report (JSON)")
    parser.add_argument("--no-cv", action="store_true")
    parser.add_argument(
        "--min-confidence", type=float, default=DEFAULT_THRESHOLD, help="the default threshold"
    )
    args = parser.parse_args(argv)
    shared = args.shared if args.shared.is_dir() else None
    blogs = corpus(shared)
    model = START  # not the shipped model: the same code and gold give the same weights
    for _ in range(args.rounds):
        runs = [replay(b, model) for b in blogs]
        model = fit(runs, args.c, args.fixture_weight)
    groups = sorted({b.group for b in blogs})
    report: dict[str, Any] = {"groups": len(groups), "blogs": len(blogs)}
    threshold = args.min_confidence
    if not args.no_cv:
        report.update(cross_validate(blogs, runs, args.c, args.fixture_weight))
        held = [p for picks in report.pop("held").values() for p in picks]
        bx, by = calibrate([(p, ok) for p, ok, _ in held])
        model = replace(model, calib_x=tuple(bx), calib_y=tuple(by))
        report["reliability"] = _reliability(model, held)
        report["thresholds"] = _thresholds(model, held)
        report["min_confidence"] = threshold
        print(json.dumps(report["means"], indent=1), file=sys.stderr)
    data = {
        "about": "speaker ranker: a conditional logit over each quotation's candidates and "
        "nobody (or a logistic regression when choice is false); "
        "trained by `make train` (training/ranker.py)",
        "trained_on": {"blogs": len(blogs), "groups": len(groups)},
        "bias": round(model.bias, 5),
        "choice": model.choice,
        "weights": dict(sorted(model.weights.items())),
        "calibration": {"x": [round(x, 5) for x in model.calib_x], "y": list(model.calib_y)},
        "speakers": {
            "about": "entry speakers: a person is one when this model scores them 0.5 or more",
            "bias": round(model.speakers.bias, 5) if model.speakers else 0.0,
            "weights": dict(sorted(model.speakers.weights.items())) if model.speakers else {},
        },
        "min_confidence": threshold,
    }
    args.output.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", "utf-8")
    if args.report is not None:
        args.report.write_text(json.dumps(report, indent=1) + "\n", "utf-8")
    return 0


def cross_validate(
    blogs: list[Blog], runs: list[Run], c: float, fixture_weight: float = FIXTURE_WEIGHT
) -> dict[str, Any]:
    """Leave-one-group-out: per group, a model fitted on the other groups, calibrated on their
    held-out picks, with the threshold that is best on those picks, replayed end to end on the
    held-out blogs and scored."""
    groups = sorted({b.group for b in blogs})
    folds: dict[str, Model] = {}
    held: dict[str, list[tuple[float, bool, bool]]] = {}
    for group in groups:
        folds[group] = fit([r for r in runs if r.blog.group != group], c, fixture_weight)
        held[group] = [
            pick
            for blog in blogs
            if blog.group == group
            for pick in _picks(replay(blog, folds[group]), folds[group])
        ]
    rows: list[dict[str, Any]] = []
    for group in groups:
        others = [p for g, picks in held.items() if g != group for p in picks]
        bx, by = calibrate([(p, ok) for p, ok, _ in others])
        fold = replace(folds[group], calib_x=tuple(bx), calib_y=tuple(by))
        threshold = DEFAULT_THRESHOLD
        for blog in (b for b in blogs if b.group == group):
            s = score(blog.gold, replay(blog, fold, threshold).lines)
            quotes = s["quotes"]["f1"] if blog.gold.get("quotes") is not None else None
            rows.append(
                {
                    "blog": _short(blog),
                    "group": group,
                    "set": _set_of(blog),
                    "quote_f1": quotes,
                    "speaker_f1": s["speakers"]["f1"],
                    "min_confidence": threshold,
                }
            )
            print(
                f"{blog.name[:50]:50} {_set_of(blog):12} q={quotes} s={s['speakers']['f1']:.3f}",
                file=sys.stderr,
            )
    means = {
        name: {
            "quote_f1": _mean(
                [r["quote_f1"] for r in rows if r["set"] == name and r["quote_f1"] is not None]
            ),
            "speaker_f1": _mean([r["speaker_f1"] for r in rows if r["set"] == name]),
            "n": sum(1 for r in rows if r["set"] == name),
        }
        for name in sorted({r["set"] for r in rows})
    }
    return {"rows": rows, "means": means, "held": held}


def _short(blog: Blog) -> str:
    """A development blog by number and publisher only: its file name carries its headline."""
    if blog.group == "fixtures":
        return blog.name
    number = blog.name.split("-")[0]
    return f"{number}-{blog.group}"


def _set_of(blog: Blog) -> str:
    if blog.group == "fixtures":
        return "fixtures"
    if blog.group == "guardian":
        return "liveblogs"
    return f"articles-{blog.language or 'en'}"


def _reliability(model: Model, held: list[tuple[float, bool, bool]]) -> list[dict[str, Any]]:
    bins = [0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01]
    out = []
    for lo, hi in itertools.pairwise(bins):
        inside = [ok for p, ok, _ in held if lo <= model.calibrated(p) < hi]
        if inside:
            out.append(
                {
                    "bin": f"{lo:.1f}-{min(hi, 1.0):.1f}",
                    "n": len(inside),
                    "right": round(sum(inside) / len(inside), 3),
                }
            )
    return out


def _thresholds(model: Model, held: list[tuple[float, bool, bool]]) -> list[dict[str, Any]]:
    n_gold = sum(1 for _, _, has in held if has)
    out = []
    for t in (0.0, 0.1, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8):
        asserted = [(ok, has) for p, ok, has in held if model.calibrated(p) >= t]
        right = sum(1 for ok, _ in asserted if ok)
        wrong = len(asserted) - right
        prec = right / (right + wrong) if asserted else 0.0
        rec = right / n_gold if n_gold else 0.0
        f = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out.append(
            {
                "min_confidence": t,
                "precision": round(prec, 3),
                "recall": round(rec, 3),
                "f1": round(f, 3),
            }
        )
    return out


if __name__ == "__main__":
    raise SystemExit(main())
