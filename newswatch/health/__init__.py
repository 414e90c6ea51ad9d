"""Source health: states computed from the archive's runs (``states``), and the
operations notices queued when a state changes (``notices``)."""

from newswatch.health.states import (  # noqa: F401  (the package's public surface)
    STATES, Change, Health, access_of, compute, degraded_reason, first_error, mark_notified,
    record, stored_states, unnotified)
