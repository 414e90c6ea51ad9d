"""The settings alerts run with, typed: what delivery, digests and channels read.

The application (``newswatch.config.Config.alerts``) parses and validates its settings
once and hands this over; alerts on their own build one directly
(``AlertSettings(channels={...}, timezone=times.zone("UTC"))``). Nothing here reads a
file or the environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from crawler import times

# Channels of a topic that names none, when the application sets no `default_channels`.
DEFAULT_CHANNELS: tuple[str, ...] = ("console", "jsonl")


@dataclass(frozen=True)
class AlertSettings:
    channels: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # [channels.*]
    config_path: Path | None = None  # the file the channel tables came from
    data_dir: Path = field(default_factory=Path.cwd)  # default place of jsonl output
    timezone: ZoneInfo = field(default_factory=lambda: times.zone(None))
    delivery_max_age_s: float = 3 * 86400.0
    delivery_backoff_s: float = 30.0
    digest_time: time = time(8, 0)
    quiet_hours: tuple[time, time] | None = None
    default_channels: tuple[str, ...] = DEFAULT_CHANNELS
