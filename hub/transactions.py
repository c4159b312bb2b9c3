"""One transaction per user action, committed at the boundary.

Services change the session and flush; they never commit. The boundary commits once: for a web
request, `Hub.dispatch_request` below (an unsafe request whose view answered below 400 is
committed, anything else rolled back, so a GET never changes stored state); a CLI command or a
worker job commits itself. Work that must follow the outcome rather than be part of it (deleting
replaced files, recording usage, discarding an upload the database never took) registers with
`after_commit` / `after_rollback`. The pattern is Indico's (controllers flush, the request commits).
"""
import logging

from flask import Flask, current_app, request
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event

from hub.extensions import db

log = logging.getLogger(__name__)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Hub(Flask):
    """Flask, with the request's transaction ended by the outcome of its view."""

    def dispatch_request(self):
        """Run the view, then commit (unsafe method, status < 400) or roll back (anything else).

        A failed commit raises here, inside the request, so the error handlers answer it."""
        session = db.session()
        try:
            response = self.make_response(super().dispatch_request())
        except BaseException:
            session.rollback()
            raise
        if request.method in SAFE_METHODS:
            if session.info.get("wrote"):
                complain_get_wrote()
            session.rollback()
        elif response.status_code < 400:
            session.commit()
        else:
            session.rollback()
        return response


def complain_get_wrote():
    """A GET that changed the database is a bug: the change is rolled back; tests fail on it."""
    message = f"{request.method} {request.path} tried to change stored state; the change was rolled back."
    if current_app.testing:
        raise AssertionError(message)
    log.error(message)


def after_commit(fn, session=None):
    """Call fn() once the current transaction commits (never if it rolls back)."""
    (session or db.session()).info.setdefault("after_commit", []).append(fn)


def after_rollback(fn, session=None):
    """Call fn() if the current transaction rolls back (never if it commits)."""
    (session or db.session()).info.setdefault("after_rollback", []).append(fn)


@event.listens_for(FlaskSession, "after_flush")
def note_write(session, flush_context):
    """Remember that this transaction wrote through the unit of work."""
    if session.new or session.dirty or session.deleted:
        session.info["wrote"] = True


@event.listens_for(FlaskSession, "do_orm_execute")
def note_bulk_write(state):
    """Remember bulk INSERT/UPDATE/DELETE statements too."""
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["wrote"] = True


@event.listens_for(FlaskSession, "after_commit")
def run_after_commit(session):
    session.info.pop("after_rollback", None)
    session.info.pop("wrote", None)
    for fn in session.info.pop("after_commit", []):
        try:
            fn()
        except Exception:  # the action is committed: a follow-up failing must not turn it into an error
            log.exception("after-commit step %r failed", fn)


@event.listens_for(FlaskSession, "after_soft_rollback")
def run_after_rollback(session, previous_transaction):
    if session.in_transaction():  # a savepoint ended; the outer transaction goes on
        return
    session.info.pop("after_commit", None)
    session.info.pop("wrote", None)
    for fn in session.info.pop("after_rollback", []):
        try:
            fn()
        except Exception:
            log.exception("after-rollback step %r failed", fn)


def write_aside(statement, what):
    """Run one bookkeeping statement (a usage event, a token's last use, a share open) in its own
    short transaction, so that it can never fail or undo the user's action; returns whether it was
    written. When the request's transaction has already written (SQLite would make the two wait for
    each other), it runs once that transaction commits. Never raises: a failure is logged."""
    session = db.session()
    if session.info.get("wrote"):
        after_commit(lambda: _write(statement, what), session)
        return True
    return _write(statement, what)


def _write(statement, what):
    try:
        with db.engine.begin() as connection:
            connection.execute(statement)
        return True
    except Exception:  # bookkeeping must never break what the user is doing
        log.exception("could not record %s", what)
        return False


def discard():
    """Undo what the current action flushed. For a view that answers a refused action with a redirect
    (a status below 400, which the boundary would commit) rather than with an error page."""
    db.session.rollback()
