"""One config loader: every TOML file (activities, organisation, schedule, the message
catalogue's locales) is read, validated and reported the same way: ``file: field: what``
(#17 item 2)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import BaseModel

from domain.catalogue import CatalogueError, load_catalogue
from domain.configfile import ConfigFileError, load_model
from domain.organisation import OrganisationError, load_organisation
from domain.schedule import ScheduleConfigError, load_schedule
from ui.i18n import CatalogueError as TextsError
from ui.i18n import Translator


def schedule(path: Path) -> object:
    return load_schedule(path, activities=["sapta"], units=["binkamsa"])


def texts(path: Path) -> object:
    return Translator.load(path.parent)


LOADERS: list[tuple[Callable[[Path], object], type[ConfigFileError], str]] = [
    (load_catalogue, CatalogueError, "activities.toml"),
    (load_organisation, OrganisationError, "organisation.toml"),
    (schedule, ScheduleConfigError, "schedule.toml"),
    (texts, TextsError, "x.id.toml"),
]


@pytest.mark.parametrize(("load", "error", "name"), LOADERS)
def test_a_file_that_is_not_toml_names_the_file(
    tmp_path: Path, load: Callable[[Path], object], error: type[ConfigFileError], name: str
):
    path = tmp_path / name
    path.write_text("[units\ncode = 'x'\n", encoding="utf-8")
    with pytest.raises(error) as caught:
        load(path)
    assert isinstance(caught.value, ConfigFileError)
    assert str(caught.value).startswith(f"{path}: not valid TOML: ")


@pytest.mark.parametrize(("load", "error", "name"), LOADERS[:3])
def test_a_missing_file_names_the_file(
    tmp_path: Path, load: Callable[[Path], object], error: type[ConfigFileError], name: str
):
    path = tmp_path / name
    with pytest.raises(error, match="file not found") as caught:
        load(path)
    assert str(caught.value) == f"{path}: file not found"


@pytest.mark.parametrize(
    ("load", "error", "text", "where"),
    [
        (load_organisation, OrganisationError, "units = 3\n", "precinct: Field required"),
        (schedule, ScheduleConfigError, "grace_minutes = -5\n", "grace_minutes: "),
        (load_catalogue, CatalogueError, "activities = []\nbogus = 1\n", "bogus: "),
    ],
)
def test_a_field_error_names_file_and_field(
    tmp_path: Path, load: Callable[[Path], object], error: type[ConfigFileError], text: str,
    where: str,
):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(error) as caught:
        load(path)
    assert all(line.startswith(f"{path}: ") for line in str(caught.value).splitlines())
    assert where in str(caught.value)


class Sample(BaseModel):
    """A model for the loader alone."""

    count: int


def test_the_loader_gives_the_model_or_says_where(tmp_path: Path):
    path = tmp_path / "sample.toml"
    path.write_text("count = 3\n", encoding="utf-8")
    assert load_model(path, Sample) == Sample(count=3)
    path.write_text('count = "many"\n', encoding="utf-8")
    with pytest.raises(ConfigFileError, match=r"sample.toml: count: Input should be"):
        load_model(path, Sample)
