"""Outgoing mail: queued in the user's transaction, sent by the worker to a real SMTP server."""
from hub import mail
from hub.extensions import db
from hub.jobs.models import Job


def test_queued_mail_is_sent_by_the_worker_with_text_and_html(app, mailbox, work):
    with app.app_context():
        assert mail.queue_mail("Ann Lee <ann@example.com>", "Your week in Hub", "Plain body ✓",
                               "<p>HTML body ✓</p>", key="weekly:2026-W49:1")
        assert not mailbox.messages  # nothing leaves inside the user's action
        assert work() == (1, 0)
    message = mailbox.to("ann@example.com")[0]
    assert message["Subject"] == "Your week in Hub"
    assert message["From"] == app.config["MAIL_SENDER"]
    assert message["Message-ID"]
    assert message.get_body(("plain",)).get_content().strip() == "Plain body ✓"
    assert message.get_body(("html",)).get_content().strip() == "<p>HTML body ✓</p>"


def test_a_rolled_back_action_sends_nothing(app, mailbox, work):
    with app.app_context():
        mail.queue_mail("ann@example.com", "Never", "body")
        db.session.rollback()
        assert work() == (0, 0)
    assert mailbox.messages == []


def test_the_same_key_is_queued_once(app, mailbox, work):
    with app.app_context():
        mail.queue_mail("ann@example.com", "Digest", "one", key="digest:1")
        mail.queue_mail("ann@example.com", "Digest", "two", key="digest:1")
        work()
    assert len(mailbox.messages) == 1


def test_without_a_server_mail_is_off_and_nothing_is_queued(app):
    with app.app_context():
        assert app.config["MAIL_SERVER"] == ""
        assert mail.queue_mail("ann@example.com", "Hello", "body") is False
        assert db.session.query(Job).filter_by(kind="mail").count() == 0


def test_a_refusing_server_keeps_the_message_for_a_retry(app, work):
    with app.app_context():
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens there
        mail.queue_mail("ann@example.com", "Hello", "body")
        assert work() == (0, 1)
        job = db.session.query(Job).filter_by(kind="mail").one()
        assert job.last_error and job.failed_at is None  # retried later, not lost


def test_links_in_mail_use_the_public_address(app, mailbox):
    with app.app_context():
        assert mail.external_url("auth.account") == "https://hub.example.com/account"
