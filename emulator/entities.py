"""Telegram-style parsing of formatted text (HTML, MarkdownV2, legacy Markdown).

Telegram refuses a message whose markup it cannot parse; a bot that forgets to escape user
input (``<``, ``&`` in HTML; ``.``, ``-``, ``!`` in MarkdownV2) fails only in production unless
the emulator refuses it too. These parsers follow the rules of TDLib's ``parse_html`` /
``parse_markdown_v2`` closely enough to reproduce its errors, and they return the plain text plus
entities (offsets in UTF-16 code units) so edits can be compared the way Telegram compares them.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

Entity = dict[str, Any]

_HTML_TAGS = {
    "a",
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "code",
    "pre",
    "span",
    "tg-spoiler",
    "tg-emoji",
    "blockquote",
    "tg-time",
}
_HTML_ENTITY_TYPE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "tg-emoji": "custom_emoji",
    "blockquote": "blockquote",
    "a": "text_link",
    "tg-time": "date_time",
}
_NAMED_HTML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_ENTITY_RE = re.compile(r"&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{1,10});")
_MARKUP_RE = re.compile(r"[<&]")
_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")


class EntityParseError(ValueError):
    """Markup Telegram would refuse; the message is Telegram's wording after the prefix."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


class _Builder:
    """Accumulates plain text while tracking the UTF-16 position for entity offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0
        self.entities: list[Entity] = []

    def add(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.pos += utf16_len(chunk)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        length = self.pos - start
        if length > 0:
            self.entities.append({"type": kind, "offset": start, "length": length, **extra})

    def result(self) -> tuple[str, list[Entity]]:
        return "".join(self.parts), sort_entities(self.entities)


def sort_entities(entities: list[Entity]) -> list[Entity]:
    """Order entities the way Telegram returns them: by offset, longer first."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def _decode_html_entities(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        if name.startswith("#x"):
            code = int(name[2:], 16)
        elif name.startswith("#"):
            code = int(name[1:])
        elif name in _NAMED_HTML_ENTITIES:
            return _NAMED_HTML_ENTITIES[name]
        else:
            return m.group(0)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return m.group(0)
        return chr(code)

    return _HTML_ENTITY_RE.sub(repl, text)


def parse_html(text: str) -> tuple[str, list[Entity]]:
    """Parse Telegram HTML into plain text and entities, raising like Telegram does."""
    out = _Builder()
    stack: list[tuple[str, int, dict[str, str]]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "&":
            m = _HTML_ENTITY_RE.match(text, i)
            if m:
                out.add(_decode_html_entities(m.group(0)))
                i = m.end()
            else:
                out.add("&")
                i += 1
            continue
        if c != "<":
            # A run of plain text up to the next tag or entity, added at once (one UTF-16
            # count for the run instead of one per character).
            end = _MARKUP_RE.search(text, i)
            stop = end.start() if end else n
            out.add(text[i:stop])
            i = stop
            continue
        begin = _byte_offset(text, i)
        if i + 1 < n and text[i + 1] == "/":
            j = i + 2
            while j < n and text[j] not in " \t\r\n>":
                j += 1
            name = text[i + 2 : j].lower()
            while j < n and text[j] in " \t\r\n":
                j += 1
            if j >= n or text[j] != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
            tag, start, attrs = stack[-1]
            if name != tag:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {begin}, expected "</{tag}>", '
                    f'found "</{name}>"'
                )
            stack.pop()
            _close_html_tag(out, tag, start, attrs, stack)
            i = j + 1
            continue
        j = i + 1
        while j < n and text[j] not in " \t\r\n>":
            j += 1
        name = text[i + 1 : j].lower()
        if name not in _HTML_TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {begin}')
        attrs, j = _parse_html_attributes(text, j, name, begin)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {begin}'
            )
        stack.append((name, out.pos, attrs))
        i = j
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return out.result()


def _parse_html_attributes(text: str, j: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    """Read ``name="value"`` pairs up to ``>``; return them and the index after ``>``."""
    attrs: dict[str, str] = {}
    n = len(text)
    while True:
        while j < n and text[j] in " \t\r\n":
            j += 1
        if j >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        if text[j] == ">":
            return attrs, j + 1
        k = j
        while k < n and text[k] not in " \t\r\n=>":
            k += 1
        attr = text[j:k].lower()
        if k >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        if text[k] != "=" and tag == "blockquote" and attr == "expandable":
            # ``<blockquote expandable>``: Telegram's one attribute without a value.
            attrs[attr] = ""
            j = k
            continue
        if text[k] != "=":
            raise EntityParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                f"at byte offset {begin}"
            )
        k += 1
        if k >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
        if text[k] in "\"'":
            quote = text[k]
            end = text.find(quote, k + 1)
            if end < 0:
                raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
            value = text[k + 1 : end]
            j = end + 1
        else:
            end = k
            while end < n and (text[end].isalnum() or text[end] in ".-_"):
                end += 1
            value = text[k:end]
            j = end
        attrs[attr] = _decode_html_entities(value)


def _close_html_tag(
    out: _Builder,
    tag: str,
    start: int,
    attrs: dict[str, str],
    stack: list[tuple[str, int, dict[str, str]]],
) -> None:
    kind = _HTML_ENTITY_TYPE[tag]
    if tag == "a":
        href = attrs.get("href", "")
        if href:
            out.entity("text_link", start, url=href)
        return
    if tag == "code" and stack and stack[-1][0] == "pre":
        language = attrs.get("class", "")
        if language.startswith("language-"):
            # <pre><code class="language-x"> sets the language of the enclosing pre.
            stack[-1][2]["language"] = language.removeprefix("language-")
            return
    if tag == "pre" and attrs.get("language"):
        out.entity("pre", start, language=attrs["language"])
        return
    if tag == "blockquote" and "expandable" in attrs:
        out.entity("expandable_blockquote", start)
        return
    if tag == "tg-time":
        # ``<tg-time unix="…" format="…">`` (Bot API 10): a date_time entity.
        unix = attrs.get("unix", "")
        if not unix.lstrip("-").isdigit():
            raise EntityParseError("Invalid Unix time specified")
        extra: dict[str, Any] = {"unix_time": int(unix)}
        if attrs.get("format"):
            extra["date_time_format"] = attrs["format"]
        out.entity("date_time", start, **extra)
        return
    if tag == "tg-emoji":
        out.entity("custom_emoji", start, custom_emoji_id=attrs.get("emoji-id", ""))
        return
    out.entity(kind, start)


_MDV2_OPEN = {
    "*": "bold",
    "_": "italic",
    "__": "underline",
    "~": "strikethrough",
    "||": "spoiler",
    "[": "text_link",
    "`": "code",
    "```": "pre",
}
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "code": "Code",
    "pre": "Pre",
}


def parse_markdown_v2(text: str) -> tuple[str, list[Entity]]:
    """Parse MarkdownV2, insisting on escaped reserved characters as Telegram does."""
    out = _Builder()
    stack: list[_Open] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            out.add(text[i + 1])
            i += 2
            continue
        top = stack[-1].token if stack else None
        if top in ("`", "```"):
            assert top is not None
            if text.startswith(top, i):
                _close_mdv2(out, stack)
                i += len(top)
            else:
                out.add(c)
                i += 1
            continue
        if c not in _MDV2_RESERVED:
            out.add(c)
            i += 1
            continue
        begin = _byte_offset(text, i)
        # Closing the innermost entity?
        closing = next(
            (t for t in ("__", "||", "*", "_", "~") if top == t and text.startswith(t, i)), None
        )
        if closing:
            _close_mdv2(out, stack)
            i += len(closing)
            continue
        if top == "[" and c == "]":
            start = stack.pop().start
            i += 1
            if i < n and text[i] == "(":
                url, i = _read_mdv2_url(text, i + 1, begin)
                out.entity("text_link", start, url=url)
            continue
        # Opening a new entity?
        if text.startswith("```", i):
            j = text.find("\n", i + 3)
            language = ""
            if j >= 0 and re.fullmatch(r"[A-Za-z0-9_+-]*", text[i + 3 : j]):
                language = text[i + 3 : j]
                i = j + 1
            else:
                i += 3
            stack.append(_Open("```", out.pos, begin, language))
            continue
        token = next((t for t in ("__", "||") if text.startswith(t, i)), c)
        if token in ("__", "||", "*", "_", "~", "[", "`"):
            stack.append(_Open(token, out.pos, begin))
            i += len(token)
            continue
        if c == ">" and (i == 0 or text[i - 1] == "\n"):
            i = _mdv2_blockquote(text, i, out)
            continue
        raise EntityParseError(
            f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
        )
    if stack:
        opened = stack[-1]
        name = _MDV2_NAMES[_MDV2_OPEN[opened.token]]
        raise EntityParseError(f"Can't find end of {name} entity at byte offset {opened.byte}")
    return out.result()


class _Open(NamedTuple):
    token: str
    start: int
    byte: int
    language: str = ""


def _mdv2_blockquote(text: str, i: int, out: _Builder) -> int:
    """Parse ``>`` lines into one blockquote entity; return the index after them."""
    start = out.pos
    n = len(text)
    i += 1
    while True:
        j = text.find("\n", i)
        line_end = n if j < 0 else j
        line_text, line_entities = parse_markdown_v2(text[i:line_end])
        for e in line_entities:
            out.entities.append({**e, "offset": e["offset"] + out.pos})
        out.add(line_text)
        i = line_end
        if text.startswith("\n>", i):
            out.add("\n")
            i += 2
            continue
        out.entity("blockquote", start)
        return i


def _close_mdv2(out: _Builder, stack: list[_Open]) -> None:
    opened = stack.pop()
    kind = _MDV2_OPEN[opened.token]
    if opened.language:
        out.entity(kind, opened.start, language=opened.language)
    else:
        out.entity(kind, opened.start)


def _read_mdv2_url(text: str, i: int, begin: int) -> tuple[str, int]:
    url: list[str] = []
    n = len(text)
    while i < n and text[i] != ")":
        if text[i] == "\\" and i + 1 < n:
            url.append(text[i + 1])
            i += 2
            continue
        url.append(text[i])
        i += 1
    if i >= n:
        raise EntityParseError(f"Can't find end of a URL at byte offset {begin}")
    return "".join(url), i + 1


def parse_markdown(text: str) -> tuple[str, list[Entity]]:
    """Parse legacy Markdown (``*bold*``, ``_italic_``, backticks, ``[text](url)``)."""
    out = _Builder()
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.add(text[i + 1])
            i += 2
            continue
        if c not in "_*`[":
            out.add(c)
            i += 1
            continue
        begin = _byte_offset(text, i)
        start = out.pos
        if text.startswith("```", i):
            end = text.find("```", i + 3)
            if end < 0:
                raise EntityParseError(
                    f"Can't find end of the entity starting at byte offset {begin}"
                )
            body = text[i + 3 : end]
            language = ""
            nl = body.find("\n")
            if nl > 0 and re.fullmatch(r"[A-Za-z0-9_+-]+", body[:nl]):
                language, body = body[:nl], body[nl + 1 :]
            out.add(body)
            if language:
                out.entity("pre", start, language=language)
            else:
                out.entity("pre", start)
            i = end + 3
            continue
        closer = "]" if c == "[" else c
        end = text.find(closer, i + 1)
        if end < 0:
            raise EntityParseError(f"Can't find end of the entity starting at byte offset {begin}")
        out.add(text[i + 1 : end])
        i = end + 1
        if c == "[":
            if i < n and text[i] == "(":
                close = text.find(")", i)
                if close < 0:
                    raise EntityParseError(
                        f"Can't find end of the entity starting at byte offset {begin}"
                    )
                out.entity("text_link", start, url=text[i + 1 : close])
                i = close + 1
            continue
        out.entity({"*": "bold", "_": "italic", "`": "code"}[c], start)
    return out.result()


def strip_text(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Trim surrounding whitespace as Telegram does, keeping entities aligned."""
    stripped_left = text.lstrip()
    shift = utf16_len(text) - utf16_len(stripped_left)
    result = stripped_left.rstrip()
    total = utf16_len(result)
    fixed: list[Entity] = []
    for e in entities:
        start = max(e["offset"] - shift, 0)
        end = min(e["offset"] + e["length"] - shift, total)
        if end > start:
            fixed.append({**e, "offset": start, "length": end - start})
    return result, fixed


def parse_formatted(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Parse ``text`` for the given ``parse_mode``; unknown modes are refused like Telegram."""
    if not parse_mode:
        return text, []
    mode = parse_mode.lower()
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    raise EntityParseError(f"Unsupported parse_mode {parse_mode!r}")
