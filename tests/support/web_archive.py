"""A real archive for the web interface's tests and screenshots, built by real crawls of
the replay web: the demo sites (``seeds/demo``: a baseline crawl, then the demo's new
articles, a story republished by a second outlet) and the bundled replay set
(``seeds/replay`` with ``seeds/replay-sources``), then ``newswatch match`` and one
``newswatch deliver`` to a webhook that refuses connections (``delivery_max_age = 1s``:
its alerts become dead letters at once).

    with web_archive(tmp_path) as world:
        world.db, world.config, world.topics, world.site.url
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from newswatch.demo.walkthrough import copy_pages
from tests.support.news_site import NewsSite
from tests.support.replay_site import ReplaySite, replay_site
from tests.support.service_process import write_config

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "seeds" / "demo"
HOOK_TOKEN = "hooktoken-5f1e2d3c4b5a69788796a5b4"
TOPICS = """# Topics of the web tests (comments survive an edit from the web).

[[topic]]
name = "chips"
title = "Chips / 芯片"
query = '芯片 OR 集成电路 OR semiconductor*'
channels = ["hook"]

[[topic]]
name = "humanoid-robots"
title = "Humanoid robots / 人形机器人"
query = '人形机器人 OR "humanoid robot" OR "humanoid robots"'
channels = ["hook"]
"""


@dataclass
class WebWorld:
    root: Path
    db: Path
    config: Path
    topics: Path
    sources: Path
    site: ReplaySite
    env: dict
    news: NewsSite  # the "wire" source, an English one to publish into during a test
    settings: dict
    channels: dict

    def newswatch(self, *args: str, check: bool = True, input: str | None = None):
        run = subprocess.run([sys.executable, "-m", "newswatch", "--config", str(self.config),
                              *args], capture_output=True, text=True, env=self.env,
                             timeout=240, input=input, cwd=self.root)
        if check and run.returncode != 0:
            raise AssertionError(f"newswatch {' '.join(args)} failed:\n{run.stdout}\n"
                                 f"{run.stderr[-3000:]}")
        return run

    def crawl(self, *sources: str):
        return self.newswatch("crawl", "--db", str(self.db), "--jobs", "3", *sources)


def refused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again: connecting is refused


def env_for(root: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWATCH_")}
    env.update({"PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
                "NO_COLOR": "1", "COLUMNS": "200", "WEB_HOOK_TOKEN": HOOK_TOKEN})
    return env


@contextlib.contextmanager
def web_archive(root: Path, *, deliver: bool = True):
    root = Path(root)
    site_dir, sources = root / "site", root / "sources"
    copy_pages(DEMO / "site", site_dir)
    shutil.copytree(ROOT / "seeds" / "replay", site_dir, dirs_exist_ok=True)
    sources.mkdir(parents=True, exist_ok=True)
    for seed in [*(DEMO / "sources").glob("*.toml"),
                 *(ROOT / "seeds" / "replay-sources").glob("*.toml")]:
        shutil.copy(seed, sources / seed.name)
    news = NewsSite(site_dir, sources)
    news.add_source("wire", language="en", site="Wire Service")
    news.publish("wire", "lab", "Quantum computing lab opens in Hefei",
                 "A quantum computing laboratory opened on Monday.\n\nIt employs 200 people.")
    topics = root / "topics.toml"
    topics.write_text(TOPICS, encoding="utf-8")
    with replay_site(site_dir) as site:
        settings = {"db": str(root / "archive.db"), "sources_dir": str(sources),
                    "replay": site.url, "topics": str(topics), "delivery_max_age": "1s",
                    "delivery_interval": "1s", "default_channels": "console"}
        channels = {"hook": {"type": "webhook", "allow_private": True,
                             "url": f"http://127.0.0.1:{refused_port()}/hook?token="
                                    "${WEB_HOOK_TOKEN}",
                             "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}}
        config = write_config(root / "newswatch.toml", settings, channels)
        world = WebWorld(root, root / "archive.db", config, topics, sources, site, env_for(root),
                         news, settings, channels)
        world.crawl()  # the baseline: archived, never alerted
        copy_pages(DEMO / "publish", site_dir)
        world.crawl("demo-ministry", "demo-daily")
        world.newswatch("match", "--db", str(world.db))
        if deliver:
            time.sleep(1.2)  # past delivery_max_age (1 s, the least the setting takes)
            world.newswatch("deliver", "--db", str(world.db))
        yield world
