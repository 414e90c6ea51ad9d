"""Attachments of our own making, for the attachment tests and ``bench/attachments.py``.

PDFs carry Chinese text in an embedded TrueType font found on the system (Debian's
``fonts-wqy-microhei``, ``fonts-wqy-zenhei``, ``fonts-noto-cjk`` or
``fonts-droid-fallback``); :func:`cjk_font` is None when none is installed, and the
tests that need one skip saying which package to install.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
FONT_PACKAGE = "fonts-wqy-microhei"


def cjk_font() -> Path | None:
    """A TrueType font with Chinese glyphs, or None."""
    for candidate in _FONT_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    return None


def pdf(pages: list[str], *, font: Path | None = None, password: str | None = None) -> bytes:
    """A PDF with one page per string, the text in an embedded CJK font."""
    from fpdf import FPDF

    font = font or cjk_font()
    if font is None:
        raise RuntimeError(f"no CJK font: apt-get install {FONT_PACKAGE}")
    doc = FPDF()
    doc.add_font("cjk", fname=str(font))
    doc.set_font("cjk", size=11)
    for text in pages:
        doc.add_page()
        doc.multi_cell(0, 6, text)
    data = bytes(doc.output())
    if password is None:
        return data
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=password, owner_password=password + "-owner",
                   algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def split_pdf(data: bytes, sizes: list[int]) -> list[bytes]:
    """``data`` cut into PDFs of ``sizes`` pages each, cycling through its pages (fast:
    no font is embedded again)."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(data))
    total, at, out = len(reader.pages), 0, []
    for size in sizes:
        writer = PdfWriter()
        for _ in range(size):
            writer.add_page(reader.pages[at % total])
            at += 1
        buffer = io.BytesIO()
        writer.write(buffer)
        out.append(buffer.getvalue())
    return out


def image_only_pdf(pages: int = 2) -> bytes:
    """A "scanned" PDF: each page one raster image, no text layer."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    doc = FPDF()
    for n in range(pages):
        img = Image.new("L", (600, 800), 255)
        draw = ImageDraw.Draw(img)
        for y in range(60, 760, 24):  # lines standing for scanned text
            draw.rectangle([50, y, 550 - (y * 7 + n * 31) % 200, y + 10], fill=0)
        doc.add_page()
        doc.image(img, x=10, y=10, w=190)
    return bytes(doc.output())


def policy_pages(n: int, topic: str = "人形机器人") -> list[str]:
    """``n`` pages of a made-up implementation plan; ``topic`` appears on page 3 only."""
    pages = []
    for i in range(1, n + 1):
        lines = [f"第{i}页  关于推动制造业高质量发展的实施方案"]
        for k in range(12):
            lines.append(f"（{k + 1}）各地区各部门要加强统筹协调，完善政策体系，"
                         f"推动产业链供应链优化升级，第{i}页第{k + 1}条。")
        if i == 3:
            lines.append(f"三、加快{topic}整机和关键零部件攻关，建设{topic}创新中心。")
        pages.append("\n".join(lines))
    return pages


def docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    """A Word .docx with paragraphs and, after them, a table."""
    import docx as python_docx

    document = python_docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx(sheets: dict[str, list[list[object]]]) -> bytes:
    """An Excel .xlsx with one sheet per entry."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx_bomb(unpacked_mb: int = 120) -> bytes:
    """A .docx whose document part inflates to ``unpacked_mb`` MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://'
                    'schemas.openxmlformats.org/package/2006/content-types"/>')
        with zf.open("word/document.xml", "w", force_zip64=True) as part:
            chunk = b"\0" * (1 << 20)
            for _ in range(unpacked_mb):
                part.write(chunk)
    return out.getvalue()


def corrupt_pdf() -> bytes:
    """Starts like a PDF, then is noise: no xref, no objects."""
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"


LIBREOFFICE_PACKAGES = "libreoffice-writer-nogui libreoffice-calc-nogui"


def soffice() -> str | None:
    import shutil

    return shutil.which("soffice") or shutil.which("libreoffice")


def legacy(data: bytes, source: str, target: str) -> bytes:
    """A real legacy Office file (``target``: doc or xls) converted by LibreOffice from
    ``data`` (a ``source`` file: docx or xlsx): the binary formats no Python library
    writes."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="newswatch-legacy-") as tmp:
        path = Path(tmp) / f"made.{source}"
        path.write_bytes(data)
        filters = {"doc": "doc:MS Word 97", "xls": "xls:MS Excel 97"}
        subprocess.run([soffice(), "--headless", "--norestore", "--nolockcheck",
                        f"-env:UserInstallation=file://{tmp}/profile", "--convert-to",
                        filters[target], "--outdir", str(Path(tmp) / "out"), str(path)],
                       check=True, capture_output=True, timeout=120)
        return (Path(tmp) / "out" / f"made.{target}").read_bytes()


# An OLE2 (legacy Office) header followed by junk: a ".doc" no tool can read.
OLE_JUNK = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00junk" * 200
