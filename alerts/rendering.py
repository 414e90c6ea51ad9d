"""Jinja2 templates that turn a message into each channel's text.

Defaults live in ``alerts/templates/<language>/<name>.j2`` (``zh`` and ``en``); a channel
replaces one with ``template = "file.j2"`` (email: ``subject_template``,
``text_template``, ``html_template``), read relative to the config file. Every template
gets the same context (see docs/alerts.md): ``kind``, ``topic``, ``items``, ``count``,
``period``, ``notice``, ``lang``, the function ``local()`` (UTC ISO time to local
``YYYY-MM-DD HH:MM``) and the filter ``slack`` (escape ``& < >`` for Slack mrkdwn).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from alerts.explain import describe
from crawler import times

LANGUAGES = ("zh", "en")
TEMPLATES = Path(__file__).parent / "templates"
# Channel types that share another's templates.
TEMPLATE_OF_TYPE = {"lark": "feishu"}


def _slack_escape(text: Any) -> str:
    return str(text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _environment(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                             autoescape=autoescape, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.ChainableUndefined)
    env.filters["slack"] = _slack_escape
    return env


_ENVS = {False: _environment(False), True: _environment(True)}


class TemplateError(ValueError):
    """A template file that does not compile; ``key`` is the channel field naming it."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key = key


class Renderer:
    """Renders the templates of one channel; ``overrides`` maps a field to a file."""

    def __init__(self, channel_type: str, language: str, overrides: dict[str, Path]):
        self.base = TEMPLATE_OF_TYPE.get(channel_type, channel_type)
        self.language = language
        self.overrides = overrides
        self._cache: dict[str, jinja2.Template] = {}
        for key in overrides:  # a syntax error shows at start-up, not at 3 a.m.
            self._template(key, key.endswith("html_template"))

    def _template(self, key: str, html: bool) -> jinja2.Template:
        if key not in self._cache:
            env = _ENVS[html]
            if key in self.overrides:
                path = self.overrides[key]
                try:
                    self._cache[key] = env.from_string(path.read_text(encoding="utf-8"))
                except jinja2.TemplateSyntaxError as exc:
                    raise TemplateError(key, f"{path}:{exc.lineno}: {exc.message}") from None
            else:
                name = {"template": self.base, "subject_template": "email_subject",
                        "text_template": "email_text", "html_template": "email_html"}[key]
                self._cache[key] = env.get_template(f"{self.language}/{name}.j2")
        return self._cache[key]

    def render(self, message, *, key: str = "template", tz=None) -> str:
        """Render ``message`` (an ``alerts.channels.base.Message``) with one template."""
        html = key == "html_template"
        if key == "text_template" and "text_template" not in self.overrides \
                and "template" in self.overrides:
            key = "template"
        return self._template(key, html).render(**context(message, tz, self.language)).strip()


def context(message, tz, language: str) -> dict[str, Any]:
    tz = tz or times.zone(None)
    payload = message.payload
    notice = ({"title": payload.get("title", ""), "text": payload.get("text", "")}
              if message.kind == "notice" else None)
    items = message.items
    return {
        "local": lambda value: times.local_text(value, tz),
        "kind": message.kind,
        "id": message.key,
        "topic": payload.get("topic") or {},
        "items": items,
        "count": len(items),
        "period": payload.get("period") or {},
        "notice": notice,
        "lang": language,
        # Where a snippet from an attachment comes from ("In attachment 《…》.pdf, page 3").
        "where": lambda location: describe(location, language, start=True),
    }
