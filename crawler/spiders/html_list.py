"""``kind = "html"``: list pages read with the seed's CSS/XPath selectors."""

from __future__ import annotations

from scrapy.http import Response

from crawler.spiders.base import ListEntry, SourceSpider, text_response


def select(node, expr: str):
    """Apply a seed selector: CSS, or XPath when written ``xpath:...``."""
    if expr.startswith("xpath:"):
        return node.xpath(expr[len("xpath:"):])
    return node.css(expr)


def select_text(node, expr: str | None) -> str | None:
    if not expr:
        return None
    text = " ".join(t.strip() for t in select(node, expr).getall() if t.strip())
    return text or None


def _usable(href: str | None) -> bool:
    return bool(href and href.strip() and not href.strip().startswith(
        ("javascript:", "#", "mailto:")))


class HtmlListSpider(SourceSpider):
    """Generic spider for HTML list pages (``scrapy crawl html -a source=<name>``)."""

    name = "html"

    def list_entries(self, response: Response) -> list[ListEntry]:
        response = text_response(response)
        spec = self.source.list
        if not spec.get("items"):
            # No item selector: every link the selector finds is an article.
            # A generator: the base reads at most NEWSWATCH_MAX_LINKS_PER_PAGE of them.
            return (ListEntry(url=response.urljoin(href.strip()))
                    for href in select(response, spec["link"]).getall() if _usable(href))
        entries = []
        for node in select(response, spec["items"]):
            href = select(node, spec["link"]).get()
            if not _usable(href):
                continue
            entries.append(ListEntry(url=response.urljoin(href.strip()),
                                     title=select_text(node, spec.get("title")),
                                     date=select_text(node, spec.get("date"))))
        return entries

    def next_page_url(self, response: Response, page: int) -> str | None:
        selector = self.source.pagination.get("next")
        if selector:
            href = select(text_response(response), selector).get()
            return href.strip() if href and href.strip() else None
        return super().next_page_url(response, page)
