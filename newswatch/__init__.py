"""newswatch: watch ministries and the press, match watched topics, deliver alerts."""

__version__ = "0.1.0"
