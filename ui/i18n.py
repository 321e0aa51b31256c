"""The message catalogue: every user-facing text, Indonesian first, English complete.

Texts live in ``ui/locales/<part>.<language>.toml`` as nested tables; keys are flattened to
dotted names (``registration.ask_name``). Placeholders use ``str.format`` syntax.

Plural forms: an entry may be a table of forms instead of a text, chosen by a number among the
parameters (``count`` unless the table names another with ``by``)::

    photo_count = { one = "{count} photo", other = "{count} photos" }
    pages = { by = "pages", one = "1 page", other = "{pages} pages" }

English picks ``one`` for exactly 1 and ``other`` for every other number; Indonesian has no
plural (``3 foto``), so its entries stay plain texts. A language whose entry has no ``one``
form always uses ``other``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from string import Formatter
from typing import Any

from domain.configfile import ConfigFileError, read_toml

PLURAL_FORMS = frozenset({"one", "other"})
PLURAL_KEYS = PLURAL_FORMS | {"by"}
DEFAULT_COUNT = "count"


class Plural(dict[str, str]):
    """An entry's plural forms (``one``, ``other``) and the parameter that chooses (``by``)."""

    @property
    def by(self) -> str:
        """The parameter holding the number."""
        return self.get("by", DEFAULT_COUNT)

    def choose(self, params: Mapping[str, object]) -> str:
        """The form for the number in ``params``: ``one`` for exactly 1, else ``other``."""
        number = params.get(self.by)
        if number == 1 and "one" in self and not isinstance(number, bool):
            return self["one"]
        return self["other"]


def _is_plural(table: Mapping[str, Any]) -> bool:
    return "other" in table and set(table) <= PLURAL_KEYS and all(
        isinstance(value, str) for value in table.values())

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"


class CatalogueError(ConfigFileError):
    """The message catalogue is incomplete or inconsistent."""


Entry = str | Plural


def _flatten(prefix: str, table: Mapping[str, Any], into: dict[str, Entry],
             source: Path) -> None:
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping) and not _is_plural(value):
            _flatten(name, value, into, source)
        elif isinstance(value, str | Mapping):
            if name in into:
                raise CatalogueError(f"{source}: key {name!r} defined twice")
            into[name] = value if isinstance(value, str) else Plural(value)
        else:
            raise CatalogueError(f"{source}: key {name!r} must be text")


def placeholders(text: str) -> frozenset[str]:
    """The names of the ``{placeholders}`` in a text."""
    return frozenset(field for _, field, _, _ in Formatter().parse(text) if field)


def _entry_placeholders(entry: Entry) -> frozenset[str]:
    """What an entry fills in: its text's, or its ``other`` form's (``one`` may say "1")."""
    return placeholders(entry["other"] if isinstance(entry, Plural) else entry)


def _plural_problems(key: str, language: str, entry: Entry) -> list[str]:
    if not isinstance(entry, Plural):
        return []
    found = []
    other = placeholders(entry["other"])
    if entry.by not in other:
        found.append(f"key {key!r} in {language!r} has no {{{entry.by}}} to choose its form")
    if "one" in entry and not placeholders(entry["one"]) <= other:
        found.append(f"key {key!r} in {language!r}: form 'one' has placeholders 'other' lacks")
    return found


class Translator:
    """Looks up texts by key and language."""

    def __init__(self, texts: Mapping[str, Mapping[str, Entry]], default_language: str) -> None:
        self._texts = texts
        self.default_language = default_language

    @classmethod
    def load(cls, directory: Path = LOCALES_DIR, default_language: str = DEFAULT_LANGUAGE) -> (
        Translator
    ):
        """Read every locale file and check that both languages have the same keys."""
        texts: dict[str, dict[str, Entry]] = {language: {} for language in LANGUAGES}
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
                if _entry_placeholders(reference[key]) != _entry_placeholders(other[key]):
                    found.append(f"key {key!r} has different placeholders in {language!r}")
                found.extend(_plural_problems(key, language, other[key]))
        return found

    def has(self, key: str) -> bool:
        """Whether the catalogue has this key."""
        return key in self._texts[DEFAULT_LANGUAGE]

    def __call__(self, language: str | None, key: str, /, **params: object) -> str:
        """The text for ``key`` in ``language`` with ``params`` filled in (the plural form
        their number calls for, where the entry has forms)."""
        table = self._texts.get(language or self.default_language) or self._texts[
            self.default_language
        ]
        try:
            entry = table[key]
        except KeyError:
            raise KeyError(f"message key {key!r} is not in the catalogue") from None
        template = entry.choose(params) if isinstance(entry, Plural) else entry
        return template.format(**params) if params else template
