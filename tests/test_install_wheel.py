"""A plain (non-editable) install carries everything: the bundled seeds, topics, aliases
and the demo web travel in the wheel, and the commands find them outside the repository.

The wheel is built from a copy of the working tree, installed with ``--no-deps`` into a
fresh virtual environment that borrows the dependencies from this interpreter
(``--system-site-packages``), and the commands run from a folder outside the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.service_process import REPO

pytestmark = pytest.mark.timeout(600)

_SKIP = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", "*.db",
                               "*.db-*", ".pytest_cache", ".hypothesis", "out", ".venv")


def _run(argv, *, cwd, env, timeout=180):
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    shutil.copytree(REPO, src, ignore=_SKIP)
    dist = work / "dist"
    r = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
              "-w", str(dist), str(src)], cwd=work, env=os.environ.copy(), timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    wheel = next(dist.glob("newswatch-*.whl"))
    venv = work / "venv"
    r = _run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], cwd=work,
             env=os.environ.copy())
    assert r.returncode == 0, r.stderr
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "NEWSWATCH_CONFIG") and not k.startswith("NEWSWATCH_")}
    env["HOME"] = str(work / "home")  # no user config or data directory of ours
    env["XDG_CONFIG_HOME"] = str(work / "home" / ".config")
    env["XDG_DATA_HOME"] = str(work / "home" / ".local" / "share")
    r = _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--no-deps", "--no-index",
              str(wheel)], cwd=work, env=env, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    outside = work / "elsewhere"
    outside.mkdir()
    return {"wheel": wheel, "venv": venv, "env": env, "cwd": outside}


def test_the_wheel_holds_the_bundled_seeds(installed):
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    assert "seeds/topics.toml" in names and "seeds/aliases.toml" in names
    assert any(n.startswith("seeds/sources/") and n.endswith(".toml") for n in names)
    assert any(n.startswith("seeds/demo/site/") for n in names)
    assert any(n.startswith("seeds/replay/") for n in names)
    assert not any(n.startswith("tests/") for n in names)


def test_commands_find_the_seeds_outside_the_repository(installed):
    py = str(installed["venv"] / "bin" / "python")
    r = _run([py, "-c", "import seeds, newswatch; print(seeds.ROOT); print(newswatch.__file__)"],
             cwd=installed["cwd"], env=installed["env"])
    assert r.returncode == 0, r.stderr
    for line in r.stdout.split():
        assert str(installed["venv"]) in line, r.stdout  # not the checkout's copies
    exe = str(installed["venv"] / "bin" / "newswatch")
    r = _run([exe, "sources", "--json"], cwd=installed["cwd"], env=installed["env"])
    assert r.returncode == 0, r.stdout + r.stderr
    assert '"miit' in r.stdout and '"xinhua' in r.stdout
    r = _run([exe, "topics", "--json"], cwd=installed["cwd"], env=installed["env"])
    assert r.returncode == 0, r.stdout + r.stderr
    assert "算力" in r.stdout


def test_demo_runs_from_the_wheel(installed, tmp_path):
    exe = str(installed["venv"] / "bin" / "newswatch")
    r = _run([exe, "demo", "--dir", str(tmp_path)], cwd=installed["cwd"], env=installed["env"],
             timeout=180)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "2 alert(s) received (expected 2)" in r.stdout
