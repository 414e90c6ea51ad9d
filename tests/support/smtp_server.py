"""A real SMTP server (aiosmtpd) in a thread that keeps every message it receives.

    with SmtpServer(login=("bot", "pw")) as smtp:
        ...  # send to smtp.host:smtp.port
        msg = smtp.messages[0]          # email.message.EmailMessage, parsed
        assert smtp.envelopes[0].rcpt_tos == ["a@example.com"]

``starttls=True`` offers STARTTLS with a throwaway self-signed certificate (the client
must not verify it); ``login`` requires AUTH LOGIN/PLAIN with that user and password.
"""

from __future__ import annotations

import datetime
import email
import email.policy
import socket
import ssl
import tempfile
import time
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def self_signed_context(tmp: Path) -> ssl.SSLContext:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    (tmp / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(tmp / "cert.pem", tmp / "key.pem")
    return ctx


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_DATA(self, smtp, session, envelope):  # noqa: N802
        self.server.envelopes.append(envelope)
        self.server.messages.append(email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default))
        return "250 OK"


class SmtpServer:
    def __init__(self, *, starttls: bool = False, login: tuple[str, str] | None = None):
        self.starttls = starttls
        self.login = login
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list = []
        self.host = "127.0.0.1"
        self._tmp = tempfile.TemporaryDirectory()

    @staticmethod
    def _free_port() -> int:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword) and self.login and \
                (auth_data.login.decode(), auth_data.password.decode()) == self.login:
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    def __enter__(self) -> SmtpServer:
        kwargs = {}
        if self.starttls:
            kwargs["tls_context"] = self_signed_context(Path(self._tmp.name))
            kwargs["require_starttls"] = True
        if self.login:
            kwargs["authenticator"] = self._authenticate
            kwargs["auth_required"] = True
            kwargs["auth_require_tls"] = self.starttls
        self.port = self._free_port()
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port,
                                      server_hostname="localhost", **kwargs)
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()
        self._tmp.cleanup()

    def wait_for(self, n: int, timeout: float = 10.0) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < n:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self.messages)} messages arrived, wanted {n}")
            time.sleep(0.02)
        return self.messages
