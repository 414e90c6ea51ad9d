"""The list-page cache: conditional GET without hiding a broken source.

Scrapy's RFC 2616 policy serves the cached copy when the server answers 5xx, and its
middleware does so on a network error too ("stale if error"). For a browser that is
kind; for a monitor it turns a source that went down into runs recorded ``ok`` with
nothing new, so the outage is never reported. Here only a ``304`` reuses the cache.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.httpcache import HttpCacheMiddleware
from scrapy.extensions.httpcache import RFC2616Policy


class RevalidateOnlyPolicy(RFC2616Policy):
    """RFC 2616 caching, except that an error answer is never replaced by the cache."""

    def is_cached_response_valid(self, cachedresponse, response, request) -> bool:
        return response.status == 304


class ListCacheMiddleware(HttpCacheMiddleware):
    """Scrapy's cache middleware without its recovery from download errors."""

    def process_exception(self, request, exception, spider=None):
        request.meta.pop("cached_response", None)
        return None
