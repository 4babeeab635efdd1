"""Live sources over HTTP: polite fetching, the live-page poller, feeds and page extractors."""
