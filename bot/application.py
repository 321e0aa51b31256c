"""The one place that builds the ``Application``: defaults, services, handlers, lifecycle."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.buttons import all_namespaces
from bot.commands import Command, all_commands, menu_handlers
from bot.errors import on_error, on_stale_button
from bot.fairness import PerPersonProcessor
from config.settings import Settings
from conversations import assign, desk_input, registration, report
from conversations.report_photos import flush_albums
from domain.catalogue import Catalogue, load_catalogue
from domain.clock import Clock, SystemClock
from domain.organisation import Organisation, load_organisation
from domain.territory import load_territory
from handlers import basics, browse, complaints, groups, people
from jobs import scheduler as schedule_jobs
from jobs import summaries as group_summaries
from jobs.maintenance import schedule_maintenance
from jobs.planning import validate_schedule
from ops.files import DataDirTaken, claim_data_dir, tighten_data_dir
from storage import PostgresDatabase, database_for
from storage.photo_work import PhotoWork
from storage.photos import PhotoStore
from ui import callbacks
from ui.access import identify, requires, revoke_unlisted_admins, skip_processed_updates
from ui.i18n import Translator
from ui.ratelimit import PassThroughLimiter, RetryingRateLimiter
from ui.services import BotContext, Services, ServicesHolder

logger = logging.getLogger(__name__)
BotApplication = Application[Any, BotContext, Any, Any, ServicesHolder, Any]
CLAIMS_KEPT = timedelta(hours=24)
"""Telegram redelivers an update for up to a day; a claim is kept that long."""
# Typed answers owed to the leaders' desk, by the kind stored with the pending input.
DESK_INPUTS: dict[str, desk_input.InputHandler] = {
    complaints.NOTE_INPUT: complaints.on_note,
    browse.SEARCH_INPUT: browse.on_words,
    browse.SENDBACK_INPUT: browse.on_comment,
    browse.DATES_INPUT: browse.on_dates,
}

ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
"""The update types ``register_handlers`` handles, sent with getUpdates and setWebhook:
Telegram keeps the last list given for the token, so never sending one keeps an old run's."""


def load_configuration(settings: Settings) -> tuple[Organisation, Catalogue, Translator]:
    """Load and validate every configuration file; raises with a message naming file and field."""
    organisation = load_organisation(settings.organisation_file)
    catalogue = load_catalogue(settings.activities_file)
    texts = Translator.load(default_language=settings.default_language)
    validate_schedule(settings, organisation, catalogue)
    load_territory(settings.territory_file)  # validated here too, for check-config
    return organisation, catalogue, texts


SHARED_PHOTOS_CHECKED = 20
"""How many of the newest stored photos an instance looks for at start-up."""


async def check_shared_photos(services: Services) -> list[str]:
    """Several instances share one PostgreSQL database: they must share the photo store too.
    Say once, at start-up, when this instance cannot see photos the others stored (its
    DATA_DIR is not on the shared storage); returns the missing hashes."""
    async with services.db.reading() as repos:
        hashes = await repos.report_photos.newest(SHARED_PHOTOS_CHECKED)
    missing = [sha for sha in hashes if not services.photos.exists(sha)]
    if missing:
        logger.error(
            "photo store %s lacks %d of the %d newest stored photos (e.g. %s): with several"
            " instances DATA_DIR must be on storage all of them share (README \"PostgreSQL\")",
            services.settings.photos_dir, len(missing), len(hashes), missing[0][:12],
        )
    return missing


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    rate_limiter: bool | BaseRateLimiter[Any] = True,
) -> BotApplication:
    """Build the bot: configuration is validated here, resources open in ``post_init``."""
    organisation, catalogue, texts = load_configuration(settings)
    territory = load_territory(settings.territory_file)
    database = database_for(settings.database_url.get_secret_value(), settings.database_path)
    photos = PhotoStore(settings.photos_dir)
    services = Services(
        settings=settings,
        db=database,
        organisation=organisation,
        catalogue=catalogue,
        texts=texts,
        clock=clock or SystemClock(),
        photos=photos,
        territory=territory,
        imaging=PhotoWork(photos, workers=settings.photo_workers),
    )

    async def post_init(application: BotApplication) -> None:
        await database.open()
        await asyncio.to_thread(tighten_data_dir, settings)
        async with database.transaction() as tx:
            await tx.units.sync((unit.code, unit.name, unit.parent) for unit in organisation.units)
            await tx.updates.forget_before(services.clock.now() - timedelta(hours=48))
            await tx.updates.forget_claims_before(services.clock.now() - CLAIMS_KEPT)
        application.bot_data.services = services
        if isinstance(database, PostgresDatabase):
            # Instances share the directory; another deployment must not (its prune).
            try:
                claim_data_dir(settings.data_dir, await database.owner())
            except DataDirTaken:
                await database.close()  # post_shutdown does not run when start-up fails
                raise
            await check_shared_photos(services)
        await revoke_unlisted_admins(services)
        await people.check_look_alike_nrps(application.bot, services)
        await _set_command_menus(application, texts)
        await schedule_jobs.start(application, services)
        group_summaries.schedule(application, services)

    async def post_stop(application: BotApplication) -> None:
        # The bot can still send here: answer albums whose last item arrived before the stop.
        await flush_albums()

    async def post_shutdown(application: BotApplication) -> None:
        # The photo workers (started at the first photo) stop with the bot.
        await services.imaging.close()
        await database.close()

    # Different people's updates side by side, one person's in order (bot/fairness.py).
    processor = PerPersonProcessor()
    builder = (
        ApplicationBuilder()
        .concurrent_updates(processor)
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_api_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.tz))
        .context_types(ContextTypes(context=BotContext, bot_data=ServicesHolder))
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
    )
    timeout = settings.telegram_timeout_seconds
    if request is not None:
        builder = builder.request(request)
    else:
        builder = builder.connect_timeout(timeout).read_timeout(timeout)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    else:
        builder = builder.get_updates_connect_timeout(timeout).get_updates_read_timeout(timeout)
    # 429s, 5xx and timeouts are retried (ui/ratelimit.py); tests may pass their own, or
    # none (False: no pauses, though a late button answer is still not an error).
    if rate_limiter is True:
        limiter: BaseRateLimiter[Any] = RetryingRateLimiter()
    else:
        limiter = rate_limiter or PassThroughLimiter()
    builder = builder.rate_limiter(limiter)
    application: BotApplication = builder.build()
    processor.on_overflow = lambda update: _schedule_slow_down(application, services, update)
    register_handlers(application)
    schedule_maintenance(application, settings)
    assert application.job_queue is not None
    application.job_queue.run_repeating(
        _forget_old_claims, interval=CLAIMS_KEPT / 24, first=CLAIMS_KEPT / 24,
        name="forget-update-claims",
    )
    return application


async def _forget_old_claims(context: BotContext) -> None:
    """Hourly: claims past Telegram's day of redelivery only take room."""
    services = context.services
    async with services.db.transaction() as tx:
        await tx.updates.forget_claims_before(services.clock.now() - CLAIMS_KEPT)


def _schedule_slow_down(application: BotApplication, services: Services, update: Update) -> None:
    # Through the application: ``stop`` waits for its tasks, so the notice leaves before shutdown.
    application.create_task(_slow_down(application, services, update), update=update)


async def _slow_down(application: BotApplication, services: Services, update: Update) -> None:
    """Tell a flooding person, once, that their latest messages were not read."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or chat.type != "private":
        return  # a group's excess is dropped quietly: a notice there would add to the noise
    actor = await identify(user, services)
    await application.bot.send_message(chat.id, services.texts(actor.language, "flood.slow_down"))


def register_handlers(application: BotApplication) -> None:
    """Every handler, in one list, in the order they are tried."""
    application.add_handler(
        TypeHandler(
            object, skip_processed_updates([registration.reprompt, report.reprompt])
        ),
        group=-1,
    )
    # A command means the person moved on: a typed answer the desk still waits for lapses
    # (/batal cancels it itself and says so).
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.COMMAND
            & ~filters.Regex(r"(?i)^/(batal|cancel)(@\w+)?(\s|$)"),
            desk_input.lapse_on_command,
        ),
        group=-2,
    )
    for command in all_commands():
        chat_filter = _chat_filter(command.private, command.group)
        application.add_handler(
            CommandHandler([command.name, command.alias], command.handler, filters=chat_filter)
        )
    for row in all_namespaces():
        # The gate goes in front of every namespace here, from the row's action, and nowhere
        # else: a button family cannot be answered without the policy table being asked.
        application.add_handler(
            CallbackQueryHandler(
                requires(row.action, row.rule)(row.callback),
                pattern=callbacks.pattern(row.namespace),
            )
        )
    application.add_handler(CallbackQueryHandler(on_stale_button))
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & filters.UpdateType.EDITED_MESSAGE & filters.LOCATION,
            report.on_edited_location,
        )
    )
    application.add_handler(
        MessageHandler(
            # Only new messages: an edited earlier answer must not count as a new one.
            filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & ~filters.COMMAND,
            basics.private_router([assign.route, desk_input.router(DESK_INPUTS), report.route],
                                  menu_handlers()),
        )
    )
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.COMMAND,
            basics.unknown_command,
        )
    )
    application.add_handler(
        ChatMemberHandler(groups.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER)
    )
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, groups.on_migrate))
    application.add_error_handler(on_error)


def _chat_filter(private: bool, group: bool) -> filters.BaseFilter:
    # Commands come from new messages only; editing "/daftar" must not run it again.
    if private and group:
        chats = filters.ChatType.PRIVATE | filters.ChatType.GROUPS
    else:
        chats = filters.ChatType.PRIVATE if private else filters.ChatType.GROUPS
    return chats & filters.UpdateType.MESSAGE


async def _set_command_menus(application: BotApplication, texts: Translator) -> None:
    """The command menu per scope (private chats, groups) and per language."""
    bot = application.bot
    scopes: tuple[tuple[BotCommandScope, Callable[[Command], bool]], ...] = (
        (BotCommandScopeAllPrivateChats(), lambda c: c.private and c.name != "start"),
        (BotCommandScopeAllGroupChats(), lambda c: c.group),
    )
    for scope, wanted in scopes:
        for language in ("id", "en"):
            commands = [
                BotCommand(command.name, texts(language, f"command.{command.name}")[:256])
                for command in all_commands()
                if wanted(command)
            ]
            language_code = None if language == "id" else language
            if not commands:
                # Nothing to offer there yet: clear any menu an older version left behind.
                await bot.delete_my_commands(scope=scope, language_code=language_code)
                continue
            await bot.set_my_commands(
                commands, scope=scope, language_code=language_code
            )
