"""Sources that find and heal themselves: ``newswatch sources add`` (``add``: feeds,
sitemaps, else the inferred list, and proposed ``[article]`` selectors from sample
articles, ``articles``) and ``newswatch sources doctor`` (``doctor``), both fetching
through ``fetch`` (live or through a replay server)."""
