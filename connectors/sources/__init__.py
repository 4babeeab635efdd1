"""Sources that push entries: files, live pages and feeds over HTTP, push ingest, the producer."""
