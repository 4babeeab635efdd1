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


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            release = version("liveblog")
        except PackageNotFoundError:
            release = "unknown"
        sys.stdout.write(f"liveblog {release}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="print the version and exit"
    ),
) -> None:
    """Streaming processor for news live blogs: parse, attribute and enrich entries per blog.

    A filter or other argument that starts with `-` (`-veto`) goes after `--`:
    `liveblog subscribe check -- '-veto kind:entry'`.
    """


def main(argv: list[str] | None = None) -> None:
    """Console entry point: usage errors and library errors become one line on stderr and a
    non-zero exit (2 for a bad flag or argument, 1 for a failure), never a traceback."""
    # Typer ships its own copy of Click: its exceptions are these
    from typer._click import exceptions as click

    try:
        code = app(args=argv, standalone_mode=False)
    except click.NoArgsIsHelpError as exc:
        if exc.ctx is not None:
            sys.stdout.write(exc.ctx.get_help() + "\n")
        sys.exit(2)
    except click.UsageError as exc:
        where = f"{exc.ctx.command_path}: " if exc.ctx is not None else ""
        fail(where + " ".join(exc.format_message().split()), 2)
    except click.ClickException as exc:
        fail(exc.format_message(), exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        sys.exit(130)
    except LiveblogError as exc:
        fail(str(exc))
    except OSError as exc:  # a file or socket the user named: say which, no traceback
        fail(f"{exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}")
    if isinstance(code, int) and code:  # `typer.Exit(code)` comes back as the return value
        sys.exit(code)
