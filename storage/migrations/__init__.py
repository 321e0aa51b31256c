"""Numbered, append-only SQL migrations."""
