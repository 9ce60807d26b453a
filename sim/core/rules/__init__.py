"""The actors' monthly rules, compiled, one small function per rule (docs/architecture.md)."""
