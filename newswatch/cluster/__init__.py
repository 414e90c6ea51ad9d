"""Past one machine: ``newswatch run`` as the scheduler of Celery workers, and
``newswatch worker`` (see docs/scaling.md).

Modules: ``app`` (the Celery app built from the ``[cluster]`` settings, the queues),
``tasks`` (crawl, match, deliver: the service's own steps on a worker), ``dispatch``
(sending them), ``scheduler`` (the service that dispatches, one at a time across
failover), ``worker`` (the worker in this process), ``observe`` (what ``status`` shows).

Commands use only what this package exports here. Importing it imports Celery: the
one-machine commands import it only when a broker is configured.
"""

from newswatch.cluster.app import BrokerUnreachable, crawl_queue  # noqa: F401
from newswatch.cluster.observe import cluster_status  # noqa: F401
from newswatch.cluster.scheduler import Scheduler  # noqa: F401
from newswatch.cluster.worker import (WorkerError, WorkerOptions, parse_roles,  # noqa: F401
                                      parse_tags, run_worker)
