"""Secrets in channel settings: ``${ENV_NAME}`` references, expanded only when a value is
used, and :func:`mask`, the one function that blanks secrets out of any text.

Secrets are never written to the database, the logs or command output. :func:`mask` is
applied where an error is recorded (``outbox.last_error``, ``attempts.error``, the log)
and again where one is printed (``alerts``, ``alerts show``, ``deliver --json``,
``alerts test``). It hides:

- every value that came from ``${ENV}`` in this process (registered by :func:`expand`),
  and literal secrets a channel registers (:func:`remember`, :func:`remember_url`);
- in every URL found in the text, each query value and the whole path beyond the host
  (bot and Slack URLs carry their token there), so a receiver quoting the URL back in
  its error cannot leak it either.
"""

from __future__ import annotations

import os
import re
import urllib.parse

_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s\"'<>()\[\]{}]+")
MASK = "***"
_known: set[str] = set()  # secret values seen by this process, masked wherever they appear


class SecretError(Exception):
    """A ``${NAME}`` reference whose environment variable is not set."""


def references(value: object) -> list[str]:
    """The environment variable names a setting refers to."""
    return _REF.findall(value) if isinstance(value, str) else []


def expand(value: str, *, where: str, environ: dict | None = None) -> str:
    """Replace each ``${NAME}`` with the environment's value; ``where`` names the field.
    Every value so read is remembered as a secret (and the URL it forms, if any)."""
    env = os.environ if environ is None else environ

    def sub(m: re.Match) -> str:
        name = m.group(1)
        if name not in env or env[name] == "":
            raise SecretError(f"{where}: environment variable {name} is not set")
        remember(env[name])
        return env[name]

    if not isinstance(value, str):
        return value
    expanded = _REF.sub(sub, value)
    if expanded != value and _URL.fullmatch(expanded.strip()):
        remember_url(expanded)
    return expanded


def remember_references(table: object) -> None:
    """Remember the values of every ``${ENV}`` in a channel table that is set now."""
    values = table.values() if isinstance(table, dict) else table if isinstance(
        table, list) else [table]
    for value in values:
        if isinstance(value, (dict, list)):
            remember_references(value)
        elif references(value):
            try:
                expand(value, where="")
            except SecretError:
                pass  # reported when the channel sends


def remember(value: str | None, *, shortest: int = 4) -> None:
    """Mask ``value`` (and its URL-quoted forms) wherever it appears from now on."""
    if not isinstance(value, str) or len(value) < shortest:
        return  # too short to be a secret; masking it would garble ordinary words
    _known.add(value)
    for quoted in (urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value)):
        _known.add(quoted)


def remember_url(url: str) -> None:
    """Remember the credential-bearing parts of a URL: query values, the path beyond the
    host and its longer segments, the password."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return
    for _, value in urllib.parse.parse_qsl(parts.query):
        remember(value, shortest=6)
    path = parts.path.strip("/")
    if path:
        remember(path, shortest=8)  # "/send" or "/hook" is no secret; a bot token is
        for seg in path.split("/"):
            remember(seg, shortest=12)  # a token, not a word such as "services"
    if parts.password:
        remember(parts.password)


def _mask_url(url: str) -> str:
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return "<URL>"
    host = parts.hostname or ""
    if port:
        host = f"{host}:{port}"
    out = f"{parts.scheme}://{host}"
    if parts.path.strip("/"):
        out += "/…"
    if parts.query:
        keys = [k for k, _ in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)]
        out += "?" + "&".join(f"{k}={MASK}" for k in keys) if keys else "?…"
    return out


def mask(text: str | None, *, urls: bool = True) -> str | None:
    """``text`` with every known secret and (``urls``) every URL's path and query values
    masked. Log lines pass ``urls=False``: a crawl's page URLs are no secret."""
    if not text:
        return text
    text = str(text)
    if urls:
        text = _URL.sub(lambda m: _mask_url(m.group(0)), text)
    for value in sorted(_known, key=len, reverse=True):
        if value in text:
            text = text.replace(value, MASK)
    return text


def safe_url(url: str) -> str:
    """A URL fit for display: scheme and host only (bot URLs carry their token in the path
    or the query)."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return "<invalid URL>"
    host = parts.hostname or ""
    if port:
        host = f"{host}:{port}"
    return f"{parts.scheme}://{host}/…" if parts.scheme else "<invalid URL>"
