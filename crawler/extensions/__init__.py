"""Scrapy extensions: run recording (the ``runs`` table) and live progress on stdout."""
