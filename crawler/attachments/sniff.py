"""What a file is, from its bytes (magic numbers and the names inside a zip), not its name.

Servers label attachments ``application/octet-stream`` and sites name a Word file
``.pdf``; extraction trusts only what :func:`sniff` finds.
"""

from __future__ import annotations

import io
import re
import zipfile
from urllib.parse import unquote, urlsplit

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXT = re.compile(r"\.([A-Za-z0-9]{1,5})$")
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_BOOK_STREAM = "Workbook".encode("utf-16-le")
_BOOK_STREAM_OLD = "Book".encode("utf-16-le")
NAMES = {"pdf": "PDF", "docx": "Word .docx", "doc": "Word .doc", "wps": "WPS document",
         "xlsx": "Excel .xlsx", "xls": "Excel .xls", "zip": "zip archive", "html": "HTML page",
         "image": "image", "ofd": "OFD document", "pptx": "PowerPoint .pptx",
         "odf": "OpenDocument file", "rtf": "RTF document", "archive": "RAR/7z archive",
         "unknown": "file of unknown type", "empty": "empty file"}


def extension(name_or_url: str) -> str:
    """The lower-case extension of a file name or URL path ("" when none)."""
    path = unquote(urlsplit(name_or_url).path) if "://" in name_or_url else name_or_url
    m = _EXT.search(path.rsplit("/", 1)[-1])
    return m.group(1).lower() if m else ""


def sniff(data: bytes, declared: str = "") -> str:
    """The real type of ``data``: pdf, docx, xlsx, pptx, ofd, odf, zip, doc, wps, xls,
    rtf, html, image, archive, empty or unknown. ``declared`` (the extension) only
    tells a .wps from a .doc, which share a container and a text format."""
    head = data[:1024]
    if not data.strip():
        return "empty"
    if b"%PDF-" in head:  # the spec lets junk precede the header
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(data, declared)
    if head.startswith(OLE):
        return _ole_kind(data, declared)
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"BM")):
        return "image"
    if head.startswith((b"Rar!", b"7z\xbc\xaf\x27\x1c")):
        return "archive"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body", b"<")):
        return "html"
    return "unknown"


def _zip_kind(data: bytes, declared: str) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        # Unreadable: let the reader of what it claims to be say what is wrong.
        return declared if declared in ("docx", "xlsx") else "zip"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    if "OFD.xml" in names:
        return "ofd"
    if "mimetype" in names and "content.xml" in names:
        return "odf"
    return "zip"


def _ole_kind(data: bytes, declared: str) -> str:
    if _WORD_STREAM in data:
        return "wps" if declared == "wps" else "doc"
    if _BOOK_STREAM in data or _BOOK_STREAM_OLD in data:
        return "xls"
    if declared in ("xls", "et"):
        return "xls"
    return "wps" if declared == "wps" else "doc"
