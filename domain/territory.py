"""The precinct's territory (kecamatan and kelurahan) loaded from ``config/territory.toml``.

Officers are bound to the kelurahan they serve (their wilayah binaan); reports and complaints
are filed under a kelurahan code; a pin is matched to the nearest kelurahan centre. The codes
are Kemendagri's (``75.71.02.1020``): a kelurahan's code starts with its kecamatan's, which
starts with the region's, so a code outside its parent is refused at start-up.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from domain.configfile import ConfigFileError, load_model

REGION_CODE = re.compile(r"[0-9]{2}\.[0-9]{2}")
KECAMATAN_CODE = re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}")
KELURAHAN_CODE = re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}")
EARTH_RADIUS_KM = 6371.0
NEAREST_WITHIN_KM = 5.0
"""A pin farther than this from every centre is outside the territory: no kelurahan is
suggested (a kelurahan of Kota Gorontalo is 1-3 km across)."""


class TerritoryError(ConfigFileError):
    """The territory file is unreadable or inconsistent; the message names file and field."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Kelurahan(_Frozen):
    """A kelurahan or desa with its approximate centre (WGS 84 degrees)."""

    code: str
    name: str = Field(min_length=1, max_length=60)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class Kecamatan(_Frozen):
    """A kecamatan and its kelurahan, in the file's order."""

    code: str
    name: str = Field(min_length=1, max_length=60)
    kelurahan: tuple[Kelurahan, ...] = Field(min_length=1)


class Territory(_Frozen):
    """The region (a kota or kabupaten) and its kecamatan."""

    code: str
    name: str = Field(min_length=1, max_length=60)
    kecamatan: tuple[Kecamatan, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _codes(self) -> Territory:
        if not REGION_CODE.fullmatch(self.code):
            raise ValueError(f"code: {self.code!r} is not a region code like '75.71'")
        seen: dict[str, str] = {}

        def claim(code: str, where: str) -> None:
            if code in seen:
                raise ValueError(f"{where}: duplicate code {code!r} (also at {seen[code]})")
            seen[code] = where

        for index, kecamatan in enumerate(self.kecamatan):
            where = f"kecamatan.{index}.code"
            if not KECAMATAN_CODE.fullmatch(kecamatan.code) or not kecamatan.code.startswith(
                self.code + "."
            ):
                raise ValueError(
                    f"{where}: unknown code {kecamatan.code!r}: not a kecamatan of {self.code}"
                )
            claim(kecamatan.code, where)
            for position, kelurahan in enumerate(kecamatan.kelurahan):
                inner = f"kecamatan.{index}.kelurahan.{position}.code"
                if not KELURAHAN_CODE.fullmatch(kelurahan.code) or not kelurahan.code.startswith(
                    kecamatan.code + "."
                ):
                    raise ValueError(
                        f"{inner}: unknown code {kelurahan.code!r}:"
                        f" not a kelurahan of kecamatan {kecamatan.code}"
                    )
                claim(kelurahan.code, inner)
        return self

    def all_kelurahan(self) -> tuple[Kelurahan, ...]:
        """Every kelurahan, kecamatan by kecamatan in the file's order."""
        return tuple(k for kecamatan in self.kecamatan for k in kecamatan.kelurahan)

    def has(self, code: str) -> bool:
        """Whether ``code`` names a kelurahan of the territory."""
        return any(k.code == code for k in self.all_kelurahan())

    def has_kecamatan(self, code: str) -> bool:
        """Whether ``code`` names a kecamatan of the territory."""
        return any(k.code == code for k in self.kecamatan)

    def kelurahan_of(self, code: str) -> Kelurahan:
        """The kelurahan with this code (KeyError when unknown)."""
        for kelurahan in self.all_kelurahan():
            if kelurahan.code == code:
                return kelurahan
        raise KeyError(code)

    def kecamatan_of(self, code: str) -> Kecamatan:
        """The kecamatan with this code, or the one holding the kelurahan with this code."""
        for kecamatan in self.kecamatan:
            if kecamatan.code == code or any(k.code == code for k in kecamatan.kelurahan):
                return kecamatan
        raise KeyError(code)

    def name_of(self, code: str) -> str:
        """A kelurahan's name, or the code itself when the territory no longer knows it."""
        return self.kelurahan_of(code).name if self.has(code) else code

    def ordered(self, codes: Iterable[str]) -> tuple[str, ...]:
        """Known ``codes`` in territory order (unknown ones left out), each once."""
        wanted = set(codes)
        return tuple(k.code for k in self.all_kelurahan() if k.code in wanted)

    def toggled(self, picked: Iterable[str], code: str) -> list[str]:
        """``picked`` with kelurahan ``code`` added or removed, in territory order."""
        return list(self.ordered(set(picked) ^ {code}))

    def nearest(self, lat: float, lon: float, *, within_km: float = NEAREST_WITHIN_KM
                ) -> Kelurahan | None:
        """The kelurahan whose centre is nearest to the point, None when none is within reach."""
        best: tuple[float, Kelurahan] | None = None
        for kelurahan in self.all_kelurahan():
            distance = distance_km(lat, lon, kelurahan.lat, kelurahan.lon)
            if best is None or distance < best[0]:
                best = (distance, kelurahan)
        if best is None or best[0] > within_km:
            return None
        return best[1]


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) between two points in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class KecamatanGroup:
    """Codes of one kecamatan, for listings grouped by kecamatan."""

    kecamatan: Kecamatan
    codes: tuple[str, ...]


def grouped(territory: Territory, codes: Iterable[str]) -> list[KecamatanGroup]:
    """Known ``codes`` grouped by kecamatan, both in territory order."""
    wanted = set(codes)
    groups = []
    for kecamatan in territory.kecamatan:
        inside = tuple(k.code for k in kecamatan.kelurahan if k.code in wanted)
        if inside:
            groups.append(KecamatanGroup(kecamatan, inside))
    return groups


def _describe(error: ValidationError, raw: Mapping[str, Any]) -> list[str]:
    """``where: what``; a rule across entries names its field itself."""
    problem = error.errors()[0]
    message = problem["msg"].removeprefix("Value error, ")
    where = ".".join(str(part) for part in problem["loc"])
    return [f"{where}: {message}" if where else message]


def load_territory(path: Path) -> Territory:
    """Load and validate the territory file; errors name the file and the field."""
    return load_model(path, Territory, TerritoryError, describe=_describe)
