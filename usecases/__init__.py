"""Use cases: one function per state change a person makes, owning its transaction and audit row.

Each checks the rule (domain), applies the change with its version check (storage) and writes
the audit row in the same transaction, then returns what happened as a value the feature
renders (``Moved`` or ``NotMoved``, ...). No Telegram here: tests call these directly.
"""
