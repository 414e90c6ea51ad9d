"""The docs stay honest: every command, option and setting is documented, the README's
set-up commands are what CI runs, and the packages keep their one-way imports."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import click
import pytest

from newswatch import config
from newswatch.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOCS = "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").glob("*.md")))


def _walk(cmd: click.Command, prefix: str):
    ctx = click.Context(main)
    yield prefix, cmd
    if isinstance(cmd, click.Group):
        for name in cmd.list_commands(ctx):
            yield from _walk(cmd.get_command(ctx, name), f"{prefix} {name}")


COMMANDS = [(name, cmd) for name, cmd in _walk(main, "newswatch") if name != "newswatch"]


def test_there_are_commands():
    assert len(COMMANDS) >= 3


@pytest.mark.parametrize("name,cmd", COMMANDS, ids=[n for n, _ in COMMANDS])
def test_every_command_is_documented_with_its_options(name, cmd):
    assert f"`{name}" in DOCS or f"$ {name}" in DOCS or f"\n{name}" in DOCS, (
        f"{name!r} is not shown in docs/")
    assert cmd.help or cmd.short_help, f"{name!r} has no --help text"
    for param in cmd.params:
        if isinstance(param, click.Option) and not param.hidden:
            assert param.help, f"{name} {param.opts[0]} has no help text"
            if param.opts[0] not in ("--help", "--db"):
                assert param.opts[0] in DOCS, f"{name} {param.opts[0]} is not in docs/"


@pytest.mark.parametrize("setting", config.SETTINGS, ids=[s.name for s in config.SETTINGS])
def test_every_setting_is_documented(setting):
    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert f"`{setting.name}`" in page, f"setting {setting.name!r} missing from docs/configuration.md"
    if setting.env:
        assert f"`{setting.env}`" in page, f"{setting.env} missing from docs/configuration.md"


def test_settings_are_declared_once_in_order():
    names = [s.name for s in config.SETTINGS]
    assert names == sorted(names)
    assert len(set(names)) == len(names)


def test_crawler_settings_are_documented():
    text = (ROOT / "crawler" / "settings.py").read_text(encoding="utf-8")
    ours = sorted(set(re.findall(r"^(NEWSWATCH_[A-Z_]+)\s*=", text, re.M)))
    assert ours, "crawler/settings.py declares no NEWSWATCH_* settings"
    for name in ours:
        assert f"`{name}`" in DOCS, f"crawler setting {name} is not in docs/"


def test_readme_opens_with_the_two_setup_commands_and_ci_runs_the_second():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```(?:sh|bash|console)?\n(.*?)```", readme, re.S)
    assert block and readme.index(block.group(0)) < 200, "README must open with its set-up block"
    lines = [ln.strip() for ln in block.group(1).splitlines() if ln.strip()]
    assert "newswatch run" in lines[0] or "newswatch crawl" in lines[0]
    assert "pytest" in lines[1]
    assert lines[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _imports(package: str) -> dict[str, set[str]]:
    found = {}
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_crawler_never_imports_alerts_or_the_application():
    for path, names in _imports("crawler").items():
        assert not names & {"alerts", "newswatch"}, f"{path} imports {names & {'alerts', 'newswatch'}}"


def test_alerts_never_imports_the_application_or_the_spiders():
    for path, names in _imports("alerts").items():
        bad = names & {"newswatch", "scrapy"}
        assert not bad, f"{path} imports {bad}"
