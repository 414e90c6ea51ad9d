"""What every channel shares: its validated settings, the outcome of a send, HTTP posting
with the outcome classified (retry, permanent), and splitting to the channel's size limit.

Outcome classes, as the delivery loop reads them::

    ok                      sent (every part)
    not ok, permanent       dead now: 4xx other than 408/429, a refused address, a
                            channel that rejects the message for good
    not ok, not permanent   retried with backoff (Retry-After when given): time-outs,
                            refused connections, 408, 429, 5xx, a bot's "too fast"
"""

from __future__ import annotations

import email.utils
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, ClassVar

import httpx

from alerts import local_time, rendering, secrets, splitting, ssrf
from crawler import times


class ChannelConfigError(Exception):
    """A ``[channels.<name>]`` table is wrong; the message names file, channel and field."""


@dataclass
class Outcome:
    ok: bool
    status: int | None = None
    error: str | None = None
    permanent: bool = False
    retry_after: float | None = None  # seconds, from the server
    parts: int = 1
    parts_done: int = 0  # on a failure: how many leading parts were accepted


@dataclass
class Message:
    """One delivery: ``payload`` is the documented JSON (see docs/alerts.md)."""

    key: str  # idempotency key (= webhook-id)
    kind: str  # alert | digest | notice
    payload: dict[str, Any]
    skip: int = 0  # leading parts accepted by an earlier attempt: not sent again

    @property
    def items(self) -> list[dict]:
        """The alerts it carries (one, a digest's list, or none for a notice)."""
        if self.kind == "digest":
            return self.payload.get("alerts", [])
        return [self.payload] if self.kind == "alert" else []


@dataclass(frozen=True)
class Field:
    kind: type | tuple[type, ...]
    required: bool = False
    default: Any = None
    help: str = ""


# Fields every channel accepts.
COMMON_FIELDS: dict[str, Field] = {
    "type": Field(str, True),
    "language": Field(str, help="zh or en: the default templates' language"),
    "template": Field(str, help="a Jinja2 file replacing the default body template"),
    "rate_limit": Field(str, help="at most N messages per s|min|h, e.g. '20/min'"),
    "quiet_hours": Field(str, help="HH:MM-HH:MM local time during which sends are deferred"),
    "max_age": Field(str, help="give up (dead) after this long, e.g. '3d', '12h'"),
    "timeout": Field((int, float), default=20, help="seconds per request"),
}


def parse_rate(text: str) -> tuple[int, float]:
    """'20/min' to (20, 60.0)."""
    count, _, per = str(text).partition("/")
    seconds = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60,
               "h": 3600, "hour": 3600}.get(per.strip())
    if not count.strip().isdigit() or int(count) < 1 or seconds is None:
        raise ValueError(f"not a rate: {text!r} (write e.g. 20/min, 1/s, 100/h)")
    return int(count), float(seconds)


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header (seconds or an HTTP date) in seconds from now."""
    if not value:
        return None
    value = value.strip()
    if value.replace(".", "", 1).isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class Channel:
    """A configured channel. Subclasses declare ``type``, ``FIELDS`` and ``send``."""

    type: ClassVar[str] = ""
    FIELDS: ClassVar[dict[str, Field]] = {}
    DEFAULT_LANGUAGE: ClassVar[str] = "en"
    DEFAULT_RATE: ClassVar[str | None] = None
    # Largest message, measured in SIZE_UNIT ("bytes" of UTF-8 or "chars"); None = no limit.
    SIZE_LIMIT: ClassVar[int | None] = None
    SIZE_UNIT: ClassVar[str] = "chars"

    def __init__(self, name: str, cfg: dict[str, Any], *, config_path: str | Path | None = None,
                 data_dir: str | Path | None = None, tz=None):
        self.name = name
        self.tz = tz or times.zone(None)
        self.where = f"{config_path or 'config'}: [channels.{name}]"
        self.config_dir = Path(config_path).parent if config_path else Path.cwd()
        self.data_dir = Path(data_dir) if data_dir else Path.cwd()
        self.cfg = self._validate(cfg)
        self.redact = secrets.mask
        secrets.remember_references(self.cfg)  # masked even in text this process only prints
        for key in ("secret", "password", "url"):
            # Literal secrets (not ${ENV}) are masked too: bot tokens live in URLs.
            value = self.cfg.get(key)
            if isinstance(value, str) and not secrets.references(value):
                (secrets.remember_url if key == "url" else secrets.remember)(value)
        self.language = self.cfg.get("language") or self.DEFAULT_LANGUAGE
        rate = self.cfg.get("rate_limit") or self.DEFAULT_RATE
        self.rate = self._parsed("rate_limit", parse_rate, rate)
        self.max_age = self._parsed("max_age", times.parse_duration, self.cfg.get("max_age"))
        self.quiet_hours = self._parsed("quiet_hours", local_time.parse_quiet_hours,
                                        self.cfg.get("quiet_hours"))
        url = self.cfg.get("url")
        if isinstance(url, str) and not secrets.references(url) \
                and not url.startswith(("http://", "https://")):
            raise self.error("url", f"must be an http(s) URL, got {secrets.safe_url(url)}")
        if self.language not in rendering.LANGUAGES:
            raise self.error("language", f"must be one of {', '.join(rendering.LANGUAGES)}, "
                                         f"got {self.language!r}")
        self.timeout = float(self.cfg.get("timeout") or 20)
        try:
            self.renderer = rendering.Renderer(self.type, self.language,
                                               self._template_overrides())
        except rendering.TemplateError as exc:
            raise self.error(exc.key, str(exc)) from None

    # -- configuration ---------------------------------------------------------------
    def error(self, field_name: str, message: str) -> ChannelConfigError:
        return ChannelConfigError(f"{self.where} field {field_name!r}: {message}")

    def _parsed(self, key: str, parse, value):
        if value is None or value == "":
            return None
        try:
            return parse(value)
        except ValueError as exc:
            raise self.error(key, str(exc)) from None

    def _validate(self, cfg: dict[str, Any]) -> dict[str, Any]:
        fields = {**COMMON_FIELDS, **self.FIELDS}
        out: dict[str, Any] = {}
        for key in cfg:
            if key not in fields:
                raise self.error(key, f"unknown field for type {self.type!r} "
                                      f"(known: {', '.join(sorted(fields))})")
        for key, spec in fields.items():
            if key not in cfg:
                if spec.required:
                    raise self.error(key, "required")
                out[key] = spec.default
                continue
            value = cfg[key]
            if isinstance(value, bool) and spec.kind in ((int, float), int):
                raise self.error(key, f"must be a number, got {value!r}")
            if not isinstance(value, spec.kind):
                kinds = spec.kind if isinstance(spec.kind, tuple) else (spec.kind,)
                raise self.error(key, f"must be {' or '.join(k.__name__ for k in kinds)}, "
                                      f"got {value!r}" if not secrets.references(value)
                                 else "wrong type")
            out[key] = value
        return out

    def _template_overrides(self) -> dict[str, Path]:
        found = {}
        for key in ("template", "subject_template", "text_template", "html_template"):
            if self.cfg.get(key):
                path = Path(os.path.expanduser(self.cfg[key]))
                path = path if path.is_absolute() else self.config_dir / path
                if not path.is_file():
                    raise self.error(key, f"template file not found: {path}")
                found[key] = path
        return found

    def secret(self, key: str) -> str | None:
        """A field's value with ``${ENV}`` expanded now; the result is masked in errors."""
        raw = self.cfg.get(key)
        return None if raw is None else self.expand(raw, key)

    def expand(self, raw: str, key: str) -> str:
        return secrets.expand(raw, where=f"{self.where} field {key!r}")

    def describe(self) -> str:
        """One line for tables: type and where it posts (no secrets)."""
        return self.type

    def title(self, message: Message) -> str:
        """The chat card's title: the channel's `title` field, else the topic's title."""
        if self.cfg.get("title"):
            return self.cfg["title"]
        if message.kind == "notice":
            return message.payload.get("title", "newswatch")
        return (message.payload.get("topic") or {}).get("title") or "newswatch"

    # -- sending ---------------------------------------------------------------------
    async def send(self, message: Message, client: httpx.AsyncClient) -> Outcome:
        raise NotImplementedError

    def split(self, text: str) -> list[str]:
        if self.SIZE_LIMIT is None:
            return [text]
        measure = splitting.utf8_len if self.SIZE_UNIT == "bytes" else len
        return splitting.split_text(text, self.SIZE_LIMIT, measure=measure)

    async def send_parts(self, message: Message, client: httpx.AsyncClient,
                         request: Callable[[int, int, str], tuple[str, Any]]) -> Outcome:
        """Render, split, and POST each part as ``request(number, total, text) -> (url,
        json)`` builds it. A retry resumes after the parts an earlier attempt got
        accepted (``message.skip``), so a split digest is not repeated in the chat."""
        parts = self.split(self.renderer.render(message, tz=self.tz))
        status = None
        for i, text in enumerate(parts):
            if i < message.skip:
                continue
            url, body = request(i + 1, len(parts), text)
            outcome, _ = await self.post(client, url, json_body=body,
                                         allow_private=bool(self.cfg.get("allow_private")))
            if not outcome.ok:
                outcome.parts, outcome.parts_done = len(parts), i
                return outcome
            status = outcome.status
        return Outcome(True, status=status, parts=len(parts))

    async def post(self, client: httpx.AsyncClient, url: str, *, json_body: Any = None,
                   content: bytes | None = None, headers: dict | None = None,
                   allow_private: bool = False) -> tuple[Outcome, httpx.Response | None]:
        """POST and classify the HTTP outcome; a bot's own error codes are checked by
        :meth:`check_reply` on a 2xx."""
        try:
            address = await ssrf.check_url(url, allow_private=allow_private)
            url, host, extensions = ssrf.pinned(url, address)
            headers = {**(headers or {}), **host}
        except ssrf.RefusedAddress as exc:
            return Outcome(False, error=f"refused: {exc}", permanent=True), None
        except OSError as exc:
            return Outcome(False, error=self.redact(str(exc))), None
        started = time.monotonic()
        try:
            resp = await _post_capped(client, url, json_body=json_body, content=content,
                                      headers=headers, timeout=self.timeout,
                                      extensions=extensions)
        except httpx.TimeoutException:
            return Outcome(False, error=f"timed out after {time.monotonic() - started:.0f}s"), None
        except httpx.HTTPError as exc:
            return Outcome(False, error=self.redact(f"{type(exc).__name__}: {exc}")), None
        code = resp.status_code
        if 200 <= code < 300:
            return self.check_reply(resp), resp
        # Masked before it is cut: a cut secret would no longer match its mask.
        text = self.redact(resp.text[:4000]).strip()[:200]
        retry = retry_after_seconds(resp.headers.get("Retry-After"))
        if code in (408, 429) or code >= 500:
            return Outcome(False, status=code, error=f"HTTP {code} {text}".strip(),
                           retry_after=retry), resp
        if 300 <= code < 400:
            return Outcome(False, status=code, permanent=True,
                           error=f"HTTP {code}: redirect not followed"), resp
        return Outcome(False, status=code, permanent=True,
                       error=f"HTTP {code} {text}".strip()), resp

    def check_reply(self, resp: httpx.Response) -> Outcome:
        return Outcome(True, status=resp.status_code)


# A receiver's reply is read up to this many bytes: enough for any bot's JSON verdict
# or an error page's first lines, never a flood into memory.
REPLY_CAP_BYTES = 64 * 1024


async def _post_capped(client: httpx.AsyncClient, url: str, *, json_body, content, headers,
                       timeout, extensions) -> httpx.Response:
    """POST, reading at most :data:`REPLY_CAP_BYTES` of the reply body."""
    request = client.build_request("POST", url, json=json_body, content=content,
                                   headers=headers, timeout=timeout, extensions=extensions)
    resp = await client.send(request, stream=True)
    try:
        body = bytearray()
        async for chunk in resp.aiter_bytes():
            body += chunk
            if len(body) >= REPLY_CAP_BYTES:
                del body[REPLY_CAP_BYTES:]
                break
    finally:
        await resp.aclose()
    # Already decoded (gzip and the rest): a compressed flood stops at the cap too.
    headers_out = [(k, v) for k, v in resp.headers.multi_items()
                   if k.lower() not in ("content-encoding", "content-length",
                                        "transfer-encoding")]
    return httpx.Response(resp.status_code, headers=headers_out, content=bytes(body),
                          request=request)


@dataclass
class BotReply:
    """How a chat bot's JSON reply maps to an outcome."""

    ok_codes: tuple = (0,)
    retry_codes: tuple = ()
    code_keys: tuple = ("errcode",)
    message_keys: tuple = ("errmsg",)
    retry_after: float = 60.0
    extra: dict = field(default_factory=dict)

    def outcome(self, resp: httpx.Response, redact) -> Outcome:
        try:
            data = resp.json()
        except ValueError:
            return Outcome(True, status=resp.status_code)  # no JSON: trust the 2xx
        if not isinstance(data, dict):
            return Outcome(True, status=resp.status_code)
        code = next((data[k] for k in self.code_keys if k in data), 0)
        if code in self.ok_codes or code is None:
            return Outcome(True, status=resp.status_code)
        msg = next((str(data[k]) for k in self.message_keys if k in data), "")
        error = redact(f"bot error {code}: {msg}".strip())
        if code in self.retry_codes:
            return Outcome(False, status=resp.status_code, error=error,
                           retry_after=self.retry_after)
        return Outcome(False, status=resp.status_code, error=error, permanent=True)
