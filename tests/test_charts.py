"""Charts: decodable PNGs, phone-sized, with every row and number drawn."""

from __future__ import annotations

import io

from PIL import Image

from domain.charts import MAX_ROWS, WIDTH, BarSection, bar_chart, fold_rows, line_chart


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_bar_chart_is_a_phone_sized_png():
    sections = [
        BarSection("Laporan per kegiatan", [("POS SAPTA", 12), ("POS KHIDMAT", 0)], "Belum ada"),
        BarSection("Laporan per anggota",
                   fold_rows([(f"BRIPKA Anggota Nomor {i} dengan nama panjang sekali", 30 - i)
                              for i in range(25)], "Lainnya"), "Belum ada"),
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
    folded = fold_rows(rows, "Lainnya")
    assert len(folded) == MAX_ROWS
    assert folded[-1][0] == "Lainnya"
    assert sum(value for _, value in folded) == sum(value for _, value in rows)
    assert fold_rows(rows[:3], "Lainnya") == rows[:3]


def test_line_chart_with_and_without_points():
    filled = decode(line_chart("Tingkat pelaporan", "8 minggu",
                               [(f"{d}/11", d / 10) for d in range(1, 9)], empty="Belum ada"))
    empty = decode(line_chart("Tingkat pelaporan", "8 minggu", [], empty="Belum ada"))
    assert filled.width == empty.width == WIDTH
    assert filled.tobytes() != empty.tobytes()
