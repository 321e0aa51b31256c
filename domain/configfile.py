"""Reading the TOML files in ``config/`` (and the message catalogue's) one way.

Load the file, validate it with its pydantic model, and when either fails raise an error whose
message starts with the file's path and names the field, so whoever edited the file can fix
it without reading code. The activity catalogue, the organisation, the schedule and the
locale files all come through here.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


class ConfigFileError(Exception):
    """A configuration file is unreadable or inconsistent; the message names file and field.

    Each file has its own subclass (``CatalogueError``, ``OrganisationError``, ...), so a
    test or the start-up can tell which file was wrong; catching this one catches them all.
    """


def read_toml(path: Path, error: type[ConfigFileError] = ConfigFileError) -> dict[str, Any]:
    """The file's tables; ``error`` (``path: file not found``, ``path: not valid TOML: ...``)."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as problem:
        raise error(f"{path}: not valid TOML: {problem}") from None


def first_problem(error: ValidationError, raw: Mapping[str, Any]) -> list[str]:
    """``where: what`` for the first problem pydantic found (``units.2.code: ...``)."""
    problem = error.errors()[0]
    where = ".".join(str(part) for part in problem["loc"]) or "(top level)"
    return [f"{where}: {problem['msg'].removeprefix('Value error, ')}"]


Describe = Callable[[ValidationError, Mapping[str, Any]], list[str]]
"""Turns a validation error (and the raw tables, for names) into lines without the path."""


def load_model(
    path: Path,
    model: type[Model],
    error: type[ConfigFileError] = ConfigFileError,
    *,
    describe: Describe = first_problem,
) -> Model:
    """The file validated as ``model``; ``error`` with one ``path: ...`` line per problem."""
    raw = read_toml(path, error)
    try:
        return model.model_validate(raw)
    except ValidationError as problem:
        lines = dict.fromkeys(describe(problem, raw))
        raise error("\n".join(f"{path}: {line}" for line in lines)) from None
