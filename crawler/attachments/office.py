"""Word .docx through python-docx and Excel .xlsx through openpyxl, after a zip check.

Both are zip files: the declared unpacked sizes are checked against
``Limits.max_unpacked`` before any part is read (a zip reader never unpacks past a
member's declared size, so a lying header only truncates and fails its CRC).
"""

from __future__ import annotations

import io
import zipfile

from crawler.attachments.extracted import Extraction
from crawler.attachments.limits import Limits
from crawler.attachments.text import assemble

MAX_MEMBERS = 10_000


def zip_problem(data: bytes, limits: Limits) -> Extraction | None:
    """An outcome when the zip cannot or must not be opened, else None."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        return Extraction("corrupt", f"corrupt: not a readable zip container ({exc})")
    unpacked = sum(m.file_size for m in members)
    if len(members) > MAX_MEMBERS:
        return Extraction("too_large", f"too large: {len(members):,} parts in the zip "
                                       f"container (over {MAX_MEMBERS:,})")
    if unpacked > limits.max_unpacked:
        return Extraction("too_large", f"too large: unpacks to {unpacked / 2**20:,.0f} MB "
                                       f"from {len(data) / 2**20:,.1f} MB, over the "
                                       f"{limits.max_unpacked / 2**20:,.0f} MB cap "
                                       f"(NEWSWATCH_ATTACHMENT_MAX_UNPACKED; a zip bomb?)")
    return None


def docx_text(data: bytes, limits: Limits) -> Extraction:
    problem = zip_problem(data, limits)
    if problem:
        problem.type = "docx"
        return problem
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        size = 0
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.extend(_table_lines(block))
            else:
                lines.append(block.text)
            size += len(lines[-1]) if lines else 0
            if size > limits.max_chars:
                break
    except zipfile.BadZipFile as exc:
        return Extraction("corrupt", f"corrupt: {exc}", "docx")
    except (KeyError, ValueError, OSError) as exc:
        return Extraction("corrupt", f"corrupt: not a readable .docx ({type(exc).__name__}: "
                                     f"{exc})", "docx")
    return assemble([("1", "\n".join(lines))], "docx", limits, unit="page")


def _table_lines(table) -> list[str]:
    """One line per row, cells separated by " | " (a merged cell once)."""
    out = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            if not cells or cells[-1] != text:
                cells.append(text)
        out.append(" | ".join(cells))
    return out


def xlsx_text(data: bytes, limits: Limits) -> Extraction:
    problem = zip_problem(data, limits)
    if problem:
        problem.type = "xlsx"
        return problem
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        return Extraction("corrupt", f"corrupt: not a readable .xlsx ({type(exc).__name__}: "
                                     f"{exc})", "xlsx")
    sheets, size = [], 0
    try:
        for sheet in book.worksheets:
            rows = []
            for row in sheet.iter_rows(values_only=True):
                values = [str(v) for v in row if v is not None and str(v).strip()]
                if values:
                    rows.append("\t".join(values))
                    size += len(rows[-1])
                if size > limits.max_chars:
                    break
            sheets.append((sheet.title, "\n".join(rows)))
            if size > limits.max_chars:
                break
    finally:
        book.close()
    return assemble(sheets, "xlsx", limits, unit="sheet")
