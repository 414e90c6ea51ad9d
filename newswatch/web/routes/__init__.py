"""One module per page; :func:`endpoints` collects every function declared with
``newswatch.web.app.route``."""

from __future__ import annotations

import importlib
import pkgutil


def endpoints() -> list:
    found = []
    for mod in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        module = importlib.import_module(f"{__name__}.{mod}")
        found += [v for v in vars(module).values() if hasattr(v, "_web_route")]
    return found
