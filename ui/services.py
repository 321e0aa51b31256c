"""The services every handler needs, reachable from a typed context (no string keys)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram.ext import CallbackContext, ExtBot

from config.settings import Settings
from domain.catalogue import Catalogue
from domain.clock import Clock
from domain.organisation import Organisation
from domain.territory import Territory
from storage import AnyDatabase
from storage.photo_work import PhotoWork
from storage.photos import PhotoStore
from ui.i18n import Translator


@dataclass(frozen=True)
class Services:
    """Settings, configuration (the territory too), storage and clock, built once per
    application."""

    settings: Settings
    db: AnyDatabase
    organisation: Organisation
    catalogue: Catalogue
    texts: Translator
    clock: Clock
    photos: PhotoStore
    territory: Territory
    imaging: PhotoWork
    """Where the Pillow work on ``photos`` runs (worker processes unless PHOTO_WORKERS=0)."""


class ServicesHolder:
    """The application's ``bot_data``: holds the services once ``post_init`` built them."""

    def __init__(self) -> None:
        self.services: Services | None = None


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], ServicesHolder]):
    """The callback context with the services attached."""

    @property
    def services(self) -> Services:
        """The application's services (available from ``post_init`` on)."""
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("services are not ready (post_init has not run)")
        return services
