"""Webhook mode attacked from the network (issue 19, item 8 and the webhook part of the suite).

A real ``python -m bot`` process in webhook mode, at DEBUG, against the emulator. Whoever can
reach the port sends requests without or with a wrong secret, a 20 MB body (declared and
chunked), malformed JSON, arrays, invalid UTF-8, unknown kinds, and holds 20 slow connections
open; meanwhile a real update must still be handled, the process's memory must stay put, and
neither the token nor the secret may appear in its log.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path

import httpx

from bot.webhook import MAX_BODY_BYTES
from emulator import Emulator
from tests.conftest import TOKEN
from tests.support.run_modes import SECRET, start_bot, stop_bot, webhook_env

BIG = 20 * 1024 * 1024
ATTACKERS = 10
SLOW = 20


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


async def raw_post(port: int, path: str, headers: dict[str, str], body: bytes,
                   *, chunked: bool = False) -> str:
    """POST ``body`` over a bare socket as fast as the server reads; return the status line
    (or "closed" when the server hung up before answering)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in headers.items())
    head += "Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {len(body)}\r\n"
    try:
        writer.write(head.encode() + b"\r\n")
        step = 256 * 1024
        for start in range(0, len(body), step):
            piece = body[start:start + step]
            writer.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            await writer.drain()
        if chunked:
            writer.write(b"0\r\n\r\n")
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    try:
        line = await asyncio.wait_for(reader.readline(), timeout=10)
    except (ConnectionError, OSError, TimeoutError):
        line = b""
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await writer.wait_closed()
    return line.decode(errors="replace").strip() or "closed"


async def test_webhook_attacks_do_not_stop_a_real_update(tmp_path: Path):
    emu = Emulator(token=TOKEN, bot_username="polmas_test_bot", bot_id=123456)
    env, hook = await webhook_env(emu, tmp_path)
    port, path = int(env["WEBHOOK_PORT"]), "/tg/hook"
    user = emu.user(1001, "Budi")
    json_type = {"Content-Type": "application/json"}
    good = {**json_type, "X-Telegram-Bot-Api-Secret-Token": SECRET}
    process = await start_bot(env, tmp_path)
    slow: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    try:
        await emu.wait_for(lambda: emu.webhook_url == hook, timeout=30)
        async with httpx.AsyncClient(timeout=10) as client:
            statuses: list[int] = []

            async def post(update: dict, headers: dict[str, str]) -> None:
                response = await client.post(hook, content=json.dumps(update), headers=headers)
                statuses.append(response.status_code)

            # Warm up (imports, first update) so that memory is measured from a steady state.
            emu.deliver = lambda update: post(update, good)
            await user.send("/start")
            await user.wait_for_message(timeout=30)
            before = rss_mb(process.pid)

            # No secret, a wrong one, the right one with a wrong case: 403, nothing handled.
            for headers in (json_type, {**json_type, "X-Telegram-Bot-Api-Secret-Token": "x"},
                            {**json_type, "X-Telegram-Bot-Api-Secret-Token": SECRET.lower()}):
                emu.deliver = lambda update, h=headers: post(update, h)
                await user.send("/bantuan")
            assert statuses[-3:] == [403, 403, 403]

            # 20 MB bodies, ten at once, without the secret and with it, declared and chunked:
            # refused on the headers or cut at the cap, never read into memory.
            body = b"{" + b" " * BIG + b"}"
            answers = await asyncio.gather(*(
                raw_post(port, path, headers, body, chunked=chunked)
                for headers in (json_type, good) for chunked in (False, True)
                for _ in range(ATTACKERS // 2)
            ))
            grown = rss_mb(process.pid) - before
            print(f"webhook: {len(answers)} bodies of 20 MB: {sorted(set(answers))};"
                  f" memory {before:.0f} MB -> +{grown:.0f} MB")
            assert not any(" 200" in answer for answer in answers), answers
            assert grown < 40  # PTB's server took ~20 MB per concurrent body

            # Malformed: not JSON, invalid UTF-8, an array, no update id, a body just past the
            # cap, an unknown update kind (ignored, as Telegram's new kinds must be).
            for content in (b"{", b'{"update_id": 1, "message": "\xff\xfe"}', b"[1, 2]",
                            b'{"message": {}}', b'{"update_id": "7"}'):
                response = await client.post(hook, content=content, headers=good)
                assert response.status_code == 400, (content, response)
            past_cap = b'{"update_id": 1, "x": "' + b"a" * MAX_BODY_BYTES + b'"}'
            assert await raw_post(port, path, good, past_cap) in (
                "HTTP/1.1 413 Request Entity Too Large", "closed")
            response = await client.post(hook, headers=good, content=json.dumps(
                {"update_id": 10**6, "future_kind": {"x": 1}}))
            assert response.status_code == 200

            # Twenty connections that send half their headers and then nothing.
            for _ in range(SLOW):
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.write(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Len".encode())
                await writer.drain()
                slow.append((reader, writer))

            # Meanwhile a real update is handled.
            handled_before = len(user.messages)
            emu.deliver = lambda update: post(update, good)
            await user.send("/bantuan")
            await user.wait_for_message(timeout=30)
            assert statuses[-1] == 200
            assert len(user.messages) == handled_before + 1
            assert process.returncode is None
    finally:
        for _, writer in slow:
            writer.close()
        code, logs = await stop_bot(process)
        await emu.stop_http()
    assert code == 0, logs
    # Only the /start and the last /bantuan were answered (the 403s handled nothing).
    assert len([c for c in emu.calls_to("sendMessage")]) == 2, logs
    assert "webhook server listening" in logs  # DEBUG logging was on
    assert "Traceback" not in logs, logs
    for secret in (SECRET, TOKEN, TOKEN.split(":", 1)[1]):
        assert secret.lower() not in logs.lower()
