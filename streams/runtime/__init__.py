"""The two runtimes that run the pure stages: `embedded` (no broker) and `kafka` (Faust)."""
