"""liveblog connectors: sources that push entries and sinks that store or deliver them."""
