"""The bundled seeds: data, not code, shipped inside the package so that a plain
``pip install`` has them.

``sources/`` (one TOML file per source), ``topics.toml`` and ``aliases.toml`` (the
default watched topics and alias groups), ``demo/`` (the two made-up sites of
``newswatch demo``), ``replay/`` and ``replay-sources/`` (the small offline web of the
crawler's demo). ``ROOT`` is where they are, in a checkout or an installed wheel.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent
