"""`flask --app hub worker`: run background jobs."""
import logging

import click
from flask import current_app

from hub.jobs.worker import Worker


@click.command("worker")
@click.option("--once", is_flag=True, help="Run housekeeping once and every queued job, then exit.")
@click.option("--name", default=None, help="This worker's name on the health page (default host:pid).")
def worker_command(once, name):
    """Run background jobs: text extraction, the search index, thumbnails, mail."""
    app = current_app._get_current_object()
    worker = Worker(app, name)
    if once:
        done, failed = worker.run_once()
        click.echo(f"Ran {done + failed} jobs: {done} done, {failed} failed.")
        if failed:
            raise click.ClickException("Some jobs failed: see the log, or the admin health page.")
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    click.echo(f"Worker {worker.name} is running (Ctrl+C stops it).")
    worker.run_forever()
