"""Library commands: `flask check-files` (the upload folder against the database),
`flask render-previews` (queue thumbnails and page images for files that lack them) and
`flask expire-staged` (delete bulk uploads nobody made into drafts in time)."""
import time

import click
from sqlalchemy import func, select

from hub import jobs
from hub.extensions import db
from hub.library import previews
from hub.library.files import upload_folder
from hub.library.models import FileVersion, StagedUpload
from hub.library.staging import expire_staged


def file_report(min_age):
    """(missing, orphans, old_orphans): stored names the database lists but the disk lacks, files on
    disk no version names (uploads a killed worker left, half-written temp files), and those of the
    orphans last written more than `min_age` seconds ago (young ones may be an upload in flight)."""
    folder = upload_folder()
    on_disk = {path.name: path for path in folder.iterdir() if path.is_file()} if folder.is_dir() else {}
    known = set(db.session.scalars(select(FileVersion.stored_name)))
    known |= set(db.session.scalars(select(StagedUpload.stored_name)))  # bulk uploads not yet drafts
    missing = sorted(known - set(on_disk))
    orphans = sorted(set(on_disk) - known)
    cutoff = time.time() - min_age
    old = [name for name in orphans if on_disk[name].stat().st_mtime < cutoff]
    return missing, orphans, old


@click.command("check-files")
@click.option("--fix", is_flag=True, help="Delete orphan files older than --min-age.")
@click.option("--min-age", default=3600, show_default=True, help="Seconds an orphan must be old before --fix deletes it.")
def check_files_command(fix, min_age):
    """Report files the database lists but the disk lacks, and orphan files no version names; exit 1
    while any are left."""
    missing, orphans, old = file_report(min_age)
    folder = upload_folder()
    removed = []
    if fix:
        for name in old:
            (folder / name).unlink(missing_ok=True)
            removed.append(name)
    left = [name for name in orphans if name not in removed]
    for label, names in (("missing", missing), ("orphans", left), ("removed", removed)):
        shown = ", ".join(names[:20]) + (" …" if len(names) > 20 else "")
        click.echo(f"{label:8} {len(names):6}  {shown}")
    if missing:
        raise click.ClickException(f"{len(missing)} stored files are missing from {folder}: restore them from a backup.")
    if left:
        hint = "they are younger than --min-age" if fix else "run with --fix to delete those older than an hour"
        raise click.ClickException(f"{len(left)} orphan files in {folder}: {hint}.")
    click.echo("Every stored file is there, and nothing else.")


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


@click.command("expire-staged")
def expire_staged_command():
    """Delete bulk uploads older than BULK_STAGED_HOURS that were never made into drafts, and their
    files (every worker also does this every ten minutes)."""
    removed = expire_staged()
    db.session.commit()
    click.echo(f"Deleted {removed} expired {'upload' if removed == 1 else 'uploads'}.")
