"""Report mails through the configured SMTP server, with the stdlib's smtplib and email.

One connection per mail, so a refused recipient or a dropped connection fails that mail alone.
With STARTTLS on (the default) a server that cannot upgrade the connection is refused: nothing,
neither the password nor a report, is sent in clear.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from dashboard import config

TIMEOUT_S = 60


class MailNotConfigured(RuntimeError):
    """The SMTP settings are missing or unusable; the message names the setting."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str
    password: str
    sender: str
    starttls: bool

    @classmethod
    def from_config(cls) -> SmtpSettings:
        host, sender = config.get("smtp_host").strip(), config.get("smtp_from").strip()
        if not host:
            raise MailNotConfigured("mail is not configured: set DASHBOARD_SMTP_HOST (and "
                                    "DASHBOARD_SMTP_FROM); see docs/SETTINGS.md")
        if "@" not in parseaddr(sender)[1] or any(c in sender for c in "\r\n"):
            raise MailNotConfigured("set DASHBOARD_SMTP_FROM to the From address, e.g. "
                                    "'ToyPulse <reports@example.com>'")
        try:
            port = int(config.get("smtp_port"))
        except ValueError:
            raise MailNotConfigured(
                f"DASHBOARD_SMTP_PORT={config.get('smtp_port')!r} is not a number") from None
        starttls = config.get("smtp_starttls").strip()
        if starttls not in ("0", "1"):
            raise MailNotConfigured(f"DASHBOARD_SMTP_STARTTLS={starttls!r}: use 1 or 0")
        return cls(host, port, config.get("smtp_user"), config.get("smtp_password"), sender,
                   starttls == "1")


def message(settings: SmtpSettings, to: str, subject: str, body: str, pdf: bytes,
            filename: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = settings.sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=parseaddr(settings.sender)[1].partition("@")[2])
    mail.set_content(body)
    mail.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    return mail


def send(settings: SmtpSettings, mail: EmailMessage) -> None:
    """Deliver one mail; smtplib.SMTPException or OSError when the server does not take it."""
    with smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_S) as server:
        server.ehlo()
        if settings.starttls:
            if not server.has_extn("starttls"):
                raise smtplib.SMTPNotSupportedError(
                    f"{settings.host}:{settings.port} does not offer STARTTLS; refusing to send "
                    "in clear (DASHBOARD_SMTP_STARTTLS=0 only for a local relay)")
            server.starttls(context=ssl.create_default_context())
            server.ehlo()
        if settings.user:
            server.login(settings.user, settings.password)
        server.send_message(mail)
