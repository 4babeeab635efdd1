"""`liveblog schemas export DIR`: one JSON Schema per event model."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    pass


app = typer.Typer(help="Event schemas.", no_args_is_help=True)


@app.command("export")
def export(
    directory: Path = typer.Argument(..., help="where to write the *.schema.json files"),
) -> None:
    """Write a JSON Schema per event model (raw_entry, entry, quote, speaker, ...)."""
    from schemas.codec import export_json_schemas

    for path in export_json_schemas(directory):
        typer.echo(str(path))
