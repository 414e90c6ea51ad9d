"""Attachment text extraction: time and peak memory on a 200-page PDF and on small ones.

    python bench/attachments.py [--runs 3] [--small 100]

The PDFs are generated here (Chinese text in an embedded TrueType font, Debian's
fonts-wqy-microhei or another CJK font on the system; see tests/support/attachment_files.py).
Every file goes through what a crawl uses, ``crawler.attachments.bounded.extract_bounded``:
a child forked from the forkserver, with its memory cap and deadline. Each result is
checked (outcome ``ok``, 200 pages, the topic found on page 3), so a broken extraction
cannot look fast.

1. The 200-page PDF, median of ``--runs``; its peak memory is the child's maximum
   resident set (the forkserver's preloaded libraries included). The anchor: the same
   file extracted in this process (``crawler.attachments.extract.extract``), so the
   ratio is what the bounded child costs on top.
2. ``--small`` PDFs of one or two pages, one after the other: files per second.

Target: a 200-page PDF in <= 10 s and <= 300 MB. The last line is one JSON object:
pdf200_s, pdf200_peak_mb, small_pdfs_per_s (and the anchor figures).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.attachments.bounded import extract_bounded  # noqa: E402
from crawler.attachments.extract import extract  # noqa: E402
from tests.support import attachment_files as af  # noqa: E402

TARGET_S, TARGET_MB = 10.0, 300.0


def check(result, pages: int) -> None:
    if result.outcome != "ok" or result.page_count != pages or len(result.pages) != pages:
        raise SystemExit(f"extraction went wrong: {result.outcome} {result.detail} "
                         f"pages={result.page_count}")
    if pages >= 3:
        start, end = result.pages[2][0], result.pages[3][0] if pages > 3 else None
        if "人形机器人" not in result.text[start:end]:
            raise SystemExit("extraction went wrong: the topic is not on page 3")


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--small", type=int, default=100)
    args = parser.parse_args(argv)
    if af.cjk_font() is None:
        raise SystemExit(f"no CJK font: apt-get install {af.FONT_PACKAGE}")

    started = time.perf_counter()
    big = af.pdf(af.policy_pages(200))
    small = af.split_pdf(big, [1 + i % 2 for i in range(args.small)])
    print(f"generated a 200-page PDF ({len(big) / 2**20:.2f} MB) and {len(small)} small ones "
          f"in {time.perf_counter() - started:.1f} s")

    extract_bounded(small[0], "pdf")  # start the forkserver: not part of any figure

    bounded, peaks, inline = [], [], []
    for _ in range(args.runs):
        t = time.perf_counter()
        result, peak = extract_bounded(big, "pdf")
        bounded.append(time.perf_counter() - t)
        check(result, 200)
        peaks.append(peak)
        t = time.perf_counter()
        check(extract(big, "pdf"), 200)
        inline.append(time.perf_counter() - t)
    pdf200_s = statistics.median(bounded)
    anchor_s = statistics.median(inline)
    peak_mb = max(peaks)
    print(f"200-page PDF, bounded child: median {pdf200_s:.2f} s "
          f"({pdf200_s / 200 * 1000:.1f} ms a page), peak {peak_mb:.0f} MB; "
          f"in-process anchor {anchor_s:.2f} s; ratio {pdf200_s / anchor_s:.2f}")

    t = time.perf_counter()
    for data in small:
        result, _ = extract_bounded(data, "pdf")
        if result.outcome != "ok" or "各地区各部门" not in result.text:
            raise SystemExit(f"small PDF went wrong: {result.outcome} {result.detail}")
    small_s = time.perf_counter() - t
    small_per_s = len(small) / small_s
    t = time.perf_counter()
    for data in small:
        extract(data, "pdf")
    small_inline_per_s = len(small) / (time.perf_counter() - t)
    print(f"{len(small)} small PDFs, bounded child: {small_per_s:.1f} a second "
          f"(in-process anchor {small_inline_per_s:.1f} a second)")

    ok = pdf200_s <= TARGET_S and peak_mb <= TARGET_MB
    print(f"target: 200 pages in <= {TARGET_S:g} s and <= {TARGET_MB:g} MB: "
          f"{'met' if ok else 'NOT met'}")
    out = {"pdf200_s": round(pdf200_s, 3), "pdf200_peak_mb": round(peak_mb, 1),
           "small_pdfs_per_s": round(small_per_s, 1),
           "pdf200_inprocess_s": round(anchor_s, 3),
           "bounded_over_inprocess": round(pdf200_s / anchor_s, 2),
           "small_pdfs_inprocess_per_s": round(small_inline_per_s, 1),
           "runs": args.runs, "target_met": ok}
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
