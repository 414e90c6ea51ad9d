"""Creating, editing and deleting a topic in its TOML file from the web form.

The file is edited with tomlkit, so its comments and the other topics stay as written.
A save is refused unless the whole topic set still loads (names unique across files,
every query valid), and unless the file is the one the form was opened on (``version``,
the SHA-256 of its text: two people editing at once cannot overwrite each other). The
new text goes to a temporary file in the same folder, is flushed, and replaces the old
one with ``os.replace``: a reader (the service) sees the old file or the new, never half.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import tomlkit
from filelock import FileLock

from alerts.topics import TopicError, load_topics

FIELDS = ("name", "title", "query", "sources", "languages", "channels", "mode", "max_age")
LISTS = ("sources", "languages", "channels")


class SaveError(ValueError):
    """The topic was not saved; the message says why (and the file and position)."""

    def __init__(self, message: str, position: int | None = None):
        super().__init__(message)
        self.position = position


def version(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return "new"


def table_of(values: dict) -> dict:
    """The TOML table of a topic from form values (empty optional fields left out)."""
    table: dict = {}
    for key in FIELDS:
        value = values.get(key)
        if key in LISTS:
            items = [v.strip() for v in str(value or "").split(",") if v.strip()]
            if items:
                table[key] = items
        elif value not in (None, ""):
            table[key] = str(value).strip() if key != "query" else str(value)
    if table.get("mode") == "immediate":
        del table["mode"]
    return table


def save(paths: list[Path], target: Path, original: str | None, values: dict,
         expected_version: str, aliases_path) -> None:
    """Write the topic ``values`` into ``target``, replacing the topic named ``original``
    (None: a new topic)."""
    table = table_of(values)

    def change(tables) -> None:
        if original is None:
            entry = tomlkit.table()
            for key, value in table.items():
                entry[key] = value
            tables.append(entry)
            return
        entry = tables[_index_of(tables, original, target)]
        for key in list(entry.keys()):
            if key in FIELDS and key not in table:
                del entry[key]
        for key, value in table.items():
            entry[key] = value

    _rewrite(paths, target, expected_version, aliases_path, change)


def delete(paths: list[Path], target: Path, name: str, expected_version: str,
           aliases_path) -> None:
    """Remove the topic ``name`` from ``target``; the file's other topics and comments
    stay. Its matches and alerts already sent stay in the archive."""
    def change(tables) -> None:
        del tables[_index_of(tables, name, target)]

    _rewrite(paths, target, expected_version, aliases_path, change)


def _index_of(tables, name: str, target: Path) -> int:
    index = next((i for i, t in enumerate(tables) if t.get("name") == name), None)
    if index is None:
        raise SaveError(f"{target}: no topic named {name!r} any more")
    return index


def _rewrite(paths: list[Path], target: Path, expected_version: str, aliases_path,
             change) -> None:
    """Apply ``change`` to the ``[[topic]]`` tables of ``target`` and replace the file
    atomically, once the whole topic set with the new file still loads."""
    with FileLock(str(target) + ".lock"):
        if version(target) != expected_version:
            raise SaveError(f"{target} changed since this form was opened; reload and "
                            "apply your change again")
        text = target.read_text(encoding="utf-8") if target.exists() else ""
        try:
            doc = tomlkit.parse(text)
        except Exception as exc:
            raise SaveError(f"{target}: not valid TOML: {exc}") from None
        tables = doc.get("topic")
        if tables is None:
            tables = tomlkit.aot()
            doc["topic"] = tables
        change(tables)
        new_text = tomlkit.dumps(doc)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                   dir=str(target.parent))
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(new_text)
                fh.flush()
                os.fsync(fh.fileno())
            candidate = [Path(tmp) if p == target else p for p in paths if p.exists() or p == target]
            if target not in paths:
                candidate.append(Path(tmp))
            try:
                load_topics(candidate, aliases_path)
            except TopicError as exc:
                raise SaveError(str(exc).replace(tmp, str(target)), exc.position) from None
            if target.exists():
                os.chmod(tmp, target.stat().st_mode & 0o777)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
