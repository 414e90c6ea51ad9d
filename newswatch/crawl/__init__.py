"""Running crawls: one child process per source under a per-source lock (``runner``),
and the asynchronous handle the service keeps on a running child (``child``)."""
