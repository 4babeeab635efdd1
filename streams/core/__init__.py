"""What every layer may import: settings, clock, time formats, logging, metrics, topic names,
text folding, the SQLite helper and the parsed-entry models. No connectors, no Faust, no Kafka."""
