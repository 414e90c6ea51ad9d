"""`newswatch demo` works offline, end to end, within its minute."""

from __future__ import annotations

import subprocess
import sys
import time

from tests.support.service_process import REPO


def test_demo_shows_one_alert_per_story_and_stops_cleanly(tmp_path):
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "newswatch", "demo", "--dir", str(tmp_path)],
                       cwd=REPO, capture_output=True, text=True, timeout=120)
    took = time.monotonic() - t0
    out = r.stdout
    assert r.returncode == 0, out + r.stderr
    assert took < 60, f"demo took {took:.0f}s"
    assert "2 alert(s) received (expected 2); service exit code 0" in out
    assert out.count("┌─ ALERT") == 2
    assert out.count("signature ok") == 2
    # The ministry story and its republication make one alert that names the daily.
    assert "also published by: Eastern Finance Daily (demo)" in out
    alerts = [block.split("└─")[0] for block in out.split("┌─ ALERT")[1:]]
    assert any("推动芯片关键技术攻关" in a and "Industry Ministry" in a for a in alerts)
    assert any("人形机器人进入工厂试点" in a for a in alerts)
    assert not any("节能监察" in a for a in alerts)  # matches no topic: no alert
    assert not any("半导体设备板块" in a for a in alerts)  # baseline: archived, not alerted
    assert f"database: {tmp_path / 'demo.db'}" in out
    assert (tmp_path / "demo.db").exists()


def test_no_demo_page_is_dated_ahead_of_the_clock_whatever_the_hour(tmp_path):
    # Before noon in Beijing a page dated "today 10:45" would lie in the future: the
    # pages then take the day before, and every date and time they give has passed.
    import re
    from datetime import datetime, timedelta

    from newswatch.demo.walkthrough import BEIJING, DEMO, copy_pages

    for hour in range(24):
        now = datetime(2026, 12, 5, hour, 30, tzinfo=BEIJING)
        out = tmp_path / str(hour)
        written = copy_pages(DEMO / "site", out, now=now) + copy_pages(DEMO / "publish", out,
                                                                        now=now)
        stamps = set()
        for path in written:
            for day, clock in re.findall(r"(\d{4}-\d{2}-\d{2})(?: (\d{2}:\d{2}))?",
                                         path.read_text(encoding="utf-8")):
                stamps.add(datetime.fromisoformat(f"{day} {clock or '00:00'}")
                           .replace(tzinfo=BEIJING))
        assert stamps and max(stamps) <= now, (hour, max(stamps))
        # and the newest pages are never more than a day and a half old
        assert now - max(stamps) < timedelta(hours=36), hour
