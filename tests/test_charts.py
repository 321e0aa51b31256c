"""Charts: decodable PNGs, phone-sized, with every row and number drawn."""

from __future__ import annotations

import io

from PIL import Image

from domain.charts import (
    BACKGROUND,
    LABEL_PX,
    MARGIN,
    MAX_ROWS,
    TITLE_PX,
    WIDTH,
    BarSection,
    _font,
    bar_chart,
    fold_rows,
    line_chart,
    top_rows,
    wrap,
)


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_bar_chart_is_a_phone_sized_png():
    sections = [
        BarSection("Laporan per kegiatan", [("POS SAPTA", 12), ("POS KHIDMAT", 0)], "Belum ada"),
        BarSection("Laporan per anggota",
                   fold_rows([(f"BRIPKA Anggota Nomor {i} dengan nama panjang sekali", 30 - i)
                              for i in range(25)], lambda n: f"Lainnya ({n})"), "Belum ada"),
        BarSection("Keluhan warga per kategori", [], "Tidak ada keluhan – nihil"),
    ]
    image = decode(bar_chart("Rekap mingguan — Unit Binkamsa", "Senin – Minggu", sections))
    assert image.format == "PNG"
    assert image.width == WIDTH >= 1080
    # Telegram shrinks a photo's long side to 1280 px: keep the chart about as tall as wide.
    assert image.height <= 1.6 * image.width
    assert image.width + image.height <= 10000


def test_bars_are_proportional():
    chart = decode(bar_chart("T", "S", [BarSection("A", [("satu", 10), ("dua", 5)], "-")]))
    rgb = chart.convert("RGB")
    width = chart.width

    def coloured_run(y: int) -> int:
        return sum(1 for x in range(width) if rgb.getpixel((x, y)) == (21, 101, 192))

    rows = [y for y in range(chart.height) if coloured_run(y) > 0]
    assert rows, "bars are drawn"
    lengths = sorted({coloured_run(y) for y in rows})
    assert abs(lengths[-1] / lengths[0] - 2) < 0.05


def test_fold_rows_keeps_the_total():
    rows = [(f"n{i}", i) for i in range(20)]
    folded = fold_rows(rows, lambda n: f"Lainnya ({n} kategori)")
    assert len(folded) == MAX_ROWS
    # Named with what it holds: never the same label as a real category "Lainnya".
    assert folded[-1][0] == f"Lainnya ({20 - MAX_ROWS + 1} kategori)"
    assert sum(value for _, value in folded) == sum(value for _, value in rows)
    assert fold_rows(rows[:3], lambda n: "Lainnya") == rows[:3]


def test_line_chart_with_and_without_points():
    filled = decode(line_chart("Tingkat pelaporan", "8 minggu",
                               [(f"{d}/11", d / 10) for d in range(1, 9)], empty="Belum ada"))
    empty = decode(line_chart("Tingkat pelaporan", "8 minggu", [], empty="Belum ada"))
    assert filled.width == empty.width == WIDTH
    assert filled.tobytes() != empty.tobytes()


def margins_are_blank(image: Image.Image) -> bool:
    """Nothing drawn within the margin's outer half on any side."""
    rgb = image.convert("RGB")
    edge = MARGIN // 2
    width, height = rgb.size
    return all(
        rgb.getpixel((x, y)) == BACKGROUND
        for x in range(width) for y in (*range(edge), *range(height - edge, height))
    ) and all(
        rgb.getpixel((x, y)) == BACKGROUND
        for y in range(height) for x in (*range(edge), *range(width - edge, width))
    )


def test_titles_wrap_instead_of_being_cut():
    title = "Rekap bulan ini — Unit Binkamsa, Unit Binpolmas dan Unit Bintibmas Satbinmas"
    font = _font(TITLE_PX)
    lines = wrap(title, font, WIDTH - 2 * MARGIN)
    assert len(lines) >= 2
    assert " ".join(lines) == title  # every word kept, no "…"
    assert all(font.getlength(line) <= WIDTH - 2 * MARGIN for line in lines)
    short = decode(bar_chart("Rekap", "S", [BarSection("A", [("a", 1)], "-")]))
    long = decode(bar_chart(title, "S", [BarSection("A", [("a", 1)], "-")]))
    assert long.height > short.height  # the extra line has room


def test_many_officers_show_the_top_and_the_rest_as_text():
    rows = [(f"BRIPKA Anggota {i}", 100 - i) for i in range(90)]
    kept, more, total = top_rows(rows, 8)
    assert (len(kept), more, total) == (8, 82, sum(100 - i for i in range(8, 90)))
    chart = decode(bar_chart("T", "S", [BarSection("Anggota", kept, "-", "+ 82 lainnya")]))
    rgb = chart.convert("RGB")
    blue = (21, 101, 192)  # the first section's colour

    def run(y: int) -> int:
        return sum(1 for x in range(chart.width) if rgb.getpixel((x, y)) == blue)

    lengths = [run(y) for y in range(chart.height)]
    bars = sum(1 for y in range(1, chart.height) if lengths[y] and not lengths[y - 1])
    assert bars == 8  # no bar for the 82 others: the top officer's bar is the longest
    assert max(lengths) == lengths[next(y for y in range(chart.height) if lengths[y])]
    with_rest = chart.height
    without = decode(bar_chart("T", "S", [BarSection("Anggota", kept, "-")])).height
    assert with_rest - without >= LABEL_PX  # the rest line is drawn
    assert margins_are_blank(chart)


def test_rate_chart_labels_its_points_and_keeps_off_the_edges():
    points = [(f"{d}/11", share) for d, share in zip(range(1, 9), (1, .5, .84, .9, 1, .2, .6, 1),
                                                     strict=True)]
    chart = decode(line_chart("Tingkat pelaporan", "8 minggu", points, empty="-"))
    assert margins_are_blank(chart)
    # The same chart without values: only the point labels differ (dark text above points).
    blank = [(label, 0.0) for label, _ in points]
    low = decode(line_chart("Tingkat pelaporan", "8 minggu", blank, empty="-")).convert("RGB")
    rgb = chart.convert("RGB")
    top_band = range(MARGIN + TITLE_PX + 60, MARGIN + TITLE_PX + 60 + LABEL_PX + 40)
    dark = sum(1 for y in top_band for x in range(WIDTH)
               if rgb.getpixel((x, y))[0] < 80 and rgb.getpixel((x, y))[2] < 80)
    none = sum(1 for y in top_band for x in range(WIDTH)
               if low.getpixel((x, y))[0] < 80 and low.getpixel((x, y))[2] < 80)
    assert dark > 500  # the "100%" labels over the top points
    assert none == 0
