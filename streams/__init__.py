"""liveblog stream processing: the pure stages, the embedded runner, the Faust app and the CLI."""

from streams.core.native import select

select()
