"""The official Bot API spec, machine-readable, as the judge of calls, results and updates.

A copy of the spec (``tests/data/bot_api_spec.json``, its version inside) says which methods
exist, which parameters each takes and of what type, and every field of every object. With a
spec attached, the emulator refuses a call as Telegram would (a required parameter missing, a
value of the wrong type, a value outside the allowed ones) and notes everything that is not an
error on Telegram but is a mistake all the same: a parameter Telegram silently ignores (a typo
the bot would never notice), or a result or update it produced that is not shaped as the spec
says (the emulator lying to the bot).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from emulator.rules import CHAT_ACTIONS, ERR_TEXT_EMPTY, ERR_WRONG_ACTION, bad_request

Json = dict[str, Any]

DEFAULT_SPEC = Path(__file__).resolve().parent.parent / "tests" / "data" / "bot_api_spec.json"
"""Where the repository keeps its copy."""

PARSE_MODES = frozenset({"HTML", "MarkdownV2", "Markdown"})

_EMPTY_MESSAGES = {"text": ERR_TEXT_EMPTY}
# Discriminator wording in the spec: 'Scope type, must be default', 'always "left"'.
_DISCRIMINATOR = re.compile(r'(?:must be|always) [“"]?([a-z_]+)[”"]?')


@dataclass(frozen=True)
class Param:
    """One parameter of a method (or field of an object) as the spec describes it."""

    name: str
    types: tuple[str, ...]
    required: bool
    description: str


@dataclass
class BotApiSpec:
    """Methods and types of one Bot API version, with the checks the emulator applies."""

    version: str
    methods: dict[str, dict[str, Param]]
    returns: dict[str, tuple[str, ...]]
    types: dict[str, dict[str, Param]]
    subtypes: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BotApiSpec:
        """Build from the spec's JSON (``methods`` and ``types`` keyed by name)."""

        def params(entry: Mapping[str, Any]) -> dict[str, Param]:
            return {
                f["name"]: Param(f["name"], tuple(f["types"]), bool(f["required"]),
                                 f.get("description", ""))
                for f in entry.get("fields", [])
            }

        return cls(
            version=str(data["version"]),
            methods={name: params(m) for name, m in data["methods"].items()},
            returns={name: tuple(m.get("returns", [])) for name, m in data["methods"].items()},
            types={name: params(t) for name, t in data["types"].items()},
            subtypes={
                name: tuple(t["subtypes"]) for name, t in data["types"].items() if "subtypes" in t
            },
        )

    # ---- calls ---------------------------------------------------------------------------

    def check_call(
        self, method: str, values: Mapping[str, str], files: Mapping[str, object]
    ) -> list[str]:
        """Refuse a call Telegram refuses; return what Telegram would let pass but ignore.

        Raises ``BotAPIError`` (400) for a missing required parameter, a value of the wrong
        type and a value outside the allowed set. Returns the notes: parameters the method does
        not have (Telegram ignores them) and object parameters not shaped as the spec says.
        """
        params = self.methods.get(method)
        if params is None:
            return [f"{method}: not a Bot API {self.version} method"]
        notes: list[str] = []
        for name, param in params.items():
            present = name in values or name in files
            if param.required and not present:
                raise bad_request(_EMPTY_MESSAGES.get(name, f"Bad Request: {name} is empty"))
        for name, raw in values.items():
            known = params.get(name)
            if known is None:
                notes.append(f"{method}: unknown parameter {name!r} (Telegram ignores it)")
                continue
            notes.extend(self._check_value(method, known, raw, files))
        for name in files:
            if name not in params and not any(
                v == f"attach://{name}" or f"attach://{name}" in v for v in values.values()
            ):
                notes.append(f"{method}: uploaded part {name!r} is not used")
        return notes

    def _check_value(
        self, method: str, param: Param, raw: str, files: Mapping[str, object]
    ) -> list[str]:
        where = f"{method}.{param.name}"
        for type_name in param.types:
            if _scalar_fits(type_name, raw):
                return _allowed(where, param.name, raw)
        objects = [t for t in param.types if t not in _SCALARS]
        if not objects:
            raise bad_request(f"Bad Request: invalid {param.name} specified")
        try:
            value = json.loads(raw)
        except ValueError:
            raise bad_request(f"Bad Request: can't parse {param.name} JSON object") from None
        if param.name == "allowed_updates":
            unknown = set(value) - set(self.types["Update"]) if isinstance(value, list) else set()
            if not isinstance(value, list) or unknown or "update_id" in value:
                raise bad_request("Bad Request: can't parse allowed_updates JSON object")
        best: list[str] | None = None
        for type_name in objects:
            problems = self.check_value(type_name, value, where)
            if not problems:
                return []
            if best is None or len(problems) < len(best):
                best = problems
        return best or []

    # ---- objects -------------------------------------------------------------------------

    def check_value(self, type_name: str, value: Any, where: str) -> list[str]:
        """Problems with ``value`` as an instance of the spec type ``type_name`` (none: fits)."""
        if type_name.startswith("Array of "):
            if not isinstance(value, list):
                return [f"{where}: expected {type_name}, got {type(value).__name__}"]
            inner = type_name.removeprefix("Array of ")
            found: list[str] = []
            for index, item in enumerate(value):
                found.extend(self.check_value(inner, item, f"{where}[{index}]"))
            return found
        if type_name in _SCALARS:
            return [] if _json_fits(type_name, value) else [
                f"{where}: expected {type_name}, got {value!r:.60}"]
        if type_name in self.subtypes:
            return self._check_union(type_name, value, where)
        fields = self.types.get(type_name)
        if fields is None:
            return [f"{where}: {type_name} is not a Bot API type"]
        if not isinstance(value, dict):
            return [f"{where}: expected {type_name} object, got {type(value).__name__}"]
        problems: list[str] = []
        for name, spec_field in fields.items():
            if spec_field.required and name not in value:
                problems.append(f"{where}: {type_name} lacks required field {name!r}")
        for name, item in value.items():
            described = fields.get(name)
            if described is None:
                problems.append(f"{where}: {type_name} has no field {name!r}")
                continue
            problems.extend(self._check_field(described, item, f"{where}.{name}"))
        return problems

    def _check_field(self, spec_field: Param, value: Any, where: str) -> list[str]:
        best: list[str] | None = None
        for type_name in spec_field.types:
            problems = self.check_value(type_name, value, where)
            if not problems:
                return _check_choice(spec_field, value, where)
            if best is None or len(problems) < len(best):
                best = problems
        return best or []

    def _check_union(self, type_name: str, value: Any, where: str) -> list[str]:
        best: list[str] | None = None
        for subtype in self.subtypes[type_name]:
            problems = self.check_value(subtype, value, where)
            if not problems:
                return []
            if best is None or len(problems) < len(best):
                best = problems
        return [f"{where}: fits no {type_name} ({'; '.join(best or [])})"]

    def check_result(self, method: str, result: Any) -> list[str]:
        """Problems with a method's result as the spec says it returns."""
        returns = self.returns.get(method, ())
        best: list[str] | None = None
        for type_name in returns:
            problems = self.check_value(type_name, result, f"{method}()")
            if not problems:
                return []
            if best is None or len(problems) < len(best):
                best = problems
        return best or []


def _check_choice(spec_field: Param, value: Any, where: str) -> list[str]:
    """A ``type``/``status`` field whose description fixes or lists its values."""
    if spec_field.name not in _CHOICE_FIELDS or not isinstance(value, str):
        return []
    text = spec_field.description
    fixed = _DISCRIMINATOR.search(text)
    if fixed and value != fixed.group(1):
        return [f"{where}: must be {fixed.group(1)!r}, got {value!r}"]
    if "can be" in text:
        choices = set(_QUOTED.findall(text))
        if choices and value not in choices:
            return [f"{where}: {value!r} is none of {sorted(choices)}"]
    return []


_CHOICE_FIELDS = frozenset({"type", "status", "source"})
_QUOTED = re.compile(r'[“"]([a-z_]+)[”"]')
_SCALARS = frozenset({"Integer", "Float", "String", "Boolean", "True", "InputFile"})


def _scalar_fits(type_name: str, raw: str) -> bool:
    """Whether a form-encoded value reads as that scalar type (as Telegram reads it)."""
    if type_name == "String":
        return True
    if type_name == "Integer":
        return re.fullmatch(r"[+-]?\d+", raw.strip()) is not None
    if type_name == "Float":
        try:
            float(raw)
        except ValueError:
            return False
        return True
    if type_name in ("Boolean", "True"):
        return raw.lower() in ("true", "false", "1", "0")
    return False


def _json_fits(type_name: str, value: Any) -> bool:
    if type_name == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if type_name == "String":
        return isinstance(value, str)
    if type_name == "Boolean":
        return isinstance(value, bool)
    if type_name == "True":
        return value is True
    return type_name == "InputFile" and isinstance(value, str)


def _allowed(where: str, name: str, raw: str) -> list[str]:
    """Values outside the set the spec's text allows are refused as Telegram refuses them."""
    if name == "parse_mode" and raw and raw not in PARSE_MODES:
        raise bad_request(f"Bad Request: unsupported parse_mode {raw!r}")
    if where == "sendChatAction.action" and raw not in CHAT_ACTIONS:
        raise bad_request(ERR_WRONG_ACTION)
    return []


@cache
def load_spec(path: Path = DEFAULT_SPEC) -> BotApiSpec:
    """The spec at ``path``, read once per process."""
    return BotApiSpec.from_json(json.loads(path.read_text(encoding="utf-8")))
