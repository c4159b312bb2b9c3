"""The rules for an item's metadata, shared by the pages, the API and bulk upload: each field's
checks and limits, and every problem reported at once."""

from sqlalchemy import select

from hub import validation
from hub.errors import Invalid, InvalidFields
from hub.extensions import db
from hub.library.models import CONTENT_TYPES, Stage
from hub.models import LABEL_MAX
from hub.validation import as_text, strip_controls

CONTENT_TYPE_RULE = f"Content type must be one of: {', '.join(CONTENT_TYPES.values())}."


LIMITS = {"title": 200, "description": 10000, "product": LABEL_MAX, "industry": LABEL_MAX, "persona": LABEL_MAX,
          "region": LABEL_MAX}


def clean_tags(value):
    """Comma-separated (or a list), lower-cased, de-duplicated, bounded."""
    if isinstance(value, (list, tuple)):
        value = ",".join(as_text(v, "tags") for v in value)
    tags = []
    for tag in strip_controls(as_text(value, "tags")).split(","):
        tag = " ".join(tag.split()).lower()
        if tag and tag not in tags:
            if len(tag) > 40:
                raise Invalid("Each tag can be at most 40 characters.", "tags")
            tags.append(tag)
    if len(tags) > 20:
        raise Invalid("An item can have at most 20 tags.", "tags")
    joined = ",".join(tags)
    if len(joined) > 500:
        raise Invalid("Tags can be at most 500 characters in all.", "tags")
    return joined


def clean_stages(slugs):
    """Stage rows for a list of slugs (or one comma-separated string); all must exist."""
    if isinstance(slugs, str):
        slugs = slugs.split(",")
    if not isinstance(slugs, (list, tuple)) or not all(isinstance(s, str) for s in slugs):
        raise Invalid("Stages must be a list of stage slugs.", "stages")
    slugs = [slug for slug in (validation.filter_value(s, 200) for s in slugs) if slug]
    if not slugs:
        raise Invalid("Choose at least one funnel stage.", "stages")
    stages = db.session.scalars(select(Stage).where(Stage.slug.in_(slugs))).all()
    unknown = sorted(set(slugs) - {s.slug for s in stages})
    if unknown:
        raise Invalid(f"Unknown stage: {', '.join(unknown)}.", "stages")
    return stages


def clean_fields(data, partial=False):
    """Validate item metadata; with partial, only the fields present in data. Every field is checked:
    one problem raises its Invalid, several raise InvalidFields listing each (the form shows them all)."""
    checks = {
        "title": lambda v: validation.text(v, "title", LIMITS["title"], required=True),
        "description": lambda v: validation.text(v, "description", LIMITS["description"], multiline=True),
        "content_type": clean_content_type,
        "stages": clean_stages,
        **{field: (lambda v, f=field: validation.text(v, f, LIMITS[f])) for field in ("product", "industry", "persona", "region")},
        "tags": clean_tags,
        "expires_on": lambda v: validation.day(v, "expires_on"),
        "url": lambda v: validation.url(v, "url"),
    }
    cleaned, problems = {}, []
    for name, rule in checks.items():
        if partial and name not in data:
            continue
        try:
            cleaned[name] = rule(data.get(name))
        except Invalid as e:
            problems.append(e)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise InvalidFields(problems)
    return cleaned


def clean_content_type(value):
    """One of CONTENT_TYPES' keys; Invalid naming their labels."""
    if not isinstance(value, str) or value not in CONTENT_TYPES:
        raise Invalid(CONTENT_TYPE_RULE, "content_type")
    return value

