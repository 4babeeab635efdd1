"""The `liveblog` command line: one Typer app, one module per group of commands."""

from __future__ import annotations

import sys

import typer

from schemas.exceptions import LiveblogError
from streams.cli import connect_cmds, evaluate, kafka_cmds, replay, schemas_cmd, subscribe_cmds
from streams.cli._common import fail

__all__ = ["app", "main"]

app = typer.Typer(
    name="liveblog",
    help="Streaming processor for news live blogs: parse, attribute and enrich entries per blog.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
replay.register(app)
evaluate.register(app)
connect_cmds.register(app)
kafka_cmds.register(app)
subscribe_cmds.register(app)
app.add_typer(schemas_cmd.app, name="schemas")


def main() -> None:
    """Console entry point: library errors become one line and a non-zero exit."""
    try:
        app()
    except LiveblogError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        sys.exit(130)
