"""``newswatch demo``: two made-up sites, a webhook receiver that prints what it gets
(``receiver``), and the service run against them (``walkthrough``)."""
