"""The web interface's own tables: accounts (``web_users``) and feed tokens
(``web_feeds``). Nothing else reads or writes them.

Passwords are hashed with scrypt (``hashlib.scrypt``, n=2**14, r=8, p=1, a 16-byte salt);
the stored form is ``scrypt$n$r$p$salt$hash`` (base64), so the cost can be raised later.
Feed tokens are 32 random bytes shown once; only their SHA-256 is stored (a token is
not a password: it has full entropy, so a fast hash is enough).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from sqlite_utils.migrations import Migrations

from crawler import archive

ROLES = ("admin", "reader")
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")

migrations = Migrations("newswatch_web")


class AccountError(ValueError):
    """A bad user name, role or password; the message says which."""


@migrations()
def m001_accounts(db) -> None:
    db["web_users"].create(
        {"name": str, "password": str, "role": str, "created": str, "last_login": str},
        pk="name",
    )
    db["web_feeds"].create(
        {"id": int, "token_hash": str, "topic": str, "title": str, "created": str,
         "created_by": str, "last_used": str},
        pk="id",
    )
    db["web_feeds"].create_index(["token_hash"], unique=True)


# ---------------------------------------------------------------- passwords


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise AccountError("password: at least 8 characters")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R,
                            p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    try:
        kind, n, r, p, salt, digest = (stored or "").split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt),
                             n=int(n), r=int(r), p=int(p), dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


# Checked against when the user does not exist, so a wrong name costs as long as a
# wrong password (no user enumeration by timing).
_DUMMY = None


def authenticate(db, name: str, password: str) -> dict | None:
    global _DUMMY
    user = get_user(db, name)
    if user is None:
        _DUMMY = _DUMMY or hash_password("not-a-real-password")
        verify_password(password, _DUMMY)
        return None
    if not verify_password(password, user["password"]):
        return None
    with archive.immediate(db):
        db.execute("UPDATE web_users SET last_login = ? WHERE name = ?",
                   [archive.utcnow(), name])
    return user


# ---------------------------------------------------------------- accounts


def get_user(db, name: str) -> dict | None:
    rows = list(db.query("SELECT * FROM web_users WHERE name = ?", [name]))
    return dict(rows[0]) if rows else None


def list_users(db) -> list[dict]:
    return [{k: r[k] for k in ("name", "role", "created", "last_login")}
            for r in db.query("SELECT * FROM web_users ORDER BY name")]


def has_users(db) -> bool:
    return db.execute("SELECT 1 FROM web_users LIMIT 1").fetchone() is not None


def set_user(db, name: str, password: str, role: str = "reader") -> bool:
    """Create the account or replace its password and role; True when it was new."""
    if not _NAME.fullmatch(name or ""):
        raise AccountError(f"user name {name!r}: 1-64 letters, digits, '_', '.', '@' or '-'")
    if role not in ROLES:
        raise AccountError(f"role {role!r}: one of {', '.join(ROLES)}")
    hashed = hash_password(password)
    with archive.immediate(db):
        existed = db.execute("SELECT 1 FROM web_users WHERE name = ?", [name]).fetchone()
        if existed:
            db.execute("UPDATE web_users SET password = ?, role = ? WHERE name = ?",
                       [hashed, role, name])
        else:
            db.execute("INSERT INTO web_users (name, password, role, created) VALUES "
                       "(?, ?, ?, ?)", [name, hashed, role, archive.utcnow()])
    return not existed


def delete_user(db, name: str) -> bool:
    with archive.immediate(db):
        return db.execute("DELETE FROM web_users WHERE name = ?", [name]).rowcount > 0


def session_stamp(user: dict) -> str:
    """Changes when the password changes, so that ends the account's sessions."""
    return hashlib.sha256((user.get("password") or "").encode()).hexdigest()[:16]


# ---------------------------------------------------------------- feed tokens


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_feed(db, *, topic: str | None, title: str, by: str = "") -> str:
    """A new feed of ``topic`` (None: all matches); returns the token, never stored."""
    token = secrets.token_urlsafe(32)
    with archive.immediate(db):
        db.execute("INSERT INTO web_feeds (token_hash, topic, title, created, created_by) "
                   "VALUES (?, ?, ?, ?, ?)",
                   [_token_hash(token), topic, title, archive.utcnow(), by])
    return token


def feed_for_token(db, token: str) -> dict | None:
    if not token or len(token) > 128:
        return None
    rows = list(db.query("SELECT * FROM web_feeds WHERE token_hash = ?", [_token_hash(token)]))
    return dict(rows[0]) if rows else None


def touch_feed(db, feed_id: int) -> None:
    with archive.immediate(db):
        db.execute("UPDATE web_feeds SET last_used = ? WHERE id = ?",
                   [archive.utcnow(), feed_id])


def list_feeds(db) -> list[dict]:
    return [{k: r[k] for k in ("id", "topic", "title", "created", "created_by", "last_used")}
            for r in db.query("SELECT * FROM web_feeds ORDER BY id")]


def revoke_feed(db, feed_id: int) -> bool:
    with archive.immediate(db):
        return db.execute("DELETE FROM web_feeds WHERE id = ?", [feed_id]).rowcount > 0
