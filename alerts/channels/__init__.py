"""Channels: one module per ``type``, each a :class:`~alerts.channels.base.Channel`.

:func:`build_channels` validates the ``[channels.<name>]`` tables of the config file;
an error names the file, the channel and the field. ``console`` and ``jsonl`` exist
even with no config, so a new installation shows its alerts with no set-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alerts.channels.apprise import AppriseChannel
from alerts.channels.base import Channel, ChannelConfigError, Message, Outcome
from alerts.channels.console import ConsoleChannel
from alerts.channels.dingtalk import DingTalkChannel
from alerts.channels.email import EmailChannel
from alerts.channels.feishu import FeishuChannel, LarkChannel
from alerts.channels.jsonl import JsonlChannel
from alerts.channels.slack import SlackChannel
from alerts.channels.webhook import WebhookChannel
from alerts.channels.wecom import WeComChannel

TYPES: dict[str, type[Channel]] = {c.type: c for c in (
    AppriseChannel, ConsoleChannel, DingTalkChannel, EmailChannel, FeishuChannel,
    JsonlChannel, LarkChannel, SlackChannel, WebhookChannel, WeComChannel)}

# Built in: used when the config file does not define a channel of that name.
BUILTIN: dict[str, dict[str, Any]] = {"console": {"type": "console"},
                                      "jsonl": {"type": "jsonl"}}

__all__ = ["Channel", "ChannelConfigError", "Message", "Outcome", "TYPES", "build_channels",
           "build_channel"]


def build_channel(name: str, cfg: dict[str, Any], *, config_path=None, data_dir=None,
                  tz=None) -> Channel:
    where = f"{config_path or 'config'}: [channels.{name}]"
    if not isinstance(cfg, dict):
        raise ChannelConfigError(f"{where}: must be a table")
    kind = cfg.get("type")
    if kind is None:
        raise ChannelConfigError(f"{where} field 'type': required "
                                 f"(one of {', '.join(sorted(TYPES))})")
    if kind not in TYPES:
        raise ChannelConfigError(f"{where} field 'type': must be one of "
                                 f"{', '.join(sorted(TYPES))}, got {kind!r}")
    try:
        return TYPES[kind](name, cfg, config_path=config_path, data_dir=data_dir, tz=tz)
    except ValueError as exc:  # a template that does not compile
        raise ChannelConfigError(f"{where} field 'template': {exc}") from None


def build_channels(config: Any, *, tz=None) -> dict[str, Channel]:
    """All channels of ``config`` (a ``newswatch.config.Config`` or anything with
    ``channels``, ``path`` and ``db``), plus the built-in console and jsonl."""
    tables = dict(BUILTIN)
    tables.update(getattr(config, "channels", None) or {})
    path = getattr(config, "path", None)
    db = getattr(config, "db", None)
    data_dir = Path(db).parent if db and str(db) != ":memory:" else Path.cwd()
    return {name: build_channel(name, cfg, config_path=path if name in
                                (getattr(config, "channels", None) or {}) else None,
                                data_dir=data_dir, tz=tz)
            for name, cfg in tables.items()}
