"""``${ENV_NAME}`` references in channel settings, expanded only when a value is used.

Secrets are never written to the database, the logs or command output: an expanded
value is registered with the channel's :class:`Redactor`, which blanks it (and the query
strings and paths of secret-bearing URLs) out of every error message before it is
recorded.
"""

from __future__ import annotations

import os
import re
import urllib.parse

_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class SecretError(Exception):
    """A ``${NAME}`` reference whose environment variable is not set."""


def references(value: object) -> list[str]:
    """The environment variable names a setting refers to."""
    return _REF.findall(value) if isinstance(value, str) else []


def expand(value: str, *, where: str, environ: dict | None = None) -> str:
    """Replace each ``${NAME}`` with the environment's value; ``where`` names the field."""
    env = os.environ if environ is None else environ

    def sub(m: re.Match) -> str:
        name = m.group(1)
        if name not in env or env[name] == "":
            raise SecretError(f"{where}: environment variable {name} is not set")
        return env[name]

    return _REF.sub(sub, value) if isinstance(value, str) else value


def safe_url(url: str) -> str:
    """A URL fit for display: scheme and host only (bot URLs carry their token in the path
    or the query)."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return "<invalid URL>"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme}://{host}/…" if parts.scheme else "<invalid URL>"


def url_tokens(url: str) -> list[str]:
    """The parts of a URL that may be credentials: query values, long path segments,
    user info."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return []
    found = [v for _, v in urllib.parse.parse_qsl(parts.query) if len(v) >= 8]
    found += [seg for seg in parts.path.split("/") if len(seg) >= 16]
    if parts.password:
        found.append(parts.password)
    return found


class Redactor:
    """Blanks known secret values out of text."""

    def __init__(self) -> None:
        self._values: set[str] = set()

    def add(self, value: str | None) -> None:
        if value and len(value) >= 4:
            self._values.add(value)
            quoted = urllib.parse.quote(value, safe="")
            if quoted != value:
                self._values.add(quoted)

    def __call__(self, text: str | None) -> str | None:
        if not text:
            return text
        for value in sorted(self._values, key=len, reverse=True):
            text = text.replace(value, "***")
        return text
