"""Offline replay: a web server for stored pages (``server``), and the check that crawls
every seed against such a web and grades each source (``check``)."""
