"""`flask create-user`, `create-token`, `set-password` and `delete-user`."""
import click
from sqlalchemy import select

from hub.auth import services
from hub.auth.models import ROLES, User
from hub.errors import ApiError
from hub.extensions import db


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", required=True)
@click.option("--team", default="", help='Free text, such as "EMEA Enterprise".')
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_user_command(email, role, name, team, password):
    """Create a user who can sign in to Hub."""
    try:
        user = services.create_user(email, name, role, password, team=team)
        db.session.commit()
    except ApiError as e:
        raise click.ClickException(e.message) from None
    click.echo(f"Created {user.role} {user.email}")


@click.command("create-token")
@click.argument("email")
@click.option("--name", default="CLI token", show_default=True)
def create_token_command(email, name):
    """Create an API token for a user; the token is the last line printed."""
    email = email.strip().lower()
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        raise click.ClickException(f"No user with the email {email}.")
    if not user.active:
        raise click.ClickException(f"{email} is deactivated.")
    _, secret = services.create_token(user, name)
    db.session.commit()
    click.echo(f"API token for {user.email} (shown once; use as 'Authorization: Bearer <token>'):")
    click.echo(secret)


@click.command("set-password")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def set_password_command(email, password):
    """Set a user's password (for a forgotten one, or lost demo logins)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No user with the email {email}.")
    try:
        services.set_password(user, password)
        db.session.commit()
    except ApiError as e:
        raise click.ClickException(e.message) from None
    click.echo(f"Password set for {user.email}")


def fail(message):
    """Stop with the message in red and a non-zero exit (colour is dropped when not on a terminal)."""
    raise click.ClickException(click.style(message, fg="red"))


@click.command("delete-user")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete_user_command(email, yes):
    """Delete a user for good; their usage history stays, attributed to no one."""
    email = email.strip().lower()
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        fail(f"No user with the email {email}.")
    if not yes:
        click.confirm(f"Delete {user.name} <{user.email}> for good? Their sign-in, API tokens and calendar feeds go; "
                      "their usage history stays, attributed to a former user.", abort=True)
    try:
        services.delete_user(None, user)
        db.session.commit()
    except ApiError as e:
        fail(e.message)
    click.echo(f"Deleted {email}")
