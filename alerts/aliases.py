"""Alias groups: ``@miit`` in a query stands for every name of the ministry, in Chinese and
English. They live in a TOML file (``seeds/aliases.toml``, the ``aliases`` setting)::

    [miit]
    title = "Ministry of Industry and Information Technology"
    terms = ["工信部", "工业和信息化部", "MIIT", "Ministry of Industry and Information Technology"]

Each term is a literal phrase (not a query), normalised like any other term. An optional
``kind = "place"`` marks a place (a country, province, city): story fingerprints weigh a
shared place more than a shared ministry (docs/stories.md).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

_NAME = re.compile(r"[\w.+-]+")


class AliasError(ValueError):
    """An alias file is wrong; the message names the file and the group."""


KINDS = ("", "place")


@dataclass(frozen=True)
class AliasGroup:
    name: str
    title: str
    terms: tuple[str, ...]
    kind: str = ""


def load_alias_groups(path: str | Path | None) -> dict[str, AliasGroup]:
    """Read an alias file; a missing ``path`` (None or "") means no aliases."""
    if not path:
        return {}
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AliasError(f"{path}: alias file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AliasError(f"{path}: not valid TOML: {exc}") from None
    groups: dict[str, AliasGroup] = {}
    for name, table in data.items():
        where = f"{path}: alias [{name}]"
        if not _NAME.fullmatch(name):
            raise AliasError(f"{where}: a name may hold letters, digits, '.', '+', '-', '_'")
        if not isinstance(table, dict):
            raise AliasError(f"{where}: must be a table with a 'terms' list")
        unknown = set(table) - {"title", "terms", "kind"}
        if unknown:
            raise AliasError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        terms = table.get("terms")
        if not isinstance(terms, list) or not terms or not all(
                isinstance(t, str) and t.strip() for t in terms):
            raise AliasError(f"{where}: 'terms' must be a non-empty list of non-empty strings")
        title = table.get("title", name)
        if not isinstance(title, str):
            raise AliasError(f"{where}: 'title' must be a string")
        kind = table.get("kind", "")
        if kind not in KINDS:
            raise AliasError(f"{where}: 'kind' must be one of {', '.join(repr(k) for k in KINDS)}")
        groups[name.lower()] = AliasGroup(name.lower(), title, tuple(terms), kind)
    return groups


def load_aliases(path: str | Path | None) -> dict[str, tuple[str, ...]]:
    """The alias file as ``{name: phrases}``, the form ``alerts.query.parse`` takes."""
    return {name: g.terms for name, g in load_alias_groups(path).items()}
