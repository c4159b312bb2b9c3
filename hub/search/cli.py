"""`flask reindex` and `flask check-index`."""
import click
from flask import current_app
from sqlalchemy import func, select

from hub.extensions import db
from hub.library.models import Collateral
from hub.search import sync


@click.command("reindex")
@click.option("--item", "item_id", type=int, help="Read this item's file again and index it (nothing else).")
def reindex_command(item_id):
    """Rebuild the search index from the database, or read one item's file again."""
    app = current_app._get_current_object()
    if item_id is not None:
        try:
            status = sync.reread(app, item_id)
        except LookupError as e:
            raise click.ClickException(str(e)) from None
        click.echo(f"Item {item_id}: text {status or 'none (no file)'}.")
        return
    total = db.session.scalar(select(func.count(Collateral.id)))
    with click.progressbar(length=total, label="Indexing collateral", show_pos=True) as bar:
        count = sync.rebuild(app, progress=bar.update, procs=2)
    click.echo(f"Indexed {count} items into {app.config['INDEX_FOLDER']}.")


@click.command("check-index")
def check_index_command():
    """Report items missing, stale or extra in the index; exit 1 when there are any."""
    app = current_app._get_current_object()
    pending = sync.pending_count(app)
    state = sync.backend(app).state()  # report only: the worker repairs
    if state in ("missing", "unreadable"):
        click.echo(f"The search index at {app.config['INDEX_FOLDER']} is {state}.")
        click.echo(f"{'queued':8} {pending:6}  (changes committed but not yet indexed)")
        raise click.ClickException("Run `flask --app hub reindex`, or start a worker: it rebuilds the index.")
    drift = sync.backend(app).check(sync.expected_fingerprints(app))
    for label, ids in (("missing", drift.missing), ("stale", drift.stale), ("extra", drift.extra)):
        shown = ", ".join(ids[:50]) + (" …" if len(ids) > 50 else "")
        click.echo(f"{label:8} {len(ids):6}  {shown}")
    click.echo(f"{'queued':8} {pending:6}  (changes committed but not yet indexed)")
    if not drift.clean:
        raise click.ClickException("The index does not match the database: run `flask --app hub reindex`.")
    click.echo("The index matches the database.")
