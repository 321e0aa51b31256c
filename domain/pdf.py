"""PDF documents in the police layout (fpdf2), rendered in a worker thread.

The caller resolves every text (catalogue, answers) into a ``Document``; this module only lays
it out: letterhead, centred title, numbered sections, signature block, then the photos or
charts as an attachment. The shipped Roboto font draws Indonesian text and punctuation.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # fpdf (with fontTools) takes ~0.5-1 s to import: loaded when a PDF is made, not at start.
    from fpdf import FPDF
from PIL import Image

FONT = Path(__file__).resolve().parent / "fonts" / "Roboto-Medium.ttf"
FAMILY = "Roboto"
LINE = 5.5
COMPRESSED_SIDE = 900
COMPRESSED_QUALITY = 60


@dataclass(frozen=True)
class Section:
    """A numbered section: heading and its lines."""

    heading: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Signature:
    """Place and date, the closing role line, name, and rank with NRP."""

    place_date: str
    role: str
    name: str
    rank_nrp: str


@dataclass(frozen=True)
class Picture:
    """An image for the attachment pages: a file or PNG/JPEG bytes, with a caption."""

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


@dataclass(frozen=True)
class Rendered:
    """The PDF and how much it had to give up to fit: 0 none, 1 smaller photos, 2 no photos."""

    data: bytes
    reduction: int
    pages: int


def _shrink(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (COMPRESSED_SIDE, COMPRESSED_SIDE))
        picture = image.convert("RGB")
        picture.thumbnail((COMPRESSED_SIDE, COMPRESSED_SIDE))
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=COMPRESSED_QUALITY, optimize=True)
        return out.getvalue()


def _pdf() -> FPDF:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(20, 15, 20)
    pdf.add_font(FAMILY, "", str(FONT))
    return pdf


def _letterhead(pdf: FPDF, lines: Sequence[str]) -> None:
    from fpdf.enums import XPos, YPos

    pdf.set_font(FAMILY, size=10)
    for index, line in enumerate(lines):
        style = "U" if index == len(lines) - 1 else ""
        pdf.set_font(FAMILY, style=style, size=10)
        pdf.cell(95, LINE, line, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)


def _body(pdf: FPDF, document: Document) -> None:
    from fpdf.enums import XPos, YPos

    pdf.set_font(FAMILY, style="U", size=13)
    pdf.cell(0, 7, document.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, size=11)
    if document.subtitle:
        pdf.cell(0, 6, document.subtitle, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if document.number:
        pdf.cell(0, 6, document.number, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    for index, section in enumerate(document.sections, start=1):
        pdf.set_font(FAMILY, size=11)
        pdf.multi_cell(0, 6, f"{index}. {section.heading}", new_x=XPos.LMARGIN,
                       new_y=YPos.NEXT)
        pdf.set_font(FAMILY, size=10)
        for line in section.lines or ("-",):
            pdf.set_x(pdf.l_margin + 6)
            pdf.multi_cell(0, LINE, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)


def _signature(pdf: FPDF, signature: Signature) -> None:
    from fpdf.enums import XPos, YPos

    if pdf.get_y() > pdf.h - 70:
        pdf.add_page()
    pdf.ln(6)
    left = pdf.w / 2 + 5
    pdf.set_font(FAMILY, size=10)
    for text in (signature.place_date, signature.role):
        pdf.set_x(left)
        pdf.cell(0, LINE, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(18)
    pdf.set_x(left)
    pdf.set_font(FAMILY, style="U", size=10)
    pdf.cell(0, LINE, signature.name, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, size=10)
    pdf.set_x(left)
    pdf.cell(0, LINE, signature.rank_nrp, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _pictures(pdf: FPDF, document: Document, images: Sequence[bytes]) -> None:
    from fpdf.enums import XPos, YPos

    per_page = max(1, document.pictures_per_page)
    usable_w = pdf.w - pdf.l_margin - pdf.r_margin
    slot_h = (pdf.h - 45) / per_page - 10
    for index, (picture, data) in enumerate(zip(document.pictures, images, strict=True)):
        if index % per_page == 0:
            pdf.add_page()
            pdf.set_font(FAMILY, style="U", size=11)
            pdf.cell(0, 7, document.attachment_title, align="C", new_x=XPos.LMARGIN,
                     new_y=YPos.NEXT)
            pdf.ln(2)
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
        scale = min(usable_w / width, slot_h / height)
        w, h = width * scale, height * scale
        pdf.image(io.BytesIO(data), x=pdf.l_margin + (usable_w - w) / 2, y=pdf.get_y(), w=w,
                  h=h)
        pdf.set_y(pdf.get_y() + h + 1)
        pdf.set_font(FAMILY, size=9)
        pdf.multi_cell(0, 4.5, picture.caption, align="C", new_x=XPos.LMARGIN,
                       new_y=YPos.NEXT)
        pdf.ln(3)


def _render(document: Document, images: Sequence[bytes]) -> tuple[bytes, int]:
    pdf = _pdf()
    pdf.add_page()
    _letterhead(pdf, document.letterhead)
    _body(pdf, document)
    if document.signature is not None:
        _signature(pdf, document.signature)
    if images:
        _pictures(pdf, document, images)
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
