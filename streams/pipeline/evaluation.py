"""Scoring a replay against gold labels: the same figures as the shared `score.py`.

Entries align by HH:MM in order (longest common subsequence); quotes match by normalised text
(containment or word overlap >= 0.6); speakers compare by surname with accents folded. The
headline figure is the quote-speaker F1.
"""

from __future__ import annotations

import re
from typing import Any

from streams.core.text import fold

__all__ = ["score"]

_QUOTE_CHARS = "\"'“”„‟‘’‚‛«»‹›`´"


def _norm(text: str) -> str:
    text = "".join(" " if ch in _QUOTE_CHARS else ch for ch in fold(text))
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def _surname(speaker: Any) -> str | None:
    if isinstance(speaker, dict):
        speaker = speaker.get("name") or speaker.get("id")
    if not speaker:
        return None
    tokens = re.findall(r"[a-z]+", fold(str(speaker)))
    return tokens[-1] if tokens else None


def _hhmm(entry: dict[str, Any]) -> str | None:
    value = entry.get("published_at")
    m = re.search(r"T(\d{2}):(\d{2})", value) if isinstance(value, str) else None
    return f"{m.group(1)}:{m.group(2)}" if m else None


def _similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    short, long_ = sorted((a, b), key=len)
    if short in long_:
        return len(short) / len(long_)
    ta, tb = set(a.split()), set(b.split())
    return len(ta & tb) / len(ta | tb)


def _align(gold: list[str], pred: list[str | None]) -> list[tuple[int, int]]:
    n, m = len(gold), len(pred)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            table[i][j] = (
                table[i + 1][j + 1] + 1
                if gold[i] == pred[j]
                else max(table[i + 1][j], table[i][j + 1])
            )
    pairs, i, j = [], 0, 0
    while i < n and j < m:
        if gold[i] == pred[j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(
    gold: dict[str, Any], predicted: list[dict[str, Any]], threshold: float = 0.6
) -> dict[str, Any]:
    """Entry alignment, speaker F1 and quote-speaker F1 of `predicted` against `gold`."""
    timed = [e for e in predicted if _hhmm(e)]
    pairs = _align([g["time"] for g in gold["entries"]], [_hhmm(e) for e in timed])
    tp = fp = fn = 0
    for gi, pi in pairs:
        g = gold["entries"][gi]
        want = {_surname(s) for s in g.get("speakers", [])}
        allow = {_surname(s) for s in g.get("allow", [])}
        got = {_surname(s) for s in timed[pi].get("speakers") or []} - {None}
        tp, fn, fp = tp + len(got & want), fn + len(want - got), fp + len(got - want - allow)
    sp, sr, sf = _f1(tp, fp, fn)

    ignored = [_norm(t) for t in gold.get("ignore", [])]
    pred_quotes = [
        (_hhmm(e), _norm(q.get("text", "")), _surname(q.get("speaker")))
        for e in predicted
        for q in e.get("quotes") or []
    ]
    pred_quotes = [
        q for q in pred_quotes if not any(_similarity(t, q[1]) >= threshold for t in ignored)
    ]
    gold_quotes = gold.get("quotes") or []
    found = correct = 0
    misses: list[dict[str, Any]] = []
    for g in gold_quotes:
        gt = _norm(g["text"])
        best, best_i = 0.0, None
        for i, (t, text, _) in enumerate(pred_quotes):
            s = _similarity(gt, text) + (0.001 if t == g.get("time") else 0.0)
            if s > best:
                best, best_i = s, i
        if best_i is not None and best >= threshold:
            found += 1
            if pred_quotes[best_i][2] == _surname(g["speaker"]):
                correct += 1
            else:
                misses.append(
                    {"quote": g["text"], "want": g["speaker"], "got": pred_quotes[best_i][2]}
                )
        else:
            misses.append({"quote": g["text"], "want": g["speaker"], "got": "NOT FOUND"})
    right = wrong = extracted_ok = 0
    gold_norm = [(_norm(g["text"]), _surname(g["speaker"])) for g in gold_quotes]
    for _, text, spk in pred_quotes:
        best, best_spk = 0.0, None
        for gt, gs in gold_norm:
            s = _similarity(gt, text)
            if s > best or (s == best and gs == spk):
                best, best_spk = s, gs
        if best >= threshold:
            extracted_ok += 1
            if spk == best_spk:
                right += 1
            elif spk is not None:
                wrong += 1
        elif spk is not None:
            wrong += 1
    n_gold = len(gold_quotes)
    qp = right / (right + wrong) if right + wrong else 0.0
    qr = correct / n_gold if n_gold else 0.0
    return {
        "entries": {
            "gold": len(gold["entries"]),
            "predicted_timed": len(timed),
            "predicted_untimed": len(predicted) - len(timed),
            "aligned": len(pairs),
        },
        "speakers": {"precision": sp, "recall": sr, "f1": sf},
        "quotes": {
            "gold": n_gold,
            "predicted": len(pred_quotes),
            "found": found,
            "extraction_precision": extracted_ok / len(pred_quotes) if pred_quotes else 0.0,
            "attribution_accuracy": correct / found if found else 0.0,
            "precision": qp,
            "recall": qr,
            "f1": 2 * qp * qr / (qp + qr) if qp + qr else 0.0,
        },
        "misses": misses,
    }
