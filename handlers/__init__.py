"""Thin Telegram handlers: parse the update, call domain code, render the reply."""
