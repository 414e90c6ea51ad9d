"""The web interface for analysts (``newswatch web``, ``newswatch run --web``): matches,
articles, search, topics with a live preview, sources, deliveries, feeds and export,
server-rendered with Starlette and Jinja2, htmx vendored in ``static/``.

Modules: ``app`` (the Starlette application and what a request needs), ``access``
(sessions, CSRF, roles, who may bind where), ``accounts`` (the web's own tables: users
and feed tokens), ``i18n`` (English and Chinese labels), ``render`` (templates and
display filters), ``topic_files`` (editing topic files atomically), ``feeds`` (Atom, RSS,
JSON Feed), ``server`` (uvicorn, alone or inside the service), and ``routes/`` (one
module per page). It reads other packages' tables only through their functions.

This ``__init__`` imports nothing, so opening the archive never loads the web stack.
"""
