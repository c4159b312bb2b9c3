"""What the index holds for an item: one pure function from a database row to a document."""
import hashlib

from hub.library.models import CONTENT_TYPES


def document_for(item, text):
    """The index document for an item whose current file's extracted text is `text`."""
    version = item.current_version
    doc = {
        "id": str(item.id),
        "title": item.title,
        "description": item.description or "",
        "tags": " ".join(item.tag_list),
        "meta": " ".join(filter(None, [item.product, item.industry, item.persona, item.region,
                                       CONTENT_TYPES.get(item.content_type, ""),
                                       *[s.name for s in item.stages]])),
        "body": text or "",
        "stage": ",".join(item.stage_slugs),
        "content_type": item.content_type,
        "product": item.product or "",
        "industry": item.industry or "",
        "persona": item.persona or "",
        "status": item.status,
        "expires": int(item.expires_on.strftime("%Y%m%d")) if item.expires_on else 99991231,
        "updated": int(item.updated_at.timestamp() * 1_000_000),  # microseconds: no ties within a second
        "version": version.number if version else 0,
    }
    doc["fingerprint"] = fingerprint(doc)
    return doc


def fingerprint(doc):
    """A short hash of everything indexed, to tell stale entries from current ones."""
    parts = [f"{k}={doc[k]}" for k in sorted(doc) if k != "fingerprint"]
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]
