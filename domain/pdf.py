"""PDF documents in the police layout (fpdf2), rendered in a worker thread.

The caller resolves every text (catalogue, answers) into a ``Document``; this module only lays
it out: letterhead, centred title, numbered sections (lines, tables, charts), the closing kept
on one page with the signature block, page numbers, then the photos as an attachment and any
annex (the recap's list of reports).

Fonts: Roboto (regular and bold) for Indonesian text, Noto Naskh Arabic as fallback for Arabic
script, shaped right-to-left by HarfBuzz (fpdf2's text shaping). No shipped font draws emoji:
each one is written as its name in brackets (``[folded hands]``), never dropped silently.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # fpdf (with fontTools) takes ~0.5-1 s to import: loaded when a PDF is made, not at start.
    from fpdf import FPDF
from PIL import Image

from domain.text import fit_width

FONTS = Path(__file__).resolve().parent / "fonts"
FONT = FONTS / "Roboto-Medium.ttf"
BOLD_FONT = FONTS / "Roboto-Bold.ttf"
ARABIC_FONT = FONTS / "NotoNaskhArabic-Regular.ttf"
ARABIC_BOLD_FONT = FONTS / "NotoNaskhArabic-Bold.ttf"
FAMILY = "Roboto"
ARABIC_FAMILY = "NotoNaskhArabic"
LINE = 5.0
COMPRESSED_SIDE = 900
COMPRESSED_QUALITY = 60
SIGNATURE_GAP = 18  # room for the handwritten signature and the stamp, in mm
CHART_MAX_HEIGHT = 125  # mm: two charts a page
# Joiners and modifiers that only change how a neighbouring emoji looks: dropped with it.
_INVISIBLE = frozenset(
    [0x200D, 0x20E3, 0xFE0E, 0xFE0F, *range(0x1F3FB, 0x1F400), *range(0xE0020, 0xE0080)]
)


@dataclass(frozen=True)
class Table:
    """A table with a bold header row (repeated on every page it spans)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[int, ...] | None = None  # relative column widths
    align: str = ""  # one of L, C, R per column; left when missing
    font_size: float = 9
    compact: bool = False
    """One line a row, a cell's text cut with "…" to its column: for long lists (a month's
    reports), forty-odd rows a page and drawn far faster than wrapped cells."""


@dataclass(frozen=True)
class Picture:
    """An image: a file or PNG/JPEG bytes, with a caption."""

    caption: str
    path: Path | None = None
    data: bytes | None = None

    def read(self) -> bytes:
        """The image's bytes."""
        if self.data is not None:
            return self.data
        assert self.path is not None
        return self.path.read_bytes()


@dataclass(frozen=True)
class Section:
    """A numbered section: heading, then its lines, a table and charts, in that order."""

    heading: str
    lines: tuple[str, ...] = ()
    table: Table | None = None
    pictures: tuple[Picture, ...] = ()


@dataclass(frozen=True)
class Signature:
    """Place and date, the role line, name, and rank with NRP (the signer, on the right).

    ``witness`` is the "Mengetahui," column on the left: its lines, a gap for the signature,
    then the name line (dots when the leader signs by hand).
    """

    place_date: str
    role: str
    name: str
    rank_nrp: str
    witness: tuple[str, ...] = ()
    witness_name: str = ""


@dataclass(frozen=True)
class Document:
    """Everything a page shows, already in the reader's language."""

    letterhead: tuple[str, ...]
    title: str
    subtitle: str
    number: str
    sections: tuple[Section, ...]
    signature: Signature | None = None
    attachment_title: str = ""
    pictures: tuple[Picture, ...] = field(default_factory=tuple)
    pictures_per_page: int = 2
    page_label: str = "{page}/{pages}"  # the footer's page number: "Hal. {page}/{pages}"
    keep_with_signature: int = 1  # last sections kept on the signature's page
    annex: tuple[Section, ...] = ()  # after the signature, on pages of their own, unnumbered
    metadata_title: str = ""
    author: str = ""


@dataclass(frozen=True)
class Rendered:
    """The PDF and how much it had to give up to fit: 0 none, 1 smaller photos, 2 no photos."""

    data: bytes
    reduction: int
    pages: int


@lru_cache(maxsize=1)
def _covered() -> frozenset[int]:
    """The code points the shipped fonts draw (Roboto, then Noto Naskh Arabic)."""
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # fpdf2's dependency

    points: set[int] = set()
    for path in (FONT, BOLD_FONT, ARABIC_FONT):
        with TTFont(str(path), lazy=True) as font:
            cmap = font.getBestCmap() or {}
        points.update(cmap)
    return frozenset(points)


def printable(text: str) -> str:
    """``text`` with what no shipped font draws written out: an emoji becomes its name in
    brackets (``🙏`` → ``[folded hands]``), anything else undrawable ``[U+XXXX]``."""
    covered = _covered()
    out: list[str] = []
    for char in text:
        point = ord(char)
        if point in covered or char in "\n\t" or char.isspace():
            out.append(char)
        elif point in _INVISIBLE or unicodedata.category(char) in ("Mn", "Cf"):
            continue
        else:
            name = unicodedata.name(char, "").lower()
            out.append(f"[{name}]" if name else f"[U+{point:04X}]")
    return "".join(out)


def _shrink(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (COMPRESSED_SIDE, COMPRESSED_SIDE))
        picture = image.convert("RGB")
        picture.thumbnail((COMPRESSED_SIDE, COMPRESSED_SIDE))
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=COMPRESSED_QUALITY, optimize=True)
        return out.getvalue()


def _pdf(document: Document) -> FPDF:
    from fpdf import FPDF

    label = document.page_label

    class _Paged(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(FAMILY, size=8)
            self.cell(0, 5, label.format(page=self.page_no(), pages="{nb}"), align="R")

    pdf = _Paged(format="A4")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(20, 15, 20)
    pdf.add_font(FAMILY, "", str(FONT))
    pdf.add_font(FAMILY, "B", str(BOLD_FONT))
    pdf.add_font(ARABIC_FAMILY, "", str(ARABIC_FONT))
    pdf.add_font(ARABIC_FAMILY, "B", str(ARABIC_BOLD_FONT))
    pdf.set_fallback_fonts([ARABIC_FAMILY])
    pdf.set_text_shaping(True)  # HarfBuzz: Arabic joined and right-to-left
    pdf.set_lang("id")
    pdf.set_title(printable(document.metadata_title or f"{document.title} {document.number}"))
    if document.author:
        pdf.set_author(printable(document.author))
        pdf.set_creator(printable(document.author))
    pdf.set_subject(printable(document.subtitle))
    return pdf


def _line(pdf: Any, height: float, text: str, *, align: str = "L", style: str = "",
          size: float = 10, indent: float = 0) -> None:
    """One paragraph, wrapped, starting at the left margin plus ``indent``."""
    from fpdf.enums import XPos, YPos

    pdf.set_font(FAMILY, style=style, size=size)
    pdf.set_x(pdf.l_margin + indent)
    pdf.multi_cell(0, height, printable(text), align=align, new_x=XPos.LMARGIN,
                   new_y=YPos.NEXT)


def _letterhead(pdf: FPDF, lines: Sequence[str]) -> None:
    from fpdf.enums import XPos, YPos

    for index, line in enumerate(lines):
        style = "BU" if index == len(lines) - 1 else "B"
        pdf.set_font(FAMILY, style=style, size=10)
        pdf.cell(95, LINE, printable(line), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)


def _title(pdf: FPDF, document: Document) -> None:
    _line(pdf, 7, document.title, align="C", style="BU", size=13)
    if document.subtitle:
        _line(pdf, 6, document.subtitle, align="C", size=11)
    if document.number:
        _line(pdf, 6, document.number, align="C", size=11)
    pdf.ln(4)


def _needs_shaping(text: str) -> bool:
    """Whether ``text`` has right-to-left or joining script (HarfBuzz must shape it)."""
    return any(0x0590 <= ord(char) <= 0x08FF or 0xFB1D <= ord(char) <= 0xFEFF
               for char in text)


def _compact_table(pdf: Any, table: Table) -> None:
    """A table of one-line rows, its header row repeated at the top of every page."""
    from fpdf.enums import XPos, YPos

    usable = pdf.w - pdf.l_margin - pdf.r_margin
    weights = table.widths or tuple(1 for _ in table.headers)
    widths = [usable * weight / sum(weights) for weight in weights]
    height = table.font_size * 0.5 + 1.5
    aligns = [table.align[i] if i < len(table.align) else "L" for i in range(len(widths))]
    shaped = any(_needs_shaping(value) for row in table.rows for value in row)
    pdf.set_text_shaping(shaped)

    def row(values: Sequence[str], *, header: bool) -> None:
        pdf.set_font(FAMILY, style="B" if header else "", size=table.font_size)
        pdf.set_fill_color(230, 230, 230)
        for value, width, align in zip(values, widths, aligns, strict=False):
            text = fit_width(printable(value), width - 2, pdf.get_string_width)
            pdf.cell(width, height, text, border=1, align=align, fill=header,
                     new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.ln(height)

    row(table.headers, header=True)
    for values in table.rows:
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
            row(table.headers, header=True)
        row(values, header=False)
    pdf.set_text_shaping(True)
    pdf.ln(1)


def _table(pdf: Any, table: Table) -> None:
    from fpdf.fonts import FontFace

    if table.compact:
        _compact_table(pdf, table)
        return

    pdf.set_font(FAMILY, size=table.font_size)
    aligns = tuple(
        {"R": "RIGHT", "C": "CENTER"}.get(table.align[i] if i < len(table.align) else "L",
                                          "LEFT")
        for i in range(len(table.headers))
    )
    with pdf.table(
        col_widths=table.widths, text_align=aligns, line_height=table.font_size * 0.5,
        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)),
        padding=1, width=pdf.w - pdf.l_margin - pdf.r_margin - 6, align="RIGHT",
    ) as grid:
        for values in (table.headers, *table.rows):
            row = grid.row()
            for value in values:
                row.cell(printable(value))
    pdf.ln(1)


def _picture(pdf: Any, picture: Picture, data: bytes, max_h: float) -> None:
    """An image centred at full width (at most ``max_h`` high), its caption under it."""
    usable_w = pdf.w - pdf.l_margin - pdf.r_margin
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
    scale = min(usable_w / width, max_h / height)
    w, h = width * scale, height * scale
    if pdf.get_y() + h + 10 > pdf.page_break_trigger:
        pdf.add_page()
    pdf.image(io.BytesIO(data), x=pdf.l_margin + (usable_w - w) / 2, y=pdf.get_y(), w=w, h=h)
    pdf.set_y(pdf.get_y() + h + 1)
    _line(pdf, 4.5, picture.caption, align="C", size=9)
    pdf.ln(3)


def _section(pdf: Any, heading: str, section: Section) -> None:
    _line(pdf, 6, heading, style="B", size=11)
    if not (section.lines or section.table or section.pictures):
        _line(pdf, LINE, "-", indent=6)
    for text in section.lines:
        _line(pdf, LINE, text, indent=6)
    if section.table is not None:
        _table(pdf, section.table)
    for picture in section.pictures:
        _picture(pdf, picture, picture.read(), CHART_MAX_HEIGHT)
    pdf.ln(2)


def _text_height(pdf: FPDF, text: str, width: float, height: float, *, size: float = 10,
                 style: str = "") -> float:
    """How tall ``text`` is once wrapped to ``width`` (a dry run of the real call)."""
    from fpdf.enums import MethodReturnValue

    pdf.set_font(FAMILY, style=style, size=size)
    measured = pdf.multi_cell(width, height, printable(text), dry_run=True,
                              output=MethodReturnValue.HEIGHT)
    assert isinstance(measured, float | int)
    return float(measured)


def _section_height(pdf: FPDF, section: Section) -> float:
    """The height of a section of lines (what a closing section holds), with its spacing."""
    width = pdf.w - pdf.l_margin - pdf.r_margin
    return (_text_height(pdf, section.heading, width, 6, size=11, style="B")
            + sum(_text_height(pdf, text, width - 6, LINE) for text in section.lines or ("-",))
            + 2)


def _signature_height(pdf: FPDF, signature: Signature) -> float:
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2 - 5
    heads = max(
        sum(_text_height(pdf, text, half, LINE) for text in (signature.place_date,
                                                             signature.role)),
        sum(_text_height(pdf, text, half, LINE) for text in ("", *signature.witness)),
    )
    return 6 + heads + SIGNATURE_GAP + 2 * LINE + 1


def _signature(pdf: Any, signature: Signature) -> None:
    from fpdf.enums import XPos, YPos

    pdf.ln(6)
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    right = pdf.l_margin + half + 5
    top = pdf.get_y()

    def column(x: float, heads: Sequence[str], name: str, tail: str) -> float:
        pdf.set_y(top)
        for text in heads:
            pdf.set_x(x)
            pdf.set_font(FAMILY, size=10)
            pdf.multi_cell(half - 5, LINE, printable(text), align="C", new_x=XPos.LMARGIN,
                           new_y=YPos.NEXT)
        pdf.ln(SIGNATURE_GAP)
        pdf.set_x(x)
        pdf.set_font(FAMILY, style="BU", size=10)
        pdf.cell(half - 5, LINE, printable(name), align="C", new_x=XPos.LMARGIN,
                 new_y=YPos.NEXT)
        if tail:
            pdf.set_x(x)
            pdf.set_font(FAMILY, size=10)
            pdf.cell(half - 5, LINE, printable(tail), align="C", new_x=XPos.LMARGIN,
                     new_y=YPos.NEXT)
        return float(pdf.get_y())

    bottom = column(right, (signature.place_date, signature.role), signature.name,
                    signature.rank_nrp)
    if signature.witness:
        heads = ("", *signature.witness)  # level with the signer's role line
        bottom = max(bottom, column(pdf.l_margin, heads, signature.witness_name, ""))
    pdf.set_y(bottom)


def _pictures(pdf: FPDF, document: Document, images: Sequence[bytes]) -> None:
    per_page = max(1, document.pictures_per_page)
    slot_h = (pdf.h - 45) / per_page - 10
    for index, (picture, data) in enumerate(zip(document.pictures, images, strict=True)):
        if index % per_page == 0:
            pdf.add_page()
            _line(pdf, 7, document.attachment_title, align="C", style="BU", size=11)
            pdf.ln(2)
        _picture(pdf, picture, data, slot_h)


def _render(document: Document, images: Sequence[bytes]) -> tuple[bytes, int]:
    pdf = _pdf(document)
    pdf.add_page()
    _letterhead(pdf, document.letterhead)
    _title(pdf, document)
    kept = max(0, document.keep_with_signature) if document.signature is not None else 0
    free = len(document.sections) - kept
    for index, section in enumerate(document.sections[:free], start=1):
        _section(pdf, f"{index}. {section.heading}", section)
    closing = document.sections[free:]
    if document.signature is not None:
        # The closing and the signature on one page: never a signature alone on the last.
        needed = sum(_section_height(pdf, s) for s in closing) + _signature_height(
            pdf, document.signature)
        if pdf.get_y() + needed > pdf.page_break_trigger:
            pdf.add_page()
    for index, section in enumerate(closing, start=free + 1):
        _section(pdf, f"{index}. {section.heading}", section)
    if document.signature is not None:
        _signature(pdf, document.signature)
    if images:
        _pictures(pdf, document, images)
    for section in document.annex:
        pdf.add_page()
        _section(pdf, section.heading, section)
    return bytes(pdf.output()), pdf.pages_count


def render(document: Document, max_bytes: int) -> Rendered:
    """The PDF within ``max_bytes``: photos are shrunk, then left out, only when needed."""
    originals = [picture.read() for picture in document.pictures]
    data, pages = _render(document, originals)
    if len(data) <= max_bytes or not originals:
        return Rendered(data, 0, pages)
    data, pages = _render(document, [_shrink(image) for image in originals])
    if len(data) <= max_bytes:
        return Rendered(data, 1, pages)
    data, pages = _render(document, [])
    return Rendered(data, 2, pages)
