"""Charts for summaries and recaps, drawn with Pillow to be read on a phone.

Telegram shrinks a photo's long side to 1280 px, so a chart is 1080 px wide and kept about as
tall as it is wide: large type (the shipped Roboto, which has every Indonesian character and
dash), titles wrapped (never cut), a label column beside each bar, the number at the bar's end,
and a capped number of rows per section. Categories beyond the cap fold into one row named
with how many it holds ("Lainnya (4 kategori)", never mistaken for a real "Lainnya"); for
officers the rest is a line of text ("+ 82 anggota lainnya: 140 laporan"), not a bar that
would dwarf every named officer. Nothing is drawn within ``MARGIN`` of an edge.

All text arrives from the caller (already translated); this module only draws. Rendering is
blocking: callers run it through ``asyncio.to_thread``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from domain.text import fit_width

CHART_FONT = Path(__file__).resolve().parent / "fonts" / "Roboto-Medium.ttf"
WIDTH = 1080
MARGIN = 48
TITLE_PX = 52
SUBTITLE_PX = 34
SECTION_PX = 40
LABEL_PX = 34
ROW_HEIGHT = 58
BAR_HEIGHT = 40
MAX_ROWS = 10
"""Rows per section; the caller folds the rest into an "others" row."""

BACKGROUND = (255, 255, 255)
INK = (33, 33, 33)
MUTED = (110, 110, 110)
GRID = (224, 224, 224)
PALETTE = ((21, 101, 192), (46, 125, 50), (198, 40, 40), (239, 108, 0), (106, 27, 154))
# The coverage grid: three kelurahan to a row, coloured by visits, marked for complaints.
GRID_COLUMNS, CELL_HEIGHT, CELL_GAP = 3, 132, 12
NOT_VISITED, VISITED, VISITED_OFTEN = (255, 205, 210), (200, 230, 201), (129, 199, 132)
COMPLAINT_MARK = (239, 108, 0)


@dataclass(frozen=True)
class BarSection:
    """One block of horizontal bars: a heading, (label, value) rows, a text when empty, and
    an optional line under the bars for what has no bar of its own (the other officers)."""

    title: str
    bars: Sequence[tuple[str, int]]
    empty: str
    rest: str = ""


def _font(size: int) -> ImageFont.FreeTypeFont:
    # A new face per call: FreeType faces must not be shared between worker threads.
    return ImageFont.truetype(str(CHART_FONT), size)


def _fit(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    """``text``, shortened with "…" until it fits ``width`` pixels (bar labels only)."""
    return fit_width(text, width, lambda part: draw.textlength(part, font=font))


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """``text`` broken into lines of at most ``width`` pixels, at spaces (a word longer than
    a line is cut where it must be)."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and font.getlength(candidate) <= width:
            lines[-1] = candidate
            continue
        while font.getlength(word) > width and len(word) > 1:
            cut = next(n for n in range(len(word), 0, -1) if font.getlength(word[:n]) <= width
                       or n == 1)
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    return lines or [""]


def _heading(draw: ImageDraw.ImageDraw, y: int, lines: Sequence[str],
             font: ImageFont.FreeTypeFont, size: int, fill: tuple[int, int, int]) -> int:
    """Draw wrapped lines from ``y``; the y below them."""
    for line in lines:
        draw.text((MARGIN, y), line, font=font, fill=fill)
        y += round(size * 1.2)
    return y


def fold_rows(rows: Sequence[tuple[str, int]], others: Callable[[int], str],
              limit: int = MAX_ROWS) -> list[tuple[str, int]]:
    """At most ``limit`` rows: the first ``limit - 1`` and one row summing the rest, named by
    ``others(n)`` with the number of rows it holds ("Lainnya (4 kategori)")."""
    if len(rows) <= limit:
        return list(rows)
    kept, rest = list(rows[: limit - 1]), rows[limit - 1 :]
    return [*kept, (others(len(rest)), sum(value for _, value in rest))]


def top_rows(rows: Sequence[tuple[str, int]], limit: int = MAX_ROWS
             ) -> tuple[list[tuple[str, int]], int, int]:
    """The first ``limit`` rows, then how many rows are left and their total (shown as text,
    not as a bar)."""
    rest = rows[limit:]
    return list(rows[:limit]), len(rest), sum(value for _, value in rest)


def bar_chart(title: str, subtitle: str, sections: Sequence[BarSection]) -> bytes:
    """A PNG of horizontal bar sections under one title, 1080 px wide."""
    title_font, subtitle_font = _font(TITLE_PX), _font(SUBTITLE_PX)
    section_font, label_font = _font(SECTION_PX), _font(LABEL_PX)
    inner = WIDTH - 2 * MARGIN
    title_lines = wrap(title, title_font, inner)
    subtitle_lines = wrap(subtitle, subtitle_font, inner)
    section_lines = [wrap(section.title, section_font, inner) for section in sections]
    rest_lines = [wrap(section.rest, label_font, inner) if section.rest else []
                  for section in sections]
    rows = sum(max(1, len(section.bars)) for section in sections)
    height = (
        MARGIN + len(title_lines) * round(TITLE_PX * 1.2) + 4
        + len(subtitle_lines) * round(SUBTITLE_PX * 1.2) + 12
        + sum(12 + len(lines) * round(SECTION_PX * 1.2) + 4 for lines in section_lines)
        + rows * ROW_HEIGHT
        + sum(len(lines) * round(LABEL_PX * 1.2) + 8 for lines in rest_lines if lines)
        + MARGIN
    )
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    y = _heading(draw, MARGIN, title_lines, title_font, TITLE_PX, INK) + 4
    y = _heading(draw, y, subtitle_lines, subtitle_font, SUBTITLE_PX, MUTED) + 12
    label_width = round(inner * 0.42)
    bar_left = MARGIN + label_width + 16
    values = [str(value) for section in sections for _, value in section.bars]
    value_room = round(max([draw.textlength("000", font=label_font)]
                           + [draw.textlength(v, font=label_font) for v in values])) + 12
    bar_room = WIDTH - MARGIN - bar_left - value_room
    for index, section in enumerate(sections):
        colour = PALETTE[index % len(PALETTE)]
        y = _heading(draw, y + 12, section_lines[index], section_font, SECTION_PX, INK) + 4
        if not section.bars:
            draw.text((MARGIN, y + 8), _fit(draw, section.empty, label_font, inner),
                      font=label_font, fill=MUTED)
            y += ROW_HEIGHT
        top = max((value for _, value in section.bars), default=0) or 1
        for label, value in section.bars:
            middle = y + ROW_HEIGHT // 2
            text = _fit(draw, label, label_font, label_width)
            draw.text((MARGIN, middle), text, font=label_font, fill=INK, anchor="lm")
            draw.rectangle((bar_left, y + 8, bar_left + bar_room, y + 8 + BAR_HEIGHT), fill=GRID)
            length = round(bar_room * value / top)
            if length > 0:
                draw.rectangle((bar_left, y + 8, bar_left + length, y + 8 + BAR_HEIGHT),
                               fill=colour)
            draw.text((bar_left + bar_room + 12, middle), str(value), font=label_font, fill=INK,
                      anchor="lm")
            y += ROW_HEIGHT
        if rest_lines[index]:
            y = _heading(draw, y + 4, rest_lines[index], label_font, LABEL_PX, MUTED) + 4
    return _png(image)


def line_chart(
    title: str, subtitle: str, points: Sequence[tuple[str, float]], *, empty: str
) -> bytes:
    """A PNG line chart of shares (0..1) over time, e.g. the weekly reporting rate, each
    point labelled with its percentage."""
    height = 900
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    title_font, subtitle_font, label_font = _font(TITLE_PX), _font(SUBTITLE_PX), _font(LABEL_PX)
    inner = WIDTH - 2 * MARGIN
    y = _heading(draw, MARGIN, wrap(title, title_font, inner), title_font, TITLE_PX, INK) + 4
    y = _heading(draw, y, wrap(subtitle, subtitle_font, inner), subtitle_font, SUBTITLE_PX,
                 MUTED)
    left = MARGIN + round(draw.textlength("100%", font=label_font)) + 16
    top = y + LABEL_PX + 40  # room for the value over a point at 100 %
    bottom = height - MARGIN - LABEL_PX - 24
    right = WIDTH - MARGIN - round(draw.textlength("100%", font=label_font)) // 2
    for step in range(5):
        share = step / 4
        grid_y = round(bottom - (bottom - top) * share)
        draw.line((left, grid_y, right, grid_y), fill=GRID, width=2)
        draw.text((left - 12, grid_y), f"{round(share * 100)}%", font=label_font, fill=MUTED,
                  anchor="rm")
    if not points:
        draw.text(((left + right) // 2, (top + bottom) // 2), empty, font=label_font,
                  fill=MUTED, anchor="mm")
        return _png(image)
    span = max(1, len(points) - 1)
    pad = round(draw.textlength("100%", font=label_font) / 2) + 12  # labels clear the axis
    first, last = left + pad, right - pad
    xy = [
        (
            round(first + (last - first) * (index / span if len(points) > 1 else 0.5)),
            round(bottom - (bottom - top) * min(1.0, max(0.0, value))),
        )
        for index, (_, value) in enumerate(points)
    ]
    if len(xy) > 1:
        draw.line(xy, fill=PALETTE[0], width=6, joint="curve")
    every = max(1, -(-len(points) // 8))
    for index, ((label, value), (x, point_y)) in enumerate(zip(points, xy, strict=True)):
        draw.ellipse((x - 9, point_y - 9, x + 9, point_y + 9), fill=PALETTE[0])
        if index % every == 0 or index == len(points) - 1:
            draw.text((_inside(draw, label, label_font, x), bottom + 16), label,
                      font=label_font, fill=INK, anchor="mt")
            percent = f"{round(min(1.0, max(0.0, value)) * 100)}%"
            at = (_inside(draw, percent, label_font, x), point_y - 16)
            # On a white ground: the line may run behind the number.
            box = draw.textbbox(at, percent, font=label_font, anchor="mb")
            draw.rectangle((box[0] - 4, box[1] - 2, box[2] + 4, box[3] + 2), fill=BACKGROUND)
            draw.text(at, percent, font=label_font, fill=INK, anchor="mb")
    return _png(image)


def _inside(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, x: int) -> int:
    """The centre for ``text`` at ``x``, moved in so it keeps ``MARGIN`` from both edges."""
    half = round(draw.textlength(text, font=font) / 2)
    return max(MARGIN + half, min(WIDTH - MARGIN - half, x))


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    # optimize=True halves the speed for a few percent of size: not worth it here.
    image.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


# ---- coverage grid -------------------------------------------------------------------------

@dataclass(frozen=True)
class GridCell:
    """One kelurahan of a coverage grid: its name, visits and complaints in the period."""

    label: str
    visits: int
    complaints: int


def cell_colour(visits: int) -> tuple[int, int, int]:
    """Not visited, visited once, visited more often."""
    if visits <= 0:
        return NOT_VISITED
    return VISITED if visits == 1 else VISITED_OFTEN


def coverage_grid(title: str, subtitle: str, cells: Sequence[GridCell], *,
                  legend: Sequence[str], empty: str) -> bytes:
    """A PNG grid of kelurahan coloured by visits, a bar along the bottom of each cell that had
    complaints, 1080 px wide. ``legend`` names not visited, visited and complaints."""
    rows = max(1, -(-len(cells) // GRID_COLUMNS))
    title_font, label_font, small_font = _font(TITLE_PX), _font(LABEL_PX), _font(SUBTITLE_PX)
    inner = WIDTH - 2 * MARGIN
    title_lines, subtitle_lines = wrap(title, title_font, inner), wrap(subtitle, small_font, inner)
    titles = (len(title_lines) * round(TITLE_PX * 1.2) + 4
              + len(subtitle_lines) * round(SUBTITLE_PX * 1.2) + 12)
    header = MARGIN + titles + LABEL_PX + 24
    height = header + rows * (CELL_HEIGHT + CELL_GAP) + MARGIN
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    y = _heading(draw, MARGIN, title_lines, title_font, TITLE_PX, INK) + 4
    y = _heading(draw, y, subtitle_lines, small_font, SUBTITLE_PX, MUTED) + 12
    x = MARGIN
    for text, colour in zip(legend, (NOT_VISITED, VISITED_OFTEN, COMPLAINT_MARK), strict=False):
        draw.rectangle((x, y + 4, x + LABEL_PX - 8, y + LABEL_PX - 4), fill=colour)
        x += LABEL_PX
        draw.text((x, y), text, font=small_font, fill=INK)
        x += round(draw.textlength(text, font=small_font)) + 32
    y = header
    if not cells:
        draw.text((WIDTH // 2, y + CELL_HEIGHT // 2), empty, font=label_font, fill=MUTED,
                  anchor="mm")
        return _png(image)
    cell_width = (inner - (GRID_COLUMNS - 1) * CELL_GAP) // GRID_COLUMNS
    for index, cell in enumerate(cells):
        left = MARGIN + (index % GRID_COLUMNS) * (cell_width + CELL_GAP)
        top = y + (index // GRID_COLUMNS) * (CELL_HEIGHT + CELL_GAP)
        draw.rectangle((left, top, left + cell_width, top + CELL_HEIGHT),
                       fill=cell_colour(cell.visits))
        if cell.complaints:
            draw.rectangle((left, top + CELL_HEIGHT - 14, left + cell_width, top + CELL_HEIGHT),
                           fill=COMPLAINT_MARK)
        draw.text((left + 14, top + 14), _fit(draw, cell.label, label_font, cell_width - 28),
                  font=label_font, fill=INK)
        draw.text((left + 14, top + 14 + LABEL_PX + 16), f"{cell.visits} / {cell.complaints}",
                  font=title_font, fill=INK)
    return _png(image)
