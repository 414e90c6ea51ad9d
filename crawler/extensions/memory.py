"""The crawl's memory cap, measured on what the crawl holds now.

Scrapy's own ``MemoryUsage`` reads ``ru_maxrss``, the peak resident size of
the process. Linux carries that peak across ``fork`` and ``exec``: a crawl
child started by a service (or a test run) that has grown to 600 MB begins
life "over" a 512 MB cap and is stopped at its first check, before it has
fetched anything. This extension keeps Scrapy's behaviour (stats, warning,
closing the spider as ``memusage_exceeded``) but measures the current
resident size from ``/proc/self/statm``, which belongs to this process
alone. Where ``/proc`` is missing (macOS) it falls back to Scrapy's reading.
"""

from __future__ import annotations

import os

from scrapy.extensions.memusage import MemoryUsage

_STATM = "/proc/self/statm"


def resident_bytes() -> int | None:
    """This process's resident set size now, or None where /proc is missing."""
    try:
        with open(_STATM, "rb") as statm:
            fields = statm.read().split()
        return int(fields[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


class CurrentMemoryUsage(MemoryUsage):
    """Scrapy's memory watch, on the current resident size, not the inherited peak."""

    def get_virtual_size(self) -> int:
        size = resident_bytes()
        return size if size is not None else super().get_virtual_size()
