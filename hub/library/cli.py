"""`flask --app hub render-previews`: queue thumbnails and page images for files that lack them."""
import click
from sqlalchemy import func, select

from hub import jobs
from hub.extensions import db
from hub.library import previews
from hub.library.models import FileVersion


@click.command("render-previews")
@click.option("--all", "everything", is_flag=True, help="Render every current file again, not only those without images.")
def render_previews_command(everything):
    """Queue preview jobs for each item's current file (those never rendered, or all); a worker makes them."""
    newest = select(func.max(FileVersion.id)).group_by(FileVersion.collateral_id)
    versions = db.session.scalars(select(FileVersion).where(FileVersion.id.in_(newest))).all()
    wanted = [v.id for v in versions if v.kind in previews.RENDERED and (everything or previews.manifest(v) is None)]
    queued = jobs.enqueue(previews.JOB, wanted, unique=True)
    db.session.commit()
    click.echo(f"Queued {queued} preview jobs; `flask --app hub worker` makes them.")
