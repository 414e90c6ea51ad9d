"""Every library the code imports is declared in pyproject.toml: a package that is only
installed by chance (as another's dependency, or on the developer's machine) breaks a
plain `pip install` on a fresh machine (`itsdangerous` did: `newswatch web` failed)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("alerts", "crawler", "newswatch", "seeds")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]

    def names(specs):
        return {_normal(re.split(r"[\s<>=!~\[;]", spec, maxsplit=1)[0]) for spec in specs}

    extras = project.get("optional-dependencies", {})
    return (names(project["dependencies"]),
            names(s for extra, specs in extras.items() if extra != "test" for s in specs))


def _imports() -> dict[str, set[str]]:
    """Top-level third-party modules imported anywhere in the packages → the files."""
    found: dict[str, set[str]] = {}
    ours = set(PACKAGES)
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    mods = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    mods = [node.module]
                else:
                    continue
                for mod in mods:
                    top = mod.split(".")[0]
                    if top not in ours and top not in sys.stdlib_module_names:
                        found.setdefault(top, set()).add(str(path.relative_to(REPO)))
    return found


def test_every_imported_library_is_a_declared_dependency_or_extra():
    required, optional = _declared()
    dists = packages_distributions()
    problems = []
    for module, files in sorted(_imports().items()):
        owners = {_normal(d) for d in dists.get(module, [])}
        if not owners:
            problems.append(f"{module} (imported by {sorted(files)[0]}) is not installed")
        elif not owners & (required | optional):
            problems.append(f"{module} (imported by {sorted(files)[0]}) comes from "
                            f"{sorted(owners)}, which pyproject.toml does not declare")
    assert not problems, "\n".join(problems)
