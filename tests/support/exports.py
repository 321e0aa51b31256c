"""Test helpers shared by several test modules (from tests/test_exports.py)."""

from __future__ import annotations

from pypdf import PdfReader


def documents(user):
    return [message for message in user.messages if message.kind == "document"]


def pdf_text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() or "" for page in reader.pages)
