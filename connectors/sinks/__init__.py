"""Sinks that store or deliver: SQLite, PostgreSQL, JSONL, the feed log, alert lines, delivery,
the Kafka reader and the consumer that feeds the storage sinks."""
