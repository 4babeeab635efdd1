"""The Kafka runtime: the Faust app, the worker and alert agents, in-flight and offset
bookkeeping."""
