"""The message catalogue: every user-facing text, Indonesian first, English complete.

Texts live in ``ui/locales/<part>.<language>.toml`` as nested tables; keys are flattened to
dotted names (``registration.ask_name``). Placeholders use ``str.format`` syntax.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from string import Formatter
from typing import Any

from domain.configfile import ConfigFileError, read_toml

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"


class CatalogueError(ConfigFileError):
    """The message catalogue is incomplete or inconsistent."""


def _flatten(prefix: str, table: Mapping[str, Any], into: dict[str, str], source: Path) -> None:
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping):
            _flatten(name, value, into, source)
        elif isinstance(value, str):
            if name in into:
                raise CatalogueError(f"{source}: key {name!r} defined twice")
            into[name] = value
        else:
            raise CatalogueError(f"{source}: key {name!r} must be text")


def placeholders(text: str) -> frozenset[str]:
    """The names of the ``{placeholders}`` in a text."""
    return frozenset(field for _, field, _, _ in Formatter().parse(text) if field)


class Translator:
    """Looks up texts by key and language."""

    def __init__(self, texts: Mapping[str, Mapping[str, str]], default_language: str) -> None:
        self._texts = texts
        self.default_language = default_language

    @classmethod
    def load(cls, directory: Path = LOCALES_DIR, default_language: str = DEFAULT_LANGUAGE) -> (
        Translator
    ):
        """Read every locale file and check that both languages have the same keys."""
        texts: dict[str, dict[str, str]] = {language: {} for language in LANGUAGES}
        for path in sorted(directory.glob("*.toml")):
            language = path.suffixes[-2].lstrip(".") if len(path.suffixes) >= 2 else ""
            if language not in texts:
                raise CatalogueError(f"{path}: name must end in .id.toml or .en.toml")
            _flatten("", read_toml(path, CatalogueError), texts[language], path)
        translator = cls(texts, default_language)
        problems = translator.problems()
        if problems:
            raise CatalogueError("; ".join(problems[:10]))
        return translator

    def problems(self) -> list[str]:
        """Keys missing in a language, or whose placeholders differ between languages."""
        found: list[str] = []
        reference = self._texts[DEFAULT_LANGUAGE]
        for language in LANGUAGES:
            other = self._texts[language]
            for key in sorted(set(reference) ^ set(other)):
                missing_in = language if key in reference else DEFAULT_LANGUAGE
                found.append(f"key {key!r} is missing in {missing_in!r}")
            for key in sorted(set(reference) & set(other)):
                if placeholders(reference[key]) != placeholders(other[key]):
                    found.append(f"key {key!r} has different placeholders in {language!r}")
        return found

    def has(self, key: str) -> bool:
        """Whether the catalogue has this key."""
        return key in self._texts[DEFAULT_LANGUAGE]

    def __call__(self, language: str | None, key: str, /, **params: object) -> str:
        """The text for ``key`` in ``language`` with ``params`` filled in."""
        table = self._texts.get(language or self.default_language) or self._texts[
            self.default_language
        ]
        try:
            template = table[key]
        except KeyError:
            raise KeyError(f"message key {key!r} is not in the catalogue") from None
        return template.format(**params) if params else template
