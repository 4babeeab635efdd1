"""`liveblog eval GOLD PRED`: score a replay against gold labels; `liveblog eval-set DIR`: score
every blog of a set (text/ and gold/) in one process."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from streams.cli.shared import fail

if TYPE_CHECKING:
    pass


def register(app: typer.Typer) -> None:
    app.command("eval")(evaluate)
    app.command("eval-set")(evaluate_set)


def evaluate(
    gold: Path = typer.Argument(..., help="gold labels (JSON)"),
    predicted: Path = typer.Argument(..., help="output of `liveblog replay ... --output FILE`"),
    as_json: bool = typer.Option(False, "--json", help="print the whole result as JSON"),
    min_f1: float | None = typer.Option(None, help="exit 1 below this quote-speaker F1"),
) -> None:
    """Score entries, speakers and quote attribution; same figures as the shared score.py."""
    from streams.pipeline.evaluation import score

    try:
        gold_data = json.loads(gold.read_text(encoding="utf-8"))
        lines = predicted.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(f"cannot read input: {exc}")
    entries = []
    for n, line in enumerate(lines, 1):
        if line.strip():
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError as exc:
                fail(f"{predicted}:{n}: not JSON: {exc}", code=2)
    result = score(gold_data, entries)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        e, s, q = result["entries"], result["speakers"], result["quotes"]
        for miss in result["misses"]:
            typer.echo(f"  miss: {miss['quote'][:60]!r} want {miss['want']} got {miss['got']}")
        typer.echo(
            f"entries  aligned {e['aligned']}/{e['gold']} (predicted {e['predicted_timed']} "
            f"timed, {e['predicted_untimed']} untimed)"
        )
        typer.echo(f"speakers P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f}")
        typer.echo(
            f"quotes   found {q['found']}/{q['gold']} extraction P "
            f"{q['extraction_precision']:.3f} attribution acc {q['attribution_accuracy']:.3f}"
        )
        typer.echo(f"quote-speaker F1 {q['f1']:.3f} (P {q['precision']:.3f} R {q['recall']:.3f})")
    if min_f1 is not None and result["quotes"]["f1"] < min_f1:
        raise typer.Exit(1)


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def evaluate_set(
    directory: Path = typer.Argument(..., help="folder with text/ and gold/ (one JSON per blog)"),
    as_json: bool = typer.Option(False, "--json", help="print rows and means as JSON"),
) -> None:
    """Replay and score every gold file's blog in one process; means per language."""
    from streams.cli import evalset
    from streams.cli.shared import start

    if not (directory / "gold").is_dir():
        fail(f"{directory}: no gold/ folder (expected gold/*.json and text/)", code=2)
    settings = start()
    rows, means = evalset.evaluate_set(directory, settings)
    if as_json:
        typer.echo(json.dumps(evalset.to_json(rows, means), ensure_ascii=False, indent=2))
        return
    width = max([len(r.name) for r in rows] + [4])
    typer.echo(f"{'blog':<{width}}  lang  entries  quote-F1  speaker-F1")
    for r in rows:
        line = (
            f"{r.name:<{width}}  {r.language or '-':<4}  "
            f"{f'{r.aligned}/{r.gold_entries}':>7}  {_f(r.quote_f1):>8}  {_f(r.speaker_f1):>10}"
        )
        typer.echo(line + (f"  ({r.error})" if r.error else ""))
    for m in means:
        typer.echo(
            f"mean {m.language or '-'} ({m.blogs} blogs): quote-speaker F1 {_f(m.quote_f1)}, "
            f"speaker F1 {_f(m.speaker_f1)}"
        )
