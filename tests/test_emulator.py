"""The Telegram Bot API emulator, proven against a real python-telegram-bot Application."""

from __future__ import annotations

import asyncio
import datetime as dtm
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    KeyboardButton,
    MenuButtonCommands,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

# Submodule imports: they work even while the editable install still maps ``emulator`` as a
# namespace package (``from emulator import Emulator`` needs a reinstall or pythonpath=["."]).
from emulator import rules as r
from emulator.core import Emulator
from emulator.entities import parse_html, parse_markdown_v2
from emulator.media import has_exif, make_jpeg
from emulator.users import BotMessage, SimUser

TOKEN = "123456:TEST-TOKEN"
GPS = (0.5426, 123.0595)  # Gorontalo

# ---- a tiny bot, exercised through the emulator ------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_user
    assert update.effective_message
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("📝 Lapor", callback_data="report"),
                InlineKeyboardButton("Bantuan", callback_data="help"),
            ]
        ]
    )
    await update.effective_message.reply_text(
        f"Selamat datang, <b>{update.effective_user.first_name}</b>!",
        parse_mode="HTML",
        reply_markup=keyboard,
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query
    if query.data == "report":
        await query.answer("Siap")
        await query.edit_message_text("Kirim foto kejadian.")
    else:
        await query.answer("Ketik /start untuk mulai", show_alert=True)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message
    await update.effective_message.reply_text(f"Echo: {update.effective_message.text}")


async def on_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message
    largest = message.photo[-1]
    data = await (await largest.get_file()).download_as_bytearray()
    await message.reply_text(f"Foto {largest.width}x{largest.height}, {len(data)} byte")


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message
    assert message.document
    data = await (await message.document.get_file()).download_as_bytearray()
    await message.reply_text(f"Dokumen {message.document.file_name} exif={has_exif(bytes(data))}")


async def on_live_location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.edited_message
    assert update.edited_message.location
    location = update.edited_message.location
    context.bot_data.setdefault("live", []).append((location.latitude, location.longitude))


def add_handlers(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.LOCATION, on_live_location)
    )
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.PHOTO, on_photo))
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & filters.Document.ALL, on_document))
    app.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, on_text)
    )


# ---- fixtures ----------------------------------------------------------------------------


@pytest.fixture
def emu() -> Emulator:
    return Emulator(
        token=TOKEN, bot_username="polmas_test_bot", bot_first_name="Polmas Bot", bot_id=123456
    )


@pytest.fixture
async def app(emu: Emulator) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Direct mode: updates go straight into ``process_update`` (no polling, no sleeps)."""
    application = (
        ApplicationBuilder()
        .token(emu.token)
        .request(emu.request())
        .get_updates_request(emu.request())
        .build()
    )
    add_handlers(application)
    await application.initialize()
    emu.deliver = lambda u: application.process_update(Update.de_json(u, application.bot))
    yield application
    await application.shutdown()


@pytest.fixture
async def user(emu: Emulator, app: Any) -> SimUser:
    """A user who has already talked to the bot (so the bot may write to them)."""
    budi = emu.user(user_id=1001, first_name="Budi", language_code="id")
    await budi.send("/start")
    return budi


async def bad_request(call: Any) -> str:
    with pytest.raises(BadRequest) as caught:
        await call
    return caught.value.message


# ---- direct mode -------------------------------------------------------------------------


async def test_direct_mode_start_press_edit_and_answer(emu: Emulator, app: Any) -> None:
    budi = emu.user(user_id=1001, first_name="Budi")
    update = await budi.send("/start")

    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert update["message"]["chat"] == {"id": 1001, "type": "private", "first_name": "Budi"}
    assert budi.last.text == "Selamat datang, Budi!"
    assert budi.last.entities == [{"type": "bold", "offset": 16, "length": 4}]
    assert budi.last.buttons == [["📝 Lapor", "Bantuan"]]
    assert budi.last.button_data("Bantuan") == "help"

    await budi.press("Lapor")  # unique substring of "📝 Lapor"
    assert budi.callback_answers[-1]["text"] == "Siap"
    edited = budi.last
    assert edited.text == "Kirim foto kejadian."
    assert edited.buttons == []  # editMessageText without reply_markup drops the keyboard
    assert [old.text for old in edited.edits] == ["Selamat datang, Budi!"]
    with pytest.raises(AssertionError, match="no button 'Lapor'"):
        await budi.press("Lapor")

    await budi.send("/start")
    await budi.press_data("help", budi.last)
    assert budi.callback_answers[-1] == {
        "callback_query_id": budi.callback_answers[-1]["callback_query_id"],
        "text": "Ketik /start untuk mulai",
        "show_alert": True,
        "url": None,
        "cache_time": None,
    }
    await budi.send("halo")
    assert budi.texts[-1] == "Echo: halo"
    assert [c.method for c in emu.calls] == [
        "getMe",
        "sendMessage",
        "answerCallbackQuery",
        "editMessageText",
        "sendMessage",
        "answerCallbackQuery",
        "sendMessage",
    ]
    assert all(c.ok for c in emu.calls)


async def test_direct_mode_media_live_location_and_redelivery(
    emu: Emulator, app: Any, user: SimUser
) -> None:
    await user.send_photo(make_jpeg(1000, 500))
    assert user.last.text == f"Foto 1000x500, {len(emu.files[_largest(emu)].data)} byte"

    await user.send_document(make_jpeg(gps=GPS), "kejadian.jpg", "image/jpeg")
    assert user.last.text == "Dokumen kejadian.jpg exif=True"

    shared = await user.send_location(0.54, 123.06, live_period=900)
    await user.edit_location(shared, 0.55, 123.07)
    assert app.bot_data["live"] == [(0.55, 123.07)]

    update = await user.send("sekali")
    await emu.redeliver(update)
    assert user.texts[-2:] == ["Echo: sekali", "Echo: sekali"]


async def test_album_arrives_as_separate_updates_sharing_a_group_id(
    emu: Emulator, app: Any, user: SimUser
) -> None:
    updates = await user.send_album(
        [("photo", make_jpeg(400, 300)), ("photo", make_jpeg(300, 400))], caption="Dua foto"
    )
    messages = [u["message"] for u in updates]
    assert len({m["media_group_id"] for m in messages}) == 1
    assert messages[0]["caption"] == "Dua foto"
    assert "caption" not in messages[1]
    assert [u["update_id"] for u in updates] == sorted(u["update_id"] for u in updates)


async def test_group_chat_and_membership(emu: Emulator, app: Any) -> None:
    budi = emu.user(user_id=1001, first_name="Budi")
    group = emu.group(chat_id=-100500, title="Binkamsa", members=[budi])
    await budi.send("/start@polmas_test_bot", chat=group)
    assert group.last.text == "Selamat datang, Budi!"
    assert budi.messages == []

    member = await app.bot.get_chat_member(group.id, app.bot.id)
    assert member.status == "member"
    assert (await app.bot.get_chat_member(group.id, budi.id)).status == "member"

    outside = emu.group(chat_id=-100600, title="Lain", members=[budi], bot_is_member=False)
    await budi.send("/start", chat=outside)
    assert outside.messages == []  # the bot never saw it
    with pytest.raises(Forbidden) as caught:
        await app.bot.send_message(outside.id, "halo")
    assert caught.value.message == r.ptb_message(r.ERR_NOT_MEMBER_GROUP)


# ---- polling over HTTP -------------------------------------------------------------------


async def test_polling_over_http_with_uploads_and_downloads(emu: Emulator) -> None:
    base_url, base_file_url = await emu.start_http(host="127.0.0.1", port=0)
    assert base_url.startswith("http://127.0.0.1:")
    assert base_url.endswith("/bot")
    application = (
        ApplicationBuilder().token(emu.token).base_url(base_url).base_file_url(base_file_url)
    ).build()
    add_handlers(application)
    await application.initialize()
    await application.start()
    assert application.updater
    await application.updater.start_polling(poll_interval=0, timeout=1)
    try:
        budi = emu.user(user_id=1001, first_name="Budi")
        await budi.send("/start")
        await budi.wait_for_message()
        assert budi.last.text == "Selamat datang, Budi!"

        await budi.press("Bantuan")
        await emu.wait_for(lambda: bool(budi.callback_answers))
        assert budi.callback_answers[0]["show_alert"] is True

        photo = make_jpeg(1600, 1200, gps=GPS)
        update = await budi.send_photo(photo)
        (reply,) = await budi.wait_for_message()
        file_id = update["message"]["photo"][-1]["file_id"]
        assert reply.text == f"Foto 1280x960, {len(emu.files[file_id].data)} byte"

        # Download through the real file URL (token percent-encoded by PTB).
        bot = application.bot
        data = await (await bot.get_file(file_id)).download_as_bytearray()
        assert bytes(data) == emu.files[file_id].data
        assert [f.file_id for f in emu.downloads] == [file_id, file_id]  # handler's, then ours
        assert not has_exif(bytes(data))

        # Multipart uploads: a photo with an HTML caption, then an album via attach://.
        sent = await bot.send_photo(
            budi.id, photo=photo, caption="<b>Bukti</b>", parse_mode="HTML"
        )
        assert sent.caption == "Bukti"
        assert budi.last.kind == "photo"
        assert budi.last.file_bytes is not None
        assert not has_exif(budi.last.file_bytes)
        album = await bot.send_media_group(
            budi.id,
            [
                InputMediaDocument(make_jpeg(gps=GPS), filename="a.jpg"),
                InputMediaDocument(b"%PDF-1.4 laporan", filename="laporan.pdf"),
            ],
        )
        assert len({m.media_group_id for m in album}) == 1
        assert budi.messages[-2].file_name == "a.jpg"
        assert budi.messages[-2].file_bytes is not None
        assert has_exif(budi.messages[-2].file_bytes)
        assert budi.messages[-1].mime_type == "application/pdf"

        message = await bad_request(bot.send_message(budi.id, "x" * 4097))
        assert message == r.ptb_message(r.ERR_TEXT_TOO_LONG)
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        await emu.stop_http()
    assert not emu.pending_updates  # the final getUpdates confirmed everything


# ---- Telegram's rules --------------------------------------------------------------------


async def test_text_and_caption_limits(emu: Emulator, app: Any, user: SimUser) -> None:
    bot = app.bot
    await bot.send_message(user.id, "x" * 4096)
    await bot.send_message(user.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    assert await bad_request(bot.send_message(user.id, "x" * 4097)) == r.ptb_message(
        r.ERR_TEXT_TOO_LONG
    )
    assert await bad_request(bot.send_message(user.id, "  \n ")) == r.ptb_message(r.ERR_TEXT_EMPTY)
    assert await bad_request(
        bot.send_photo(user.id, make_jpeg(64, 64), caption="x" * 1025)
    ) == r.ptb_message(r.ERR_CAPTION_TOO_LONG)


async def test_markup_is_parsed_like_telegram(emu: Emulator, app: Any, user: SimUser) -> None:
    bot = app.bot
    unescaped = await bad_request(bot.send_message(user.id, "Jl. <Merdeka>", parse_mode="HTML"))
    assert unescaped == r.ptb_message(
        r.ERR_PARSE_ENTITIES + 'Unsupported start tag "merdeka" at byte offset 4'
    )
    assert "can't find end tag" in await bad_request(
        bot.send_message(user.id, "<b>tebal", parse_mode="HTML")
    )
    assert "is reserved" in await bad_request(
        bot.send_message(user.id, "Jl. Merdeka", parse_mode="MarkdownV2")
    )
    await bot.send_message(user.id, "Jl\\. *Merdeka* no\\. 5", parse_mode="MarkdownV2")
    assert user.last.text == "Jl. Merdeka no. 5"
    assert user.last.entities == [{"type": "bold", "offset": 4, "length": 7}]

    assert parse_html("a &lt; b &amp; <i>c</i>") == (
        "a < b & c",
        [{"type": "italic", "offset": 8, "length": 1}],
    )
    assert parse_markdown_v2("[peta](https://maps.example/a\\)b)") == (
        "peta",
        [{"type": "text_link", "offset": 0, "length": 4, "url": "https://maps.example/a)b"}],
    )


async def test_keyboard_rules(emu: Emulator, app: Any, user: SimUser) -> None:
    bot = app.bot
    ok_64_bytes = "é" * 32
    await bot.send_message(
        user.id,
        "ok",
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("A", callback_data=ok_64_bytes)]]
        ),
    )
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a" * 65)]])
    assert await bad_request(
        bot.send_message(user.id, "x", reply_markup=too_long)
    ) == r.ptb_message(r.ERR_BUTTON_DATA)
    bad_url = InlineKeyboardMarkup([[InlineKeyboardButton("Peta", url="maps.example")]])
    assert "wrong http url" in await bad_request(
        bot.send_message(user.id, "x", reply_markup=bad_url)
    )

    await bot.send_message(
        user.id,
        "Pilih",
        reply_markup=ReplyKeyboardMarkup([["Ya", "Tidak"]], one_time_keyboard=True),
    )
    assert user.last.reply_keyboard == [["Ya", "Tidak"]]
    assert "reply_markup" not in user.last.raw  # Telegram only echoes inline keyboards
    await user.tap("Ya")
    assert user.last.text == "Echo: Ya"
    with pytest.raises(AssertionError, match="no reply-keyboard button"):
        await user.tap("Ya")  # one-time keyboard is gone

    share = ReplyKeyboardMarkup(
        [
            [KeyboardButton("Kirim lokasi", request_location=True)],
            [KeyboardButton("Kirim nomor", request_contact=True)],
        ]
    )
    await bot.send_message(user.id, "Lokasi?", reply_markup=share)
    sent = await user.tap("Kirim lokasi", location=GPS)
    assert sent["message"]["location"] == {"latitude": GPS[0], "longitude": GPS[1]}
    sent = await user.tap("Kirim nomor", phone="+6281234567890")
    assert sent["message"]["contact"]["user_id"] == user.id


async def test_edit_delete_and_callback_rules(emu: Emulator, app: Any, user: SimUser) -> None:
    bot = app.bot
    assert await bad_request(
        bot.edit_message_text("baru", chat_id=user.id, message_id=9999)
    ) == r.ptb_message(r.ERR_EDIT_NOT_FOUND)
    sent = await bot.send_message(user.id, "sama")
    assert await bad_request(
        bot.edit_message_text("sama", chat_id=user.id, message_id=sent.message_id)
    ) == r.ptb_message(r.ERR_NOT_MODIFIED)
    await bot.edit_message_text(
        "<b>sama</b>", chat_id=user.id, message_id=sent.message_id, parse_mode="HTML"
    )  # formatting changed: that is a modification
    assert await bad_request(
        bot.edit_message_caption(chat_id=user.id, message_id=sent.message_id, caption="c")
    ) == r.ptb_message(r.ERR_NO_CAPTION_TO_EDIT)

    assert await bot.delete_message(user.id, sent.message_id)
    assert user.bot_message(sent.message_id) is not None
    assert user.bot_message(sent.message_id).deleted  # type: ignore[union-attr]
    assert await bad_request(bot.delete_message(user.id, sent.message_id)) == r.ptb_message(
        r.ERR_DELETE_NOT_FOUND
    )

    update = await user.press("Bantuan")
    query_id = update["callback_query"]["id"]
    assert await bad_request(bot.answer_callback_query(query_id, "lagi")) == r.ptb_message(
        r.ERR_QUERY_INVALID
    )
    await user.send("/start")
    update = await user.press_data("report", user.last)  # handler answers it
    assert await bad_request(bot.answer_callback_query("12345", "x" * 201)) == r.ptb_message(
        r.ERR_ANSWER_TOO_LONG
    )


async def test_album_and_chat_rules(emu: Emulator, app: Any, user: SimUser) -> None:
    bot = app.bot
    photos = [InputMediaPhoto(make_jpeg(32, 32)) for _ in range(11)]
    assert await bad_request(bot.send_media_group(user.id, photos)) == r.ptb_message(
        r.ERR_ALBUM_TOO_BIG
    )
    assert await bad_request(bot.send_media_group(user.id, photos[:1])) == r.ptb_message(
        r.ERR_ALBUM_TOO_SMALL
    )
    mixed = [photos[0], InputMediaDocument(b"%PDF", filename="a.pdf")]
    assert await bad_request(bot.send_media_group(user.id, mixed)) == r.ptb_message(
        r.ERR_ALBUM_MIXED
    )
    sent = await bot.send_media_group(user.id, photos[:10])
    assert len(sent) == 10
    assert await bad_request(bot.send_message(424242, "x")) == r.ptb_message(r.ERR_CHAT_NOT_FOUND)
    assert await bad_request(bot.send_photo(user.id, make_jpeg(9000, 1500))) == r.ptb_message(
        r.ERR_PHOTO_DIMENSIONS
    )
    assert await bad_request(bot.send_photo(user.id, b"not an image")) == r.ptb_message(
        r.ERR_IMAGE_PROCESS
    )
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy")


async def test_forbidden_cases(emu: Emulator, app: Any, user: SimUser) -> None:
    bot = app.bot
    stranger = emu.user(user_id=2002, first_name="Siti")
    with pytest.raises(Forbidden) as caught:
        await bot.send_message(stranger.id, "halo")
    assert caught.value.message == r.ERR_CANT_INITIATE

    user.blocked = True
    with pytest.raises(Forbidden) as caught:
        await bot.send_message(user.id, "halo")
    assert caught.value.message == r.ERR_BLOCKED
    await user.send("/start")  # the bot's reply fails inside the handler, as in production
    assert emu.calls[-1].error == r.ERR_BLOCKED


# ---- fault injection ---------------------------------------------------------------------


async def test_injected_faults(
    emu: Emulator, app: Any, user: SimUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without PTB_TIMEDELTA, constructing RetryAfter emits a PTBDeprecationWarning, which
    # filterwarnings=error turns into the exception raised instead of RetryAfter.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    bot = app.bot
    emu.fail_next("sendMessage", kind="retry_after", retry_after=7)
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(user.id, "satu")
    assert flood.value.retry_after == dtm.timedelta(seconds=7)
    await bot.send_message(user.id, "dua")
    assert [(c.ok, c.error_code) for c in emu.calls_to("sendMessage")][-2:] == [
        (False, 429),
        (True, None),
    ]

    emu.fail_next("sendMessage", kind="server_error")
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(user.id, "tiga")

    emu.fail_next("sendMessage", kind="timeout", executed=True)
    before = len(user.messages)
    with pytest.raises(TimedOut):
        await bot.send_message(user.id, "empat")
    assert len(user.messages) == before + 1  # sent anyway: retrying would duplicate it

    other = emu.user(user_id=3003, first_name="Andi")
    await other.send("/start")
    emu.fail_next("sendMessage", kind="forbidden", chat_id=other.id, times=2)
    await bot.send_message(user.id, "tidak terkena")
    for _ in range(2):
        with pytest.raises(Forbidden):
            await bot.send_message(other.id, "kena")
    await bot.send_message(other.id, "pulih")


async def test_delay_holds_the_call_then_performs_it(emu: Emulator, app: Any, user: SimUser):
    emu.fail_next("sendMessage", kind="delay", delay=0.3, chat_id=user.id)
    before = len(emu.calls_to("sendMessage"))
    sending = asyncio.create_task(app.bot.send_message(user.id, "lambat"))
    await emu.wait_for(lambda: emu.held == 1)
    assert len(emu.calls_to("sendMessage")) == before  # held, not yet performed
    message = await sending
    assert (emu.held, message.text, user.last.text) == (0, "lambat", "lambat")
    assert [c.ok for c in emu.calls_to("sendMessage")[before:]] == [True]


async def test_group_rate_limit(
    emu: Emulator, app: Any, user: SimUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    clock = [dtm.datetime(2025, 1, 1, 8, 0, tzinfo=dtm.UTC)]
    emu.now = lambda: clock[0]
    emu.enforce_rate_limits = True
    group = emu.group(chat_id=-1001234567890, title="Polsek", members=[user])
    for n in range(20):
        await app.bot.send_message(group.id, f"pesan {n}")
    with pytest.raises(RetryAfter) as flood:
        await app.bot.send_message(group.id, "satu lagi")
    assert flood.value.retry_after == dtm.timedelta(seconds=60)
    clock[0] += dtm.timedelta(seconds=61)
    await app.bot.send_message(group.id, "boleh lagi")
    assert group.last.date == int(clock[0].timestamp())


# ---- photos ------------------------------------------------------------------------------


async def test_compressed_photo_loses_exif_document_keeps_it(emu: Emulator) -> None:
    budi = emu.user()
    original = make_jpeg(2000, 1500, gps=GPS)
    assert has_exif(original)

    first = (await budi.send_photo(original))["message"]["photo"]
    assert [(s["width"], s["height"]) for s in first] == [
        (90, 68),
        (320, 240),
        (800, 600),
        (1280, 960),
    ]
    assert not any(has_exif(emu.files[s["file_id"]].data) for s in first)

    document = (await budi.send_document(original, "kejadian.jpg", "image/jpeg"))["message"]
    assert document["document"]["file_name"] == "kejadian.jpg"
    assert emu.files[document["document"]["file_id"]].data == original

    second = (await budi.send_photo(original))["message"]["photo"]
    assert [s["file_unique_id"] for s in second] == [s["file_unique_id"] for s in first]
    assert [s["file_id"] for s in second] != [s["file_id"] for s in first]
    again = (await budi.send_document(original, "lagi.jpg", "image/jpeg"))["message"]
    assert again["document"]["file_unique_id"] == document["document"]["file_unique_id"]

    uncompressed = (await budi.send_photo(original, compress=False))["message"]["photo"]
    assert len(uncompressed) == 1
    assert has_exif(emu.files[uncompressed[0]["file_id"]].data)


async def test_bot_resends_photo_by_file_id(emu: Emulator, app: Any, user: SimUser) -> None:
    update = await user.send_photo(make_jpeg(900, 600))
    sizes = update["message"]["photo"]
    sent = await app.bot.send_photo(user.id, photo=sizes[-1]["file_id"])
    assert [p.file_unique_id for p in sent.photo] == [s["file_unique_id"] for s in sizes]
    doc_message = await app.bot.send_document(user.id, document=b"abc", filename="x.txt")
    assert doc_message.document
    assert doc_message.document.mime_type == "text/plain"
    refused = await bad_request(app.bot.send_photo(user.id, photo=doc_message.document.file_id))
    assert refused == "Can't use file of type document as photo"


# ---- getUpdates semantics ----------------------------------------------------------------


async def test_get_updates_offset_long_poll_conflict_and_redelivery(emu: Emulator) -> None:
    application = (
        ApplicationBuilder()
        .token(emu.token)
        .request(emu.request())
        .get_updates_request(emu.request())
        .build()
    )
    bot = application.bot
    async with application:
        budi = emu.user()
        await budi.send("satu")
        await budi.send("dua")
        updates = await bot.get_updates(timeout=0)
        assert [u.message.text for u in updates if u.message] == ["satu", "dua"]
        assert len(await bot.get_updates(timeout=0)) == 2  # not confirmed yet

        confirmed = updates[-1].update_id + 1
        assert await bot.get_updates(offset=confirmed, timeout=0) == ()

        loop = asyncio.get_running_loop()
        started = loop.time()
        poll = asyncio.create_task(bot.get_updates(offset=confirmed, timeout=5))
        await budi.send("tiga")
        (arrived,) = await poll
        assert arrived.message
        assert arrived.message.text == "tiga"
        assert loop.time() - started < 1

        first = asyncio.create_task(bot.get_updates(offset=arrived.update_id + 1, timeout=5))
        await asyncio.sleep(0)  # let it start waiting
        assert await bot.get_updates(offset=arrived.update_id + 1, timeout=0) == ()
        with pytest.raises(Conflict):
            await first

        await emu.redeliver(emu.updates[0])
        (again,) = await bot.get_updates(offset=arrived.update_id + 1, timeout=0)
        assert again.update_id == emu.updates[0]["update_id"]


async def test_wait_for_message_times_out_with_a_useful_message(emu: Emulator) -> None:
    budi = emu.user()
    await budi.send("halo")  # queued; nobody is polling
    with pytest.raises(AssertionError, match="1 new bot message"):
        await budi.wait_for_message(timeout=0.05)


def _largest(emu: Emulator) -> str:
    photos = [f for f in emu.files.values() if f.kind == "photo"]
    return photos[-1].file_id


def test_bot_message_helpers() -> None:
    message = BotMessage(
        message_id=1,
        chat_id=1,
        kind="text",
        raw={"date": 0},
        text="x",
        reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
    )
    assert message.buttons == [["A"]]
    assert message.button_data("A") == "a"
    assert message.reply_keyboard is None
    with pytest.raises(AssertionError):
        message.button_data("B")


async def test_commands_menu_and_chat_info(emu: Emulator, app: Any, user: SimUser) -> None:
    bot = app.bot
    await bot.set_my_commands([BotCommand("start", "Mulai"), BotCommand("lapor", "Buat laporan")])
    scoped = BotCommandScopeChat(user.id)
    await bot.set_my_commands([BotCommand("batal", "Batalkan")], scope=scoped, language_code="id")
    assert [c.command for c in await bot.get_my_commands()] == ["start", "lapor"]
    assert [c.command for c in await bot.get_my_commands(scope=scoped, language_code="id")] == [
        "batal"
    ]
    assert await bad_request(bot.set_my_commands([BotCommand("Lapor", "x")])) == r.ptb_message(
        r.ERR_COMMAND_INVALID
    )
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()

    await bot.set_chat_menu_button(chat_id=user.id, menu_button=MenuButtonCommands())
    assert isinstance(await bot.get_chat_menu_button(chat_id=user.id), MenuButtonCommands)
    await bot.send_chat_action(user.id, ChatAction.TYPING)
    assert user.actions == ["typing"]

    chief = emu.user(user_id=4004, first_name="Kapolsek")
    group = emu.group(chat_id=-100700, title="Polsek Kota", members=[user], admins=[chief])
    assert (await bot.get_chat(group.id)).title == "Polsek Kota"
    assert (await bot.get_chat_member(group.id, chief.id)).status == "administrator"
    assert (await bot.get_chat_member(group.id, user.id)).status == "member"
    assert [a.user.id for a in await bot.get_chat_administrators(group.id)] == [chief.id]
    assert await bot.leave_chat(group.id)
    assert (await bot.get_chat_member(group.id, bot.id)).status == "left"


async def test_http_accepts_json_query_and_refuses_bad_paths(emu: Emulator) -> None:
    base_url, _ = await emu.start_http()
    budi = emu.user()
    await budi.send("/start")
    try:
        async with httpx.AsyncClient() as client:
            sent = await client.post(
                f"{base_url}{emu.token}/sendMessage",
                json={"chat_id": budi.id, "text": "json", "reply_markup": {"inline_keyboard": []}},
            )
            assert sent.json()["result"]["text"] == "json"
            me = await client.get(f"{base_url}{emu.token}/getme")  # names are case-insensitive
            assert me.json()["result"]["username"] == "polmas_test_bot"
            query = await client.get(
                f"{base_url}{emu.token}/sendMessage", params={"chat_id": budi.id, "text": "q"}
            )
            assert query.json()["ok"] is True
            unknown = await client.post(f"{base_url}{emu.token}/sendTelepathy")
            assert unknown.status_code == 404
            assert unknown.json()["description"] == r.ERR_METHOD_NOT_FOUND
            wrong = await client.post(f"{base_url}999:WRONG/getMe")
            assert wrong.status_code == 401
        assert budi.texts == ["json", "q"]
    finally:
        await emu.stop_http()
