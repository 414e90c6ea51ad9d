"""Extraction in a child process, bounded in time and memory.

A crafted PDF can make a parser loop or allocate without end; the crawl must only lose
that file. Each file is extracted in a child forked from a ``forkserver`` (a clean
process with the extractors already imported, so a child starts in milliseconds and no
crawler thread or socket is inherited). The child caps its own address space
(``RLIMIT_AS``) and CPU time; the parent waits at most ``Limits.timeout`` seconds, then
kills it and records ``timeout``.
"""

from __future__ import annotations

import multiprocessing
import resource
import threading

from crawler.attachments.extracted import Extraction
from crawler.attachments.limits import Limits

# "__main__" first: the server imports the parent's main module once (as multiprocessing
# does by default); without it every child would import it again (scrapy's: ~0.3 s).
# The readers' libraries too: imported in each child, they would cost it ~0.1 s.
_PRELOAD = ["__main__", "crawler.attachments.bounded", "crawler.attachments.extract",
            "crawler.attachments.pdf", "crawler.attachments.office",
            "crawler.attachments.legacy", "pypdf", "docx", "openpyxl"]
_lock = threading.Lock()
_context = None
# Children at once, whatever the number of threads asking: each may use up to its cap.
MAX_CHILDREN = 2
_slots = threading.BoundedSemaphore(MAX_CHILDREN)


def _ctx():
    global _context
    with _lock:
        if _context is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(_PRELOAD)
            _context = context
        return _context


def _child(conn, data: bytes, declared: str, limits: Limits) -> None:
    cap = limits.memory_mb * 2**20
    # The soft limit only: LibreOffice, run from here, is given more (legacy.py).
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (cap if hard < 0 else min(cap, hard), hard))
    cpu = int(limits.timeout) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    import logging

    logging.disable(logging.WARNING)  # pypdf's per-object warnings are the outcome's job
    from crawler.attachments.extract import extract

    try:
        result = extract(data, declared, limits).to_dict()
    except MemoryError:
        result = Extraction("memory", f"not extracted: needed more than {limits.memory_mb} MB "
                                      f"(NEWSWATCH_ATTACHMENT_MEMORY_MB)").to_dict()
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    conn.send(result)
    conn.close()


def extract_bounded(data: bytes, declared: str = "", limits: Limits | None = None,
                    ) -> tuple[Extraction, float | None]:
    """Extract ``data`` in a bounded child: the extraction, and the child's peak memory
    in MB (None when it did not finish)."""
    limits = limits or Limits()
    with _slots:
        return _run(_ctx(), data, declared, limits)


def _run(ctx, data: bytes, declared: str, limits: Limits) -> tuple[Extraction, float | None]:
    receiver, sender = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(sender, data, declared, limits), daemon=True)
    process.start()
    sender.close()
    try:
        if receiver.poll(limits.timeout):
            try:
                result = receiver.recv()
            except EOFError:  # it died before sending: killed by a limit
                result = None
            if result is not None:
                peak = result.pop("peak_mb", None)
                return Extraction.from_dict(result), peak
        else:
            process.kill()
            return Extraction("timeout", f"not extracted: took longer than {limits.timeout:g} s "
                                         f"(NEWSWATCH_ATTACHMENT_TIMEOUT)"), None
    finally:
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join()
        receiver.close()
    code = process.exitcode
    if code is not None and code < 0:
        return Extraction("memory" if code in (-9, -24) else "failed",
                          f"not extracted: the extracting process was ended by signal {-code} "
                          f"(memory or CPU limit)"), None
    return Extraction("failed", f"not extracted: the extracting process exited with {code}"), None
