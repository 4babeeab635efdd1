"""`liveblog schemas export DIR`: one JSON Schema per event model."""

from __future__ import annotations

from pathlib import Path

import typer

from streams.cli.shared import usage

app = typer.Typer(help="Event schemas.", no_args_is_help=True)


@app.command("export")
def export(
    directory: Path = typer.Argument(..., help="where to write the *.schema.json files"),
) -> None:
    """Write a JSON Schema per event model (raw_entry, entry, quote, speaker, ...)."""
    from schemas.codec import export_json_schemas

    if directory.exists() and not directory.is_dir():
        usage(f"{directory} is a file: schemas export writes into a directory")
    for path in export_json_schemas(directory):
        typer.echo(str(path))
