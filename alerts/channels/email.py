"""``type = "email"``: one message per alert or digest over SMTP (aiosmtplib).

``security`` is ``starttls`` (default, port 587), ``tls`` (implicit TLS, port 465) or
``none`` (port 25, for a local relay). Multipart plain text and HTML; UTF-8 subjects and
display names are encoded as RFC 2047 words. The Message-ID is derived from the
idempotency key, so a repeated delivery can be recognised by the mail client.
"""

from __future__ import annotations

import email.policy
import email.utils
from email.headerregistry import Address
from email.message import EmailMessage

import aiosmtplib
import httpx

from alerts.channels.base import Channel, Field, Message, Outcome

PORTS = {"starttls": 587, "tls": 465, "none": 25}


def _addresses(value: str | list) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in items if str(v).strip()]


class EmailChannel(Channel):
    type = "email"
    FIELDS = {
        "host": Field(str, True, help="SMTP server"),
        "port": Field(int, help="default 587 (starttls), 465 (tls), 25 (none)"),
        "security": Field(str, default="starttls", help="starttls | tls | none"),
        "username": Field(str),
        "password": Field(str, help="write ${ENV_NAME}"),
        "from": Field(str, True, help='"Name <address>"; the name may be Chinese'),
        "to": Field((str, list), True, help="an address or a list of them"),
        "verify_tls": Field(bool, default=True, help="check the server's certificate"),
        "subject_template": Field(str), "text_template": Field(str),
        "html_template": Field(str),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.cfg["security"] not in PORTS:
            raise self.error("security", f"must be starttls, tls or none, "
                                         f"got {self.cfg['security']!r}")
        for key in ("from", "to"):
            for addr in _addresses(self.cfg[key]):
                if "@" not in email.utils.parseaddr(addr)[1]:
                    raise self.error(key, f"not an e-mail address: {addr!r}")
        if not _addresses(self.cfg["to"]):
            raise self.error("to", "no recipients")
        if self.cfg.get("password") and not self.cfg.get("username"):
            raise self.error("username", "required when a password is given")

    @property
    def port(self) -> int:
        return self.cfg.get("port") or PORTS[self.cfg["security"]]

    def describe(self) -> str:
        return f"email via {self.cfg['host']}:{self.port} ({self.cfg['security']})"

    def build(self, message: Message) -> EmailMessage:
        msg = EmailMessage(policy=email.policy.SMTP)
        name, addr = email.utils.parseaddr(self.cfg["from"])
        msg["From"] = Address(display_name=name, addr_spec=addr)
        msg["To"] = ", ".join(_addresses(self.cfg["to"]))
        msg["Subject"] = self.renderer.render(message, key="subject_template", tz=self.tz)
        msg["Date"] = email.utils.formatdate(localtime=False)
        msg["Message-ID"] = f"<{message.key}@newswatch>"
        msg.set_content(self.renderer.render(message, key="text_template", tz=self.tz))
        msg.add_alternative(self.renderer.render(message, key="html_template", tz=self.tz),
                            subtype="html")
        return msg

    async def send(self, message: Message, client: httpx.AsyncClient) -> Outcome:
        msg = self.build(message)
        security = self.cfg["security"]
        try:
            await aiosmtplib.send(
                msg, hostname=self.cfg["host"], port=self.port,
                username=self.secret("username"), password=self.secret("password"),
                use_tls=security == "tls", start_tls=security == "starttls",
                validate_certs=self.cfg["verify_tls"], timeout=self.timeout)
        except aiosmtplib.SMTPResponseException as exc:
            # 5xx (bad login, refused recipient) will not get better; 4xx is temporary.
            error = self.redact(f"SMTP {exc.code}: {exc.message}")
            return Outcome(False, status=exc.code, error=error, permanent=exc.code >= 500)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            return Outcome(False, error=self.redact(f"recipients refused: {exc}"), permanent=True)
        except (aiosmtplib.SMTPException, OSError) as exc:
            return Outcome(False, error=self.redact(f"{type(exc).__name__}: {exc}"))
        return Outcome(True, status=250)
