"""The funnel stages collateral is mapped to: listing, adding, renaming and reordering them."""
import re

from sqlalchemy import func, select

from hub import validation
from hub.errors import Conflict, Invalid, NotFound
from hub.extensions import db
from hub.library.models import Stage
from hub.models import get_or_404


def list_stages():
    """The funnel stages in order."""
    return db.session.scalars(select(Stage).order_by(Stage.position, Stage.id)).all()


def get_stage(slug):
    """A stage by slug, or NotFound."""
    stage = db.session.scalar(select(Stage).where(Stage.slug == slug))
    if stage is None:
        raise NotFound(f"No stage called {slug!r}.")
    return stage


def slugify(name):
    """'Renewal & Upsell' -> 'renewal-upsell'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40]


def stage_name(value):
    """A stage's display name: one line (hub.validation.text), 1 to 60 characters; Invalid otherwise."""
    name = validation.text(value, "name", 200)
    if not name or len(name) > 60:
        raise Invalid("Stage names need 1 to 60 characters.", "name")
    return name


def add_stage(name, slug=None):
    """A new funnel stage at the end of the order."""
    name = stage_name(name)
    slug = slugify(slug or name)
    if not slug:
        raise Invalid("The stage needs a name with letters or digits.", "slug")
    if db.session.scalar(select(Stage.id).where(Stage.slug == slug)):
        raise Conflict(f"A stage with the slug {slug!r} already exists.")
    last = db.session.scalar(select(func.max(Stage.position)))
    position = 0 if last is None else last + 1
    stage = Stage(slug=slug, name=name, position=position)
    db.session.add(stage)
    db.session.flush()
    return stage


def rename_stage(stage, name):
    """New display name; the slug stays so links and API filters keep working."""
    name = stage_name(name)
    stage.name = name
    db.session.flush()
    return stage


def move_stage(stage, offset):
    """Swap a stage with its neighbour (offset -1 moves it earlier, +1 later)."""
    stages = list_stages()
    index = stages.index(stage)
    other = index + offset
    if offset not in (-1, 1) or not 0 <= other < len(stages):
        return stage
    for position, s in enumerate(stages):
        s.position = position
    stages[index].position, stages[other].position = other, index
    db.session.flush()
    return stage


def get_stage_by_id(stage_id):
    """A stage by id, or NotFound."""
    return get_or_404(Stage, stage_id, "No such stage.")

