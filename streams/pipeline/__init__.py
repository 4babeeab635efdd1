"""The pure stages of an entry: parse, attribute (`streams.attribution`), enrich, chained by
`process` with a blog's state; the dead-letter builder and the gold-label scorer."""

from streams.pipeline.chain import BlogState, Extra, process

__all__ = ["BlogState", "Extra", "process"]
