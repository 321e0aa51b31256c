"""The photo step: download, check and store each photo, answer an album once.

An album arrives as separate messages sharing a ``media_group_id`` and nothing marks the last
one, so each item is stored as it arrives and the reply waits :data:`ALBUM_DELAY_SECONDS` after
the newest item of its album. Once the step has its photos (``min_items``), that one reply is
the review card, with the count: the step is answered, and a photo sent to the review card is
added to the report's photos (so "more photos" needs no tap, and "done" is the submit).
With several instances on PostgreSQL an album's items may be stored by different instances:
the draft notes the newest item stored, and only the instance that stored it answers.
:func:`flush_albums` answers pending albums at once (tests set a long delay, send the album,
then flush; shutdown could do the same).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import sqlite3
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from telegram import Message, Update

from conversations.report_view import prompt
from domain import reports as flow
from domain.answers import InvalidAnswer, check_photos_added
from domain.catalogue import PhotosField
from domain.imaging import PhotoRejected, photo_hashes
from domain.reports import REVIEW, Draft
from ui.access import Actor
from ui.messages import send_html
from ui.services import BotContext, Services

logger = logging.getLogger(__name__)
ALBUM_DELAY_SECONDS = 1.5
"""How long after an album's newest item the bot answers (Telegram sends items ~0.1 s apart)."""
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
"""Telegram's getFile limit for bots."""

_albums: dict[str, tuple[asyncio.Task[None], asyncio.Event]] = {}


async def flush_albums() -> None:
    """Answer every pending album now instead of after its delay (tests; shutdown)."""
    while _albums:
        pending = list(_albums.values())
        for _, release in pending:
            release.set()
        await asyncio.gather(*(task for task, _ in pending), return_exceptions=True)


async def on_photo(
    update: Update, context: BotContext, actor: Actor, form_field: PhotosField
) -> None:
    """A photo or file at the photo step: store it and answer (albums: once, after the last)."""
    services = context.services
    message = update.effective_message
    assert message is not None
    language = actor.language
    problem = await _store(update, services, actor, form_field, message)
    if problem is not None:
        await message.reply_text(problem)
        return
    group = message.media_group_id
    if group is None:
        await _reply(message, services, actor, form_field)
        return
    previous = _albums.pop(group, None)
    if previous is not None:
        previous[0].cancel()
    release = asyncio.Event()
    task = asyncio.create_task(
        _album_reply(group, release, message, services, actor, form_field)
    )
    _albums[group] = (task, release)
    logger.debug("album %s item stored for %s", group, language)


async def _album_reply(
    group: str,
    release: asyncio.Event,
    message: Message,
    services: Services,
    actor: Actor,
    form_field: PhotosField,
) -> None:
    try:
        # A timeout means the album is complete: nothing more arrived for a while.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(release.wait(), ALBUM_DELAY_SECONDS)
        await _reply(message, services, actor, form_field)
    except asyncio.CancelledError:
        return
    finally:
        entry = _albums.get(group)
        if entry is not None and entry[0] is asyncio.current_task():
            del _albums[group]


async def _reply(
    message: Message, services: Services, actor: Actor, form_field: PhotosField
) -> None:
    """The one answer to a photo or an album: with enough photos, the step is answered (stored
    first) and the answer is the review card; otherwise the step's question with the count."""
    now = services.clock.now()
    group = message.media_group_id
    async with services.db.transaction(now=now) as tx:
        draft = await tx.drafts.of_officer(actor.active_officer.id)
        if draft is None:
            return
        newest = _album_newest(draft, group)
        if newest is not None and newest > message.message_id:
            # Another instance (PostgreSQL, updates spread over several) stored a later item
            # of this album: it answers, after its own delay, and this one stays quiet.
            logger.debug("album %s is answered where its newest item was stored", group)
            return
        photos = list(draft.work.get("photos", []))
        if draft.step == form_field.key and len(photos) >= form_field.min_items:
            activity = services.catalogue.activity(draft.activity_code)
            moved = flow.after_answer(activity, draft, form_field.key, photos)
            if group is not None:  # kept on the review card for an item stored elsewhere
                moved = _with_album_item(moved, group, max(newest or 0, message.message_id))
            draft = await tx.drafts.save(moved, now)
    text, markup = prompt(services, draft, actor.language)
    await send_html(message.get_bot(), message.chat.id, text, reply_markup=markup)


def _album_newest(draft: Draft, group: str | None) -> int | None:
    """The message id of the newest item of album ``group`` the draft holds, if noted."""
    mark = draft.work.get("album")
    if group is None or not mark or mark[0] != group:
        return None
    return int(mark[1])


def _with_album_item(draft: Draft, group: str, message_id: int) -> Draft:
    """The draft noting that it holds item ``message_id`` of album ``group``: several
    instances may each store some of an album's items, and only the one that stored the
    newest answers it (once, for the whole album)."""
    newest = max(message_id, _album_newest(draft, group) or 0)
    return replace(draft, work={**draft.work, "album": [group, newest]})


def _photos_of(draft: Draft, form_field: PhotosField) -> list[dict[str, Any]] | None:
    """The photos a new one joins: the step's, or the report's on its review card; None when
    the draft takes no photo now."""
    if draft.step == form_field.key:
        return list(draft.work.get("photos", []))
    if draft.step == REVIEW and not draft.is_correction and form_field.key in draft.answers:
        return list(draft.answers[form_field.key] or [])
    return None


def _with_photos(draft: Draft, form_field: PhotosField, photos: list[dict[str, Any]]) -> Draft:
    if draft.step == REVIEW:
        return replace(draft, answers={**draft.answers, form_field.key: photos})
    return flow.with_work(draft, photos=photos)


async def _store(
    update: Update, services: Services, actor: Actor, form_field: PhotosField, message: Message
) -> str | None:
    """Download, ingest and add to the draft; the refusal text when that is not possible."""
    texts, language = services.texts, actor.language
    if message.photo:
        source: Any = message.photo[-1]
        size = source.file_size
    else:
        document = message.document
        assert document is not None
        # The bytes decide (ingest_photo), not the declared MIME type: cameras send
        # application/octet-stream.
        source, size = document, document.file_size
    if size is not None and size > MAX_DOWNLOAD_BYTES:
        return texts(language, "reports.photo.file_too_big", max=MAX_DOWNLOAD_BYTES // 2**20)
    async with services.db.reading() as repos:
        current = await repos.drafts.of_officer(actor.active_officer.id)
    held = None if current is None else _photos_of(current, form_field)
    if held is None:
        return texts(language, "button.stale")
    try:
        check_photos_added(form_field, len(held) + 1)
    except InvalidAnswer as problem:
        return texts(language, problem.key, **problem.params)
    data = bytes(await (await source.get_file()).download_as_bytearray())
    sha = await asyncio.to_thread(lambda: hashlib.sha256(data).hexdigest())
    # Held from before the files are written (or found) until the row referring to them
    # committed: a discard of the same photo elsewhere in this process, or the nightly prune,
    # leaves them alone meanwhile. A prune in another process cannot see the hold: that case
    # is closed inside the transaction (ensure_stored).
    with services.photos.hold(sha):
        refusal = await _ingest_and_add(update, services, actor, form_field, message, data)
    if refusal is not None:
        # Stored but not added (stale, over the limit): nothing refers to it, unless an
        # earlier upload of the same bytes does.
        await release_photos(services, [sha])
    return refusal


async def _ingest_and_add(
    update: Update,
    services: Services,
    actor: Actor,
    form_field: PhotosField,
    message: Message,
    data: bytes,
) -> str | None:
    texts, language = services.texts, actor.language
    try:
        photo = await services.imaging.ingest(data, tz=services.settings.tz)
    except PhotoRejected as rejected:
        return texts(language, f"reports.photo.{rejected.reason.value}", **rejected.params)
    entry = {
        "sha256": photo.sha256,
        "width": photo.width,
        "height": photo.height,
        "taken_at": photo.taken_at.isoformat() if photo.taken_at else None,
        "gps": list(photo.gps) if photo.gps else None,
        "received_at": message.date.isoformat(),
    }
    now = services.clock.now()
    async with services.db.transaction(update_id=update.update_id, now=now) as tx:
        draft = await tx.drafts.of_officer(actor.active_officer.id)
        held = None if draft is None else _photos_of(draft, form_field)
        if draft is None or held is None:
            return texts(language, "button.stale")
        photos = flow.add_photo(held, entry)
        try:
            check_photos_added(form_field, len(photos))
        except InvalidAnswer as problem:
            return texts(language, problem.key, **problem.params)
        # Under the write lock, which pruning also takes to delete an orphan: a prune (say
        # `check --prune`, which does not see our hold) that deleted these files since the
        # ingest above has finished, and none can start until this row commits. Files gone
        # are written again from the bytes in hand, so the row never refers to nothing.
        if await services.imaging.ensure_stored(data, photo, tz=services.settings.tz):
            logger.warning("photo %s was pruned while being added: stored again", photo.sha256)
        updated = _with_photos(draft, form_field, photos)
        if message.media_group_id is not None:
            updated = _with_album_item(updated, message.media_group_id, message.message_id)
        await tx.drafts.save(updated, now)
    return None


def draft_photos(draft: Draft) -> set[str]:
    """Hashes of every photo a draft holds, in its answers or its unfinished step."""
    return set(photo_hashes(draft.answers)) | set(photo_hashes(draft.work))


async def release_photos(services: Services, hashes: Iterable[str]) -> None:
    """Delete the files of photos no row refers to any more; call after the commit.

    Never before it: a crash in between must leave an orphan (``check --prune`` takes it),
    not a row pointing at deleted files. The references are read and the files deleted while
    the database is held, so no draft can commit a reference to them in between; a photo
    being uploaded again right now is held (:meth:`PhotoStore.hold`) and kept.
    """
    wanted = set(hashes)
    if not wanted:
        return
    store = services.photos
    try:
        async with services.db.reading() as repos:
            unused = wanted - await repos.report_photos.referenced(wanted)
            # No await from here on: deleting a few files is quick, and staying on the loop
            # keeps an upload of the same photo from starting halfway through.
            removed = [
                (sha, store.remove(sha)) for sha in sorted(unused) if not store.is_held(sha)
            ]
    except (OSError, sqlite3.Error):
        # The reply matters more; what is left is an orphan for the nightly prune.
        logger.exception("could not delete the files of %d released photos", len(wanted))
        return
    for sha, (files, size) in removed:
        logger.info("deleted photo %s (%d files, %d bytes): unreferenced", sha, files, size)
