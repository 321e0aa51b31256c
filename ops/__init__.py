"""Operator work on the data directory: backup, restore, the consistency check, pruning.

Below the features (the nightly jobs call it) and above storage; no Telegram here.
"""
