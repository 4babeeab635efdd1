"""The readable live view of a replay: entries as they arrive, quotes coloured by speaker."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import BaseModel

    from streams.runtime.embedded.runner import RunStats

from rich.console import Console

__all__ = ["LiveView"]

_COLOURS = ["cyan", "magenta", "green", "yellow", "blue", "red", "bright_cyan", "bright_magenta"]


class LiveView:
    """Prints each record; `quiet` prints nothing per entry (a progress bar shows instead)."""

    def __init__(self, console: Console, *, quiet: bool = False) -> None:
        self.console = console
        self.quiet = quiet
        self.colours: dict[str, str] = {}

    def colour(self, speaker_id: str) -> str:
        if speaker_id not in self.colours:
            self.colours[speaker_id] = _COLOURS[len(self.colours) % len(_COLOURS)]
        return self.colours[speaker_id]

    def __call__(self, record: BaseModel) -> None:
        from rich.text import Text

        from schemas.events import DeadLetter, EnrichedEntry

        if self.quiet:
            return
        if isinstance(record, DeadLetter):
            self.console.print(Text(f"dead letter ({record.stage}): {record.reason}", style="red"))
            return
        if not isinstance(record, EnrichedEntry):
            return
        when = record.published_at.strftime("%H:%M") if record.published_at else "--:--"
        line = Text(when, style="bold")
        if record.headline:
            line.append("  " + record.headline, style="bold underline")
        if record.speakers:
            line.append("  [" + ", ".join(s.name for s in record.speakers) + "]", style="dim")
        self.console.print(line)
        if not record.quotes:
            body = record.body if len(record.body) <= 160 else record.body[:157] + "..."
            self.console.print(Text("   " + body, style="dim"))
        for quote in record.quotes:
            text = Text("   “" + quote.text + "”  ")
            if quote.speaker is not None:
                text.append(
                    "— " + quote.speaker.name, style=f"bold {self.colour(quote.speaker.id)}"
                )
                text.append(f" ({quote.method}, {quote.confidence:.2f})", style="dim")
            else:
                text.append("— unattributed", style="dim italic")
            self.console.print(text)

    def summary(self, stats: RunStats) -> None:
        from rich.table import Table

        table = Table(title="Speakers", show_lines=False)
        table.add_column("speaker")
        table.add_column("quotes", justify="right")
        for name, count in sorted(stats.speakers.items(), key=lambda kv: -kv[1]):
            table.add_row(name, str(count))
        self.console.print(table)
        self.console.print(
            f"{stats.entries} entries, {stats.quotes} quotes ({stats.attributed} attributed), "
            f"{stats.dead_letters} dead letters"
        )
