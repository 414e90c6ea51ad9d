"""Retry timing: exponential backoff with full jitter, from the delivery_backoff setting."""

from alerts.delivery import BACKOFF_CAP_S, backoff_s
from newswatch import config as config_mod


def test_backoff_grows_with_attempts_within_its_cap():
    for attempts, ceiling in [(1, 2), (2, 4), (3, 8), (30, BACKOFF_CAP_S)]:
        delays = [backoff_s(attempts, base=2) for _ in range(200)]
        assert all(1.0 <= d <= max(1.0, ceiling) for d in delays)
    # Full jitter: the delays spread over the window rather than sitting at its top.
    many = [backoff_s(5, base=2) for _ in range(500)]
    assert min(many) < 8 < max(many)


def test_the_setting_sets_the_base(tmp_path, monkeypatch):
    monkeypatch.delenv("NEWSWATCH_DELIVERY_BACKOFF", raising=False)
    assert config_mod.load(None).alerts.delivery_backoff_s == 30
    cfg = tmp_path / "newswatch.toml"
    cfg.write_text('delivery_backoff = "5s"\n', encoding="utf-8")
    assert config_mod.load(cfg).alerts.delivery_backoff_s == 5
    monkeypatch.setenv("NEWSWATCH_DELIVERY_BACKOFF", "1m")
    assert config_mod.load(cfg).alerts.delivery_backoff_s == 60
