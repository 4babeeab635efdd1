"""The `liveblog` command line: one Typer app, one module per group of commands.

The command modules import only Typer, Rich and the standard library at module level; each
command imports the stages, connectors and runtimes it needs when it runs, so `liveblog --help`
starts fast (`python -m bench cli`).
"""

from __future__ import annotations

import sys

import typer

from schemas.exceptions import LiveblogError
from streams.cli import connect, evaluate, export, replay, subscribe, worker
from streams.cli.shared import fail

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
connect.register(app)
worker.register(app)
subscribe.register(app)
app.add_typer(export.app, name="schemas")


def main() -> None:
    """Console entry point: library errors become one line and a non-zero exit."""

    try:
        app()
    except LiveblogError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        sys.exit(130)
