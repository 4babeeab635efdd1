"""What every command shares: settings, logging, error exit."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, NoReturn

from rich.console import Console

if TYPE_CHECKING:
    from streams.core.settings import Settings


__all__ = ["check_port", "err_console", "fail", "start", "usage"]

err_console = Console(stderr=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """One line on stderr, then exit: no traceback for errors the user can act on."""
    first = message.strip().splitlines()[0] if message.strip() else "unknown error"
    sys.stderr.write(f"liveblog: error: {first}\n")
    sys.exit(code)


#: settings fields whose command-line flag has another name
_FLAGS = {
    "sink_batch_size": "--batch-size",
    "sink_group": "--group",
    "topic_prefix": "--prefix",
    "speakers_file": "--speakers",
    "web_host": "--host",
    "web_port": "--port",
    "worker_web": "--web",
    "poll_interval": "--interval",
}


def usage(message: str) -> NoReturn:
    """A bad flag or argument: one line, exit 2 (as for Click's own usage errors)."""
    fail(message, 2)


def start(**overrides: object) -> Settings:
    """The settings object of this run (environment, then flags), with logging configured."""
    from pydantic import ValidationError

    from streams.core.logging import configure_logging
    from streams.core.settings import Settings

    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        settings = Settings(**given)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first["loc"] else "setting"
        flag = _FLAGS.get(name, "--" + name.replace("_", "-"))
        where = flag if name in given else f"LIVEBLOG_{name.upper()}"
        usage(f"{where}: {first['msg']} (got {first.get('input')!r})")
    configure_logging(settings.log_level, settings.log_format)
    return settings


def check_port(host: str, port: int) -> None:
    """Exit 2 with one line when `host:port` cannot be bound (busy, or not an address here)."""
    import errno
    import socket

    if port == 0:
        return
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            why = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be bound: {exc}"
            fail(f"{host}:{port} {why}", 2)
