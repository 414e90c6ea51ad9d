"""The service (``newswatch run``): an asyncio scheduler that crawls each source on its
schedule, then matches and delivers.

Modules: ``daemon`` (the Service), ``steps`` (the blocking steps run in database
threads), ``load`` (configuration, topics and channels loaded and reloaded), ``schedule``
(triggers), ``slots`` (crawl slots, earliest due first), ``state`` (the schedule table read by ``status``), ``lock`` (one service per
database), ``signals``, ``metrics`` (``/metrics`` and ``/healthz``), ``db_worker``.

Commands use only what this package exports here, never its modules directly.
"""

from newswatch.service.daemon import RunOptions, Service  # noqa: F401
from newswatch.service.lock import InstanceLocked, running_pid  # noqa: F401
from newswatch.service.metrics import parse_listen  # noqa: F401
from newswatch.service.schedule import (  # noqa: F401
    ScheduleError, build_trigger, first_run_time, parse_duration)
from newswatch.service.state import last_run_starts, read_schedule  # noqa: F401
from newswatch.service.state import add_request, recent_requests  # noqa: F401
