"""Templates and the filters they use: times in the configured zone, snippets with their
hits marked, the small SVG chart of items per day."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from alerts.explain import MARK_CLOSE, MARK_OPEN

TEMPLATES = Path(__file__).parent / "templates"


def local_time(value, zone: ZoneInfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if not value:
        return "-"
    try:
        when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if when.tzinfo is None:
        return when.strftime(fmt)
    return when.astimezone(zone).strftime(fmt)


def highlight(snippet: str | None) -> Markup:
    """A matcher snippet (hits between ``**`` marks) as HTML with ``<mark>``."""
    if not snippet:
        return Markup("")
    parts = str(snippet).split(MARK_OPEN) if MARK_OPEN == MARK_CLOSE else [snippet]
    out = []
    for i, part in enumerate(parts):
        # Odd pieces sit between an opening and a closing mark; a lone mark stays text.
        if i % 2 and i < len(parts) - 1:
            out.append(Markup("<mark>") + escape(part) + Markup("</mark>"))
        else:
            out.append(escape(part if i % 2 == 0 else MARK_OPEN + part))
    return Markup("").join(out)


def mark_spans(text: str | None, spans: list) -> Markup:
    """``text`` with the given ``[start, end]`` character spans marked."""
    if not text:
        return Markup("")
    out, pos = [], 0
    for s, e in sorted((int(a), int(b)) for a, b in spans if 0 <= a < b <= len(text)):
        if s < pos:
            continue
        out += [escape(text[pos:s]), Markup("<mark>"), escape(text[s:e]), Markup("</mark>")]
        pos = e
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def bar_chart(values: list[int], labels: list[str], *, width: int = 240,
              height: int = 40) -> Markup:
    """Inline SVG bars, one per day; each bar's title says the day and the count."""
    top = max(values or [0]) or 1
    step = width / max(1, len(values))
    bars = []
    for i, (v, label) in enumerate(zip(values, labels)):
        h = 0 if not v else max(1.5, v / top * (height - 2))
        bars.append(f'<rect x="{i * step:.1f}" y="{height - h:.1f}" width="{step * 0.8:.1f}" '
                    f'height="{h:.1f}"><title>{escape(label)}: {v}</title></rect>')
    return Markup(f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" '
                  f'height="{height}" role="img" aria-label="{sum(values)}">'
                  f'<line x1="0" y1="{height - 0.5}" x2="{width}" y2="{height - 0.5}" />'
                  + "".join(bars) + "</svg>")


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)),
                      autoescape=select_autoescape(["html", "xml"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters["highlight"] = highlight
    env.globals["bar_chart"] = bar_chart
    env.globals["mark_spans"] = mark_spans
    return env
