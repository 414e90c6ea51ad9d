"""Topics, story clusters, matches, the outbox and the channels that deliver it.

Reads articles from the archive through ``crawler.archive``'s read functions; never
fetches a web page.
"""
