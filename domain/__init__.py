"""Plain-Python domain logic: no Telegram, no SQL."""
