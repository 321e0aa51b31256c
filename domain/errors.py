"""The one error for input a person can fix: a message-catalogue key and its placeholders.

Every parser that reads what someone typed or tapped (the report form, registration, /tugas,
typed date ranges) raises :class:`InputError`; the handler that asked replies with
``texts(language, error.key, **error.params)``. Plain Python, no Telegram.
"""

from __future__ import annotations


class InputError(ValueError):
    """Input that cannot be accepted; ``key`` and ``params`` make the reply that says why."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key, params)
        self.key = key
        self.params: dict[str, object] = params

    def __str__(self) -> str:
        return f"{self.key} {self.params}" if self.params else self.key
