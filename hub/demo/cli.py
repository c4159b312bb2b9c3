"""`flask seed-demo`: demo users and a collateral library of real documents, loaded once."""
import io
import os
from datetime import timedelta
from pathlib import Path
from secrets import token_urlsafe

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect, select
from werkzeug.datastructures import FileStorage

from hub.auth.models import User
from hub.auth.services import create_user, update_user
from hub.calendar.demo import seed_entries as seed_calendar_entries
from hub.demo import catalog, documents
from hub.demo.usage import seed_usage
from hub.errors import ApiError
from hub.extensions import db
from hub.library.models import Collateral
from hub.library.services import create_item
from hub.library.workflow import transition
from hub.models import today

LOGINS_FILE = "demo-logins.txt"
ITEM_FIELDS = ("title", "description", "content_type", "stages", "product", "industry", "persona", "region",
               "tags", "url")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Load the demo library, users, calendar and usage history (idempotent)."""
    if not inspect(db.engine).has_table(Collateral.__tablename__):
        raise click.ClickException("The database has no tables yet: run `flask --app hub db upgrade` first.")
    try:
        users, created_users = seed_users()
        db.session.commit()
        created_items = seed_items(users)
    except ApiError as e:
        db.session.rollback()
        raise click.ClickException(e.message) from None
    click.echo(f"Users: {created_users} created, {len(users) - created_users} already present.")
    click.echo(f"Items: {created_items} created, {len(catalog.ITEMS) - created_items} already present.")
    entries = seed_calendar_entries(users)
    db.session.commit()
    click.echo(f"Calendar: {entries} entries created.")
    try:
        click.echo(seed_usage(users))
    except ApiError as e:
        raise click.ClickException(e.message) from None
    show_logins([users[entry["key"]] for entry in catalog.USERS])


# --- users --------------------------------------------------------------------------------------


def seed_users():
    """The demo users by catalogue key, creating missing ones with fresh random passwords."""
    users, created = {}, 0
    for entry in catalog.USERS:
        user = db.session.scalar(select(User).where(User.email == entry["email"]))
        if user is None:
            password = token_urlsafe(12)
            user = create_user(entry["email"], entry["name"], entry["role"], password, team=entry.get("team", ""))
            save_login(user, password)
            created += 1
        elif entry.get("team") and not user.team:  # seeded before users had teams
            update_user(user, user, team=entry["team"])
        users[entry["key"]] = user
    return users, created


def logins_path():
    """Where the demo passwords are kept: the instance folder, never the source tree."""
    return Path(current_app.instance_path) / LOGINS_FILE


def save_login(user, password):
    """Append a login to the instance's private logins file, readable by its owner only."""
    path = logins_path()
    is_new = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.chmod(path, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        if is_new:
            f.write("# Hub demo logins, written by `flask seed-demo`. Delete after the demo.\n")
            f.write("# role\tname\temail\tpassword\n")
        f.write(f"{user.role}\t{user.name}\t{user.email}\t{password}\n")


def read_logins():
    """Passwords from the logins file by email, or None when there is no file."""
    path = logins_path()
    if not path.exists():
        return None
    passwords = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) == 4 and not line.startswith("#"):
            passwords[fields[2]] = fields[3]
    return passwords


def show_logins(users):
    """Print the demo logins as a table, with passwords when the logins file has them."""
    passwords = read_logins()
    hidden = "(not shown: stored hashed)"
    rows = [("Role", "Name", "Email", "Password")]
    rows += [(u.role, u.name, u.email, (passwords or {}).get(u.email, hidden)) for u in users]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    click.echo()
    if passwords is None:
        click.echo(f"{logins_path()} is missing, so passwords cannot be shown: Hub stores only their hashes.")
        click.echo("To get fresh demo logins, run seed-demo against an empty database.")
    else:
        click.echo(f"Demo logins (from {logins_path()}):")
    for i, row in enumerate(rows):
        line = "  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip()
        click.echo(click.style(line, bold=True) if i == 0 else line)


# --- items --------------------------------------------------------------------------------------


def seed_items(users):
    """Create the catalogue items whose titles are not in the library yet; return how many."""
    existing = set(db.session.scalars(select(Collateral.title)))
    created = 0
    for entry in catalog.ITEMS:
        if entry["title"] not in existing:
            add_item(entry, users)
            db.session.commit()  # item by item: a second run goes on from where a failed one stopped
            created += 1
    return created


def add_item(entry, users):
    """Create one item with its generated file or link, then walk it through its workflow."""
    owner = users[entry["owner"]]
    data = {name: entry[name] for name in ITEM_FIELDS if name in entry}
    if "expires_in" in entry:
        data["expires_on"] = today() + timedelta(days=entry["expires_in"])
    upload = None
    if "file" in entry:
        upload = FileStorage(stream=io.BytesIO(documents.build(entry["file"])), filename=entry["file"][0])
    item = create_item(owner, data, upload)
    for to_status, actor, comment in workflow(entry):
        transition(resolve_actor(actor, owner, users), item, to_status, comment)
    return item


def workflow(entry):
    """The (status, actor, comment) steps that take a new draft to the entry's status."""
    if "history" in entry:
        return entry["history"]
    submit = ("in_review", "owner", entry.get("submit", "Ready for review"))
    approve = ("approved", "peer", entry.get("approval", "Approved for use with customers"))
    archive = ("archived", "dana", entry.get("archive", "Superseded by newer collateral"))
    paths = {"draft": [], "in_review": [submit], "approved": [submit, approve],
             "archived": [submit, approve, archive]}
    return paths[entry.get("status", "approved")]


def resolve_actor(actor, owner, users):
    """'owner', 'peer' (another marketing user) or a catalogue user key, as a User."""
    if actor == "owner":
        return owner
    if actor == "peer":
        return next(u for u in users.values() if u.role == "marketing" and u.id != owner.id)
    return users[actor]
