"""The embedded runtime: the stages in one process, without a broker (`liveblog replay`).

The live session (runner + alerts + web page) composes it with the web app, so it sits above it,
in `streams.web.live`."""
