"""`flask seed-demo`."""
import click


@click.command("seed-demo")
def seed_demo_command():
    """Load the demo library and users (idempotent)."""
    raise click.ClickException("not written yet")
