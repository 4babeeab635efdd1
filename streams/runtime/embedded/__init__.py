"""The embedded runtime: the stages in one process, without a broker (replay, live session)."""
