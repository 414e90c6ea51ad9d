"""Channels: one module per ``type``, each a :class:`~alerts.channels.base.Channel`.

:func:`build_channels` validates the ``[channels.<name>]`` tables of the config file;
an error names the file, the channel and the field. ``console`` and ``jsonl`` exist
even with no config, so a new installation shows its alerts with no set-up.
"""

from __future__ import annotations

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
from alerts.settings import AlertSettings

TYPES: dict[str, type[Channel]] = {c.type: c for c in (
    AppriseChannel, ConsoleChannel, DingTalkChannel, EmailChannel, FeishuChannel,
    JsonlChannel, LarkChannel, SlackChannel, WebhookChannel, WeComChannel)}

# Built in: used when the config file does not define a channel of that name.
BUILTIN: dict[str, dict[str, Any]] = {"console": {"type": "console"},
                                      "jsonl": {"type": "jsonl"}}

__all__ = ["Channel", "ChannelConfigError", "Message", "Outcome", "TYPES", "build_channels",
           "build_channel", "check_channels"]


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
    except ChannelConfigError:
        raise
    except (ValueError, TypeError) as exc:  # the channel's own check; it names its field
        raise ChannelConfigError(f"{where}: {exc}") from None


def check_channels(settings: AlertSettings) -> tuple[dict[str, Channel], list[str]]:
    """Build every channel of ``settings`` (and the built-in console and jsonl); the ones
    that build, and one problem line per one that does not."""
    tables = {**BUILTIN, **settings.channels}
    built: dict[str, Channel] = {}
    problems: list[str] = []
    for name, cfg in tables.items():
        try:
            built[name] = build_channel(
                name, cfg, config_path=settings.config_path if name in settings.channels
                else None, data_dir=settings.data_dir, tz=settings.timezone)
        except ChannelConfigError as exc:
            problems.append(str(exc))
    return built, problems


def build_channels(settings: AlertSettings) -> dict[str, Channel]:
    """All channels of ``settings``, plus the built-in console and jsonl; the first bad
    table raises :class:`ChannelConfigError`."""
    built, problems = check_channels(settings)
    if problems:
        raise ChannelConfigError(problems[0])
    return built
