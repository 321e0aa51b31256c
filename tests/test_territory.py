"""The territory file: Kota Gorontalo's kecamatan and kelurahan, validated at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.territory import TerritoryError, distance_km, load_territory
from tests.conftest import TOKEN
from tests.support.processes import ROOT, python_path_env, run_bot

TERRITORY = ROOT / "config" / "territory.toml"


def test_the_shipped_territory_is_kota_gorontalo():
    territory = load_territory(TERRITORY)
    assert territory.code == "75.71"
    assert [k.name for k in territory.kecamatan] == [
        "Kota Barat", "Kota Selatan", "Kota Utara", "Dungingi", "Kota Timur", "Kota Tengah",
        "Sipatana", "Dumbo Raya", "Hulonthalangi",
    ]
    assert len(territory.all_kelurahan()) == 50
    assert territory.kelurahan_of("75.71.02.1020").name == "Limba U II"
    assert territory.kecamatan_of("75.71.02.1020").name == "Kota Selatan"


def test_a_pin_is_matched_to_the_nearest_centre():
    territory = load_territory(TERRITORY)
    limba = territory.kelurahan_of("75.71.02.1020")
    # 150 m north-east of the centre of Limba U II, nearer to it than to any other centre
    found = territory.nearest(limba.lat + 0.001, limba.lon + 0.001)
    assert found is not None
    assert found.code == limba.code
    others = [k for k in territory.all_kelurahan() if k.code != limba.code]
    here = (limba.lat + 0.001, limba.lon + 0.001)
    assert all(distance_km(*here, k.lat, k.lon) > distance_km(*here, limba.lat, limba.lon)
               for k in others)
    assert territory.nearest(-6.2, 106.8) is None  # Jakarta is outside the territory


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = TERRITORY.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "territory.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_an_unknown_code_names_file_and_field(tmp_path: Path):
    # A kelurahan of Kota Selatan filed under Kota Barat: its code is not one of Kota Barat's.
    path = _broken(tmp_path, 'code = "75.71.01.1002"', 'code = "75.71.02.1002"')
    with pytest.raises(TerritoryError) as caught:
        load_territory(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: kecamatan.0.kelurahan.1.code: unknown code")
    assert "75.71.02.1002" in message


def test_a_duplicate_code_names_file_and_field(tmp_path: Path):
    path = _broken(tmp_path, 'code = "75.71.01.1002"', 'code = "75.71.01.1001"')
    with pytest.raises(TerritoryError) as caught:
        load_territory(path)
    assert str(caught.value) == (
        f"{path}: kecamatan.0.kelurahan.1.code: duplicate code '75.71.01.1001'"
        " (also at kecamatan.0.kelurahan.0.code)"
    )


def test_a_missing_centre_names_the_field(tmp_path: Path):
    path = _broken(tmp_path, "lat = 0.555\n", "")
    with pytest.raises(TerritoryError, match=r"kecamatan\.0\.kelurahan\.1\.lat: Field required"):
        load_territory(path)


@pytest.mark.parametrize(("old", "new", "field"), [
    ('code = "75.71.03.1003"', 'code = "75.71.09.1003"', "kecamatan.2.kelurahan.0.code"),
    ('code = "75.71.03.1003"', 'code = "75.71.01.1001"', "kecamatan.2.kelurahan.0.code"),
])
async def test_a_bad_territory_file_stops_start_up(tmp_path: Path, old: str, new: str,
                                                   field: str):
    path = _broken(tmp_path, old, new)
    env = python_path_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TERRITORY_FILE=str(path))
    code, output = await run_bot(env, tmp_path)
    assert code != 0
    assert f"configuration error: {path}: {field}: " in output
    assert "Traceback" not in output
