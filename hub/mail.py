"""Outgoing e-mail: queued in the caller's transaction, sent by the background worker over SMTP.

A feature calls `queue_mail(...)` inside the user's action; the message is a job in the outbox, so it
is sent only if that action commits, and a worker that is down sends it when it starts. The worker
connects with the standard library's smtplib (RFC 5321) using the `MAIL_*` settings
(`HUB_MAIL_SERVER`, ...). With no `MAIL_SERVER` configured (a fresh machine has no SMTP server),
mail is switched off: `queue_mail` queues nothing and says so in the log.

Delivery is at least once: a worker killed after the SMTP server accepted a message but before the
job's deletion committed sends it again, with the same Message-ID, which lets mail clients fold the
two (RFC 5322 section 3.6.4).
"""
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app, url_for

from hub.jobs import enqueue, handler

log = logging.getLogger(__name__)
KIND = "mail"

DEFAULTS = {
    "MAIL_SERVER": "",            # SMTP host; empty: no mail is sent
    "MAIL_PORT": 25,
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_SECURITY": "",          # "" (plain, e.g. a local relay), "starttls" (RFC 3207) or "tls" (implicit)
    "MAIL_SENDER": "Hub <hub@localhost>",
    "MAIL_TIMEOUT_SECONDS": 30,
    # Where links in e-mail point: the address users open Hub at (mail is written by the worker,
    # which has no request to take it from).
    "PUBLIC_URL": "http://127.0.0.1:5000",
}


def init_app(app):
    """Add the mail settings' defaults."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)


def mail_enabled():
    """True when an SMTP server is configured (`HUB_MAIL_SERVER`)."""
    return bool(current_app.config["MAIL_SERVER"])


def queue_mail(to, subject, text, html=None, *, key="", session=None):
    """Queue one message to `to` (an address, or "Name <address>") in the caller's transaction.

    `text` is the plain-text body; `html`, when given, becomes an alternative part (multipart/
    alternative, RFC 2046 section 5.1.4), so every client shows one of the two. `key` names the
    job (e.g. "weekly:2026-W48:17"); with a key, a message still waiting under the same key is not
    queued twice. Returns True when queued, False when mail is off (no MAIL_SERVER). No commit."""
    if not mail_enabled():
        log.info("mail is off (no MAIL_SERVER): not sending %r to %s", subject, to)
        return False
    payload = {"to": to, "subject": subject, "text": text, "html": html, "message_id": make_msgid(domain="hub")}
    enqueue(KIND, keys=[key or payload["message_id"]], payload=payload, session=session, unique=bool(key))
    return True


def external_url(endpoint, **values):
    """An absolute URL for `endpoint` under PUBLIC_URL, usable outside a request (worker, CLI)."""
    with current_app.test_request_context("/", base_url=current_app.config["PUBLIC_URL"]):
        return url_for(endpoint, _external=True, **values)


def build_message(data, sender):
    """The EmailMessage for one queued payload (dict with to, subject, text, html, message_id)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = data["to"]
    message["Subject"] = data["subject"]
    message["Message-ID"] = data["message_id"]
    message.set_content(data["text"])
    if data.get("html"):
        message.add_alternative(data["html"], subtype="html")
    return message


def connect(config):
    """An open, logged-in smtplib connection as the MAIL_* settings say. Raises OSError/SMTPException."""
    host, port, timeout = config["MAIL_SERVER"], int(config["MAIL_PORT"]), config["MAIL_TIMEOUT_SECONDS"]
    security = config["MAIL_SECURITY"].lower()
    if security == "tls":
        client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
        if security == "starttls":
            client.starttls(context=ssl.create_default_context())
    if config["MAIL_USERNAME"]:
        client.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    return client


@handler(KIND)
def send_queued(jobs):
    """Send a batch of queued messages over one SMTP connection (the worker's handler for "mail").

    Raises what smtplib raises (connection refused, a refused recipient): the job is retried with
    the queue's back-off and kept as failed on the health page after JOBS_MAX_ATTEMPTS."""
    config = current_app.config
    if not config["MAIL_SERVER"]:
        log.warning("mail was switched off after %d messages were queued: dropping them", len(jobs))
        return
    sender = config["MAIL_SENDER"]
    with connect(config) as client:
        for job in jobs:
            client.send_message(build_message(job.data, sender))


__all__ = ["external_url", "formataddr", "init_app", "mail_enabled", "queue_mail"]
