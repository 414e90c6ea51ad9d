"""One entry point: the bytes of an attachment → :class:`Extraction`, never an exception.

Runs in-process; the crawl calls it through :mod:`crawler.attachments.bounded`.
"""

from __future__ import annotations

from crawler.attachments.extracted import Extraction
from crawler.attachments.limits import Limits
from crawler.attachments.sniff import NAMES, sniff

_NOT_DOCUMENTS = ("html", "image", "empty", "unknown")
_UNSUPPORTED = ("zip", "archive", "ofd", "pptx", "odf", "rtf")
# Extensions naming the same kind of content as a sniffed type.
_SAME = {"pdf": {"pdf"}, "docx": {"docx", "docm", "dotx"}, "doc": {"doc", "dot"},
         "wps": {"wps"}, "xlsx": {"xlsx", "xlsm"}, "xls": {"xls", "et"}}


def extract(data: bytes, declared: str = "", limits: Limits | None = None) -> Extraction:
    """Extract ``data``; ``declared`` is the extension the link gave (pdf, docx, ...)."""
    limits = limits or Limits()
    kind = sniff(data, declared)
    result = _dispatch(data, kind, limits)
    result.type = result.type or kind
    if declared and kind in _SAME and declared not in _SAME[kind] and declared in _all_known():
        note = f"named .{declared} but is a {NAMES[kind]}"
        result.detail = f"{note}; {result.detail}" if result.detail else note
    return result


def _all_known() -> set[str]:
    return set().union(*_SAME.values())


def _dispatch(data: bytes, kind: str, limits: Limits) -> Extraction:
    try:
        if kind == "pdf":
            from crawler.attachments.pdf import pdf_text
            return pdf_text(data, limits)
        if kind == "docx":
            from crawler.attachments.office import docx_text
            return docx_text(data, limits)
        if kind == "xlsx":
            from crawler.attachments.office import xlsx_text
            return xlsx_text(data, limits)
        if kind in ("doc", "wps", "xls"):
            from crawler.attachments.legacy import legacy_text
            return legacy_text(data, kind, limits)
        if kind == "zip":
            from crawler.attachments.office import zip_problem
            problem = zip_problem(data, limits)
            if problem and problem.outcome == "corrupt":
                return problem
    except MemoryError:
        return Extraction("memory", "not extracted: ran out of memory "
                                    "(NEWSWATCH_ATTACHMENT_MEMORY_MB)", kind)
    except RecursionError:
        return Extraction("corrupt", "corrupt: nesting too deep to read", kind)
    except Exception as exc:  # noqa: BLE001 - a library's surprise is the file's outcome
        return Extraction("corrupt", f"corrupt: {type(exc).__name__}: {str(exc)[:200]}", kind)
    if kind in _NOT_DOCUMENTS:
        return Extraction("not_document", f"not a document: the server sent "
                                          f"{'an' if NAMES[kind][0] in 'aeiouHE' else 'a'} "
                                          f"{NAMES[kind]}", kind)
    return Extraction("unsupported", f"not extracted: {NAMES[kind]} is not supported", kind)
