"""Plumbing every JAMS service stands on: bus, outbox, inbox, stores, settings, runtime, CLI."""
