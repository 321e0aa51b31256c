"""Charts for summaries and recaps, drawn with Pillow to be read on a phone.

Telegram shrinks a photo's long side to 1280 px, so a chart is 1080 px wide and kept about as
tall as it is wide: large type (the shipped Roboto, which has every Indonesian character and
dash), a label column beside each bar, the number at the bar's end, and a capped number of
rows per section (the rest summed into one "others" row by the caller's label).

All text arrives from the caller (already translated); this module only draws. Rendering is
blocking: callers run it through ``asyncio.to_thread``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

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
    """One block of horizontal bars: a heading, (label, value) rows, a text when empty."""

    title: str
    bars: Sequence[tuple[str, int]]
    empty: str


def _font(size: int) -> ImageFont.FreeTypeFont:
    # A new face per call: FreeType faces must not be shared between worker threads.
    return ImageFont.truetype(str(CHART_FONT), size)


def _fit(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    """``text``, shortened with "…" until it fits ``width`` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _heading(draw: ImageDraw.ImageDraw, title: str, subtitle: str) -> int:
    """Draw the title and subtitle at the top; returns where the content starts."""
    title_font, subtitle_font = _font(TITLE_PX), _font(SUBTITLE_PX)
    inner = WIDTH - 2 * MARGIN
    draw.text((MARGIN, MARGIN), _fit(draw, title, title_font, inner), font=title_font, fill=INK)
    y = MARGIN + TITLE_PX + 16
    draw.text((MARGIN, y), _fit(draw, subtitle, subtitle_font, inner), font=subtitle_font,
              fill=MUTED)
    return y + SUBTITLE_PX + 24


def fold_rows(rows: Sequence[tuple[str, int]], others: str, limit: int = MAX_ROWS) -> list[
    tuple[str, int]
]:
    """At most ``limit`` rows: the first ``limit - 1`` and one ``others`` row summing the rest."""
    if len(rows) <= limit:
        return list(rows)
    kept = list(rows[: limit - 1])
    return [*kept, (others, sum(value for _, value in rows[limit - 1 :]))]


def bar_chart(title: str, subtitle: str, sections: Sequence[BarSection]) -> bytes:
    """A PNG of horizontal bar sections under one title, 1080 px wide."""
    rows = sum(max(1, len(section.bars)) for section in sections)
    height = (
        MARGIN + TITLE_PX + 16 + SUBTITLE_PX + 24
        + len(sections) * (SECTION_PX + 28)
        + rows * ROW_HEIGHT
        + MARGIN
    )
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    section_font, label_font = _font(SECTION_PX), _font(LABEL_PX)
    inner = WIDTH - 2 * MARGIN
    y = _heading(draw, title, subtitle)
    label_width = round(inner * 0.42)
    bar_left = MARGIN + label_width + 16
    value_room = round(draw.textlength("00000", font=label_font)) + 12
    bar_room = WIDTH - MARGIN - bar_left - value_room
    for index, section in enumerate(sections):
        colour = PALETTE[index % len(PALETTE)]
        y += 12
        draw.text((MARGIN, y), _fit(draw, section.title, section_font, inner),
                  font=section_font, fill=INK)
        y += SECTION_PX + 16
        if not section.bars:
            draw.text((MARGIN, y + 8), section.empty, font=label_font, fill=MUTED)
            y += ROW_HEIGHT
            continue
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
    return _png(image)


def line_chart(
    title: str, subtitle: str, points: Sequence[tuple[str, float]], *, empty: str
) -> bytes:
    """A PNG line chart of shares (0..1) over time, e.g. the weekly reporting rate."""
    height = 900
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    title_font, subtitle_font, label_font = _font(TITLE_PX), _font(SUBTITLE_PX), _font(LABEL_PX)
    inner = WIDTH - 2 * MARGIN
    draw.text((MARGIN, MARGIN), _fit(draw, title, title_font, inner), font=title_font, fill=INK)
    draw.text((MARGIN, MARGIN + TITLE_PX + 16), _fit(draw, subtitle, subtitle_font, inner),
              font=subtitle_font, fill=MUTED)
    left = MARGIN + round(draw.textlength("100%", font=label_font)) + 16
    top = MARGIN + TITLE_PX + SUBTITLE_PX + 72
    bottom = height - MARGIN - LABEL_PX - 24
    right = WIDTH - MARGIN - 16
    for step in range(5):
        share = step / 4
        y = round(bottom - (bottom - top) * share)
        draw.line((left, y, right, y), fill=GRID, width=2)
        draw.text((left - 12, y), f"{round(share * 100)}%", font=label_font, fill=MUTED,
                  anchor="rm")
    if not points:
        draw.text(((left + right) // 2, (top + bottom) // 2), empty, font=label_font,
                  fill=MUTED, anchor="mm")
        return _png(image)
    span = max(1, len(points) - 1)
    xy = [
        (
            round(left + (right - left) * (index / span if len(points) > 1 else 0.5)),
            round(bottom - (bottom - top) * min(1.0, max(0.0, value))),
        )
        for index, (_, value) in enumerate(points)
    ]
    if len(xy) > 1:
        draw.line(xy, fill=PALETTE[0], width=6, joint="curve")
    every = max(1, len(points) // 8)
    for index, ((label, _), (x, y)) in enumerate(zip(points, xy, strict=True)):
        draw.ellipse((x - 9, y - 9, x + 9, y + 9), fill=PALETTE[0])
        if index % every == 0 or index == len(points) - 1:
            draw.text((x, bottom + 16), label, font=label_font, fill=INK, anchor="mt")
    return _png(image)


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
    header = MARGIN + TITLE_PX + 16 + SUBTITLE_PX + 24 + LABEL_PX + 24
    height = header + rows * (CELL_HEIGHT + CELL_GAP) + MARGIN
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    title_font, label_font, small_font = _font(TITLE_PX), _font(LABEL_PX), _font(SUBTITLE_PX)
    inner = WIDTH - 2 * MARGIN
    y = _heading(draw, title, subtitle)
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
