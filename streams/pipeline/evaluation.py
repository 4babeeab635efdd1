"""Scoring a replay against gold labels: the same figures as the shared `score.py`.

Entries align by HH:MM in order (longest common subsequence); quotes match by normalised text
(containment or word overlap >= 0.6). Speakers compare by name with accents and case folded: the
same speaker when one name ends the other ("Okafor" = "Maria Okafor") or the surnames agree; a
surname after a particle ("ad", "bin", "von", ...) keeps the word before it, so "Zein ad-Din" is
not "Sheib ad-Din". Generational suffixes ("Jr.", "III") are dropped. A first name alone or a
fragment of an organisation's name is not the speaker. Entry speakers pair one to one.

The headline figure is the quote-speaker F1: precision over the speakers the output asserts,
recall over the gold quotes. A figure with nothing to find and nothing asserted is 1.0.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from streams.core.text import strip_accents

__all__ = [
    "SpeakerKey",
    "matched",
    "norm_text",
    "same_speaker",
    "score",
    "similarity",
    "speaker_key",
]

#: the folded words of a speaker's name
SpeakerKey = tuple[str, ...]

_QUOTE_CHARS = "\"'“”„‟‘’‚‛«»‹›`´"

_PARTICLES = frozenset(
    {
        "ad", "al", "el", "bin", "ibn", "bint", "abu", "von", "van", "der", "den", "de", "da",
        "di", "du", "del", "della", "dos", "das", "la", "le", "ter", "ten", "zu", "af", "y",
    }
)  # fmt: skip

_GENERATIONAL = frozenset({"jr", "sr", "ii", "iii", "iv"})


def _fold(text: str) -> str:
    return strip_accents(text).lower()


def norm_text(text: str) -> str:
    """Text as quotes are compared: folded, quote marks and punctuation made spaces."""
    text = "".join(" " if ch in _QUOTE_CHARS else ch for ch in _fold(text))
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def speaker_key(speaker: object) -> SpeakerKey | None:
    """The folded words of a speaker's name (a string or a `{"name"|"id": ...}` object); None
    for no speaker. Trailing generational suffixes go: "Martin Luther King Jr." is "... King"."""
    if speaker is None:
        return None
    if isinstance(speaker, dict):
        speaker = speaker.get("name") or speaker.get("id")
    if not speaker:
        return None
    tokens = tuple(re.findall(r"[a-z0-9]+", _fold(str(speaker))))
    while len(tokens) > 1 and tokens[-1] in _GENERATIONAL:
        tokens = tokens[:-1]
    return tokens or None


def _surname(key: SpeakerKey) -> SpeakerKey:
    i = len(key) - 1
    while i > 0 and key[i - 1] in _PARTICLES:
        i -= 1
    return key[max(i - 1, 0) :] if i < len(key) - 1 else key[i:]


def same_speaker(a: SpeakerKey | None, b: SpeakerKey | None) -> bool:
    """Whether two speaker keys name the same person: one ends the other, or the surnames agree.
    None (no speaker) equals only None."""
    if a is None or b is None:
        return a is b
    short, long_ = sorted((a, b), key=len)
    return long_[len(long_) - len(short) :] == short or _surname(a) == _surname(b)


def matched(got: Sequence[SpeakerKey | None], want: Sequence[SpeakerKey | None]) -> int:
    """How many of `got` pair one-to-one with a speaker in `want`."""
    free, n = list(want), 0
    for g in got:
        for i, w in enumerate(free):
            if same_speaker(g, w):
                del free[i]
                n += 1
                break
    return n


def _hhmm(entry: dict[str, Any]) -> str | None:
    value = entry.get("published_at")
    m = re.search(r"T(\d{2}):(\d{2})", value) if isinstance(value, str) else None
    return f"{m.group(1)}:{m.group(2)}" if m else None


def similarity(a: str, b: str) -> float:
    """How alike two normalised texts are: containment by length, else word overlap."""
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
    pairs: list[tuple[int, int]] = []
    i = j = 0
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
    if tp + fp + fn == 0:
        return 1.0, 1.0, 1.0  # nothing to find and nothing asserted
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _keys(speakers: Any) -> list[SpeakerKey]:
    return [k for s in speakers or [] if (k := speaker_key(s))]


def _speaker_counts(
    gold: dict[str, Any], timed: list[dict[str, Any]], pairs: list[tuple[int, int]]
) -> tuple[int, int, int]:
    tp = fp = fn = 0
    for gi, pi in pairs:
        g = gold["entries"][gi]
        want = list(dict.fromkeys(_keys(g.get("speakers", []))))
        allow = _keys(g.get("allow", []))
        got = list(dict.fromkeys(_keys(timed[pi].get("speakers"))))
        hit = matched(got, want)
        extra = [k for k in got if not any(same_speaker(k, w) for w in want + allow)]
        tp += hit
        fn += len(want) - hit
        fp += len(extra)
    return tp, fp, fn


def score(
    gold: dict[str, Any], predicted: list[dict[str, Any]], threshold: float = 0.6
) -> dict[str, Any]:
    """Entry alignment, speaker F1 and quote-speaker F1 of `predicted` against `gold`."""
    timed = [e for e in predicted if _hhmm(e)]
    gold_times: list[str] = [g["time"] for g in gold["entries"]]
    pairs = _align(gold_times, [_hhmm(e) for e in timed])
    sp, sr, sf = _f1(*_speaker_counts(gold, timed, pairs))

    ignored = [norm_text(t) for t in gold.get("ignore", [])]
    pred_quotes: list[tuple[str | None, str, SpeakerKey | None]] = []
    for e in predicted:
        for q in e.get("quotes") or []:
            text = norm_text(q.get("text", ""))
            if any(similarity(t, text) >= threshold for t in ignored):
                continue  # spans the gold neither asks for nor forbids (e.g. embedded posts)
            pred_quotes.append((_hhmm(e), text, speaker_key(q.get("speaker"))))
    gold_quotes: list[dict[str, Any]] = gold.get("quotes") or []  # null: speakers alone
    found = correct = 0
    misses: list[dict[str, Any]] = []
    for g in gold_quotes:
        gt = norm_text(g["text"])
        best, best_i = 0.0, None
        for i, (t, text, _) in enumerate(pred_quotes):
            s = similarity(gt, text) + (0.001 if t == g.get("time") else 0.0)
            if s > best:
                best, best_i = s, i
        if best_i is not None and best >= threshold:
            found += 1
            got = pred_quotes[best_i][2]
            if same_speaker(got, speaker_key(g["speaker"])):
                correct += 1
            else:
                misses.append(
                    {
                        "quote": g["text"],
                        "want": g["speaker"],
                        "got": " ".join(got) if got else None,
                    }
                )
        else:
            misses.append({"quote": g["text"], "want": g["speaker"], "got": "NOT FOUND"})
    # precision from the predicted side: a predicted quote matching a gold quote is right when its
    # speaker is the gold speaker (null == null counts) and wrong when it names another; an
    # attributed quote that matches no gold quote is wrong; an unattributed one costs recall only
    right = wrong = extracted_ok = 0
    gold_norm = [(norm_text(g["text"]), speaker_key(g["speaker"])) for g in gold_quotes]
    for _, text, spk in pred_quotes:
        best, best_spk = 0.0, None
        for gt, gs in gold_norm:
            s = similarity(gt, text)
            if s > best or (s == best and same_speaker(gs, spk)):
                best, best_spk = s, gs
        if best >= threshold:
            extracted_ok += 1
            if same_speaker(spk, best_spk):
                right += 1
            elif spk is not None:
                wrong += 1
        elif spk is not None:
            wrong += 1
    n_gold = len(gold_quotes)
    qp = right / (right + wrong) if right + wrong else 0.0
    qr = correct / n_gold if n_gold else 0.0
    qf = 2 * qp * qr / (qp + qr) if qp + qr else 0.0
    if n_gold == 0 and wrong == 0:
        qp = qr = qf = 1.0  # nothing to find and nothing asserted
    return {
        "entries": {
            "gold": len(gold_times),
            "predicted_timed": len(timed),
            "predicted_untimed": len(predicted) - len(timed),
            "aligned": len(pairs),
            "recall": len(pairs) / len(gold_times) if gold_times else 0.0,
            "precision": len(pairs) / len(timed) if timed else 0.0,
        },
        "speakers": {"precision": sp, "recall": sr, "f1": sf},
        "quotes": {
            "gold": n_gold,
            "predicted": len(pred_quotes),
            "found": found,
            "extraction_recall": found / n_gold if n_gold else 0.0,
            "extraction_precision": extracted_ok / len(pred_quotes) if pred_quotes else 0.0,
            "attribution_accuracy": correct / found if found else 0.0,
            "precision": qp,
            "recall": qr,
            "f1": qf,
        },
        "misses": misses,
    }
