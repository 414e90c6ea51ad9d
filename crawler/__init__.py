"""The Scrapy project: seeds, spiders, extraction, and the archive they write to.

Knows nothing of topics or alerts; ``scrapy crawl <spider> -a source=<name>`` works alone.
"""
