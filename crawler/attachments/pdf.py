"""PDF text through pypdf, page by page; scanned and encrypted files said as such."""

from __future__ import annotations

import io

from crawler.attachments.extracted import Extraction
from crawler.attachments.limits import Limits
from crawler.attachments.text import assemble

# Fewer visible characters than this per page, on average, and the pages carry images:
# a scan without a text layer (a page number or a stamp's text is all it has).
SCANNED_CHARS_PER_PAGE = 10


def pdf_text(data: bytes, limits: Limits) -> Extraction:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # Many government PDFs are encrypted only against editing: an empty user
            # password opens them.
            try:
                opened = reader.decrypt("")
            except DependencyError as exc:
                return Extraction("not_extracted", f"not extracted: {exc}", "pdf")
            if not opened:
                return Extraction("encrypted", "encrypted: needs a password", "pdf")
        total = len(reader.pages)
    except PdfReadError as exc:
        return Extraction("corrupt", f"corrupt: not a readable PDF ({exc})", "pdf")
    pieces, textless, images, failures = [], [], 0, []
    for number in range(min(total, limits.max_pages)):
        try:
            page = reader.pages[number]
            text = page.extract_text() or ""
        except MemoryError:
            raise  # the file's outcome, not one page's
        except Exception as exc:  # noqa: BLE001 - one bad page must not lose the others
            textless.append(number + 1)
            failures.append(f"page {number + 1}: {type(exc).__name__}: {str(exc)[:120]}")
            continue
        if len("".join(text.split())) < SCANNED_CHARS_PER_PAGE:
            textless.append(number + 1)
            images += _has_images(page)
        pieces.append((str(number + 1), text))
    read = min(total, limits.max_pages)
    if failures and len(failures) == read:
        return Extraction("corrupt", f"corrupt: no page could be read ({failures[0]})", "pdf",
                          page_count=total)
    truncated = (f"only the first {read} of {total} pages (NEWSWATCH_ATTACHMENT_MAX_PAGES)"
                 if total > read else "")
    visible = sum(len("".join(t.split())) for _, t in pieces)
    if read and visible < SCANNED_CHARS_PER_PAGE * read and images:
        return Extraction("scanned", f"scanned: no text ({total} page"
                                     f"{'s' if total != 1 else ''} of images; OCR is not done)",
                          "pdf", page_count=total)
    result = assemble(pieces, "pdf", limits, page_count=total, truncated=truncated)
    if result.outcome == "ok" and failures:
        result.detail = (f"{len(failures)} page{'s' if len(failures) > 1 else ''} unreadable "
                         f"({failures[0]})")
    elif result.outcome == "ok" and textless and images:
        result.detail = (f"pages without text (scanned?): "
                         f"{', '.join(map(str, textless[:20]))}{' …' if len(textless) > 20 else ''}")
    return result


def _has_images(page) -> int:
    try:
        resources = page.get("/Resources") or {}
        xobjects = resources.get("/XObject") or {}
        return int(any(x.get_object().get("/Subtype") == "/Image" for x in xobjects.values()))
    except Exception:  # noqa: BLE001 - only a hint
        return 0
