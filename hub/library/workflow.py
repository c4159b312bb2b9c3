"""The approval workflow: the moves between statuses, who may approve (SEPARATE_APPROVER), and
decisions on new versions held for re-approval (REQUIRE_REAPPROVAL)."""


from hub import events
from hub.errors import Conflict, Forbidden, Invalid
from hub.extensions import db
from hub.library.models import STATUSES, StatusChange
from hub.library.services import claim, require_editor, setting_on
from hub.models import utcnow
from hub.validation import strip_controls

TRANSITIONS = {
    ("draft", "in_review"): "Submitted for review",
    ("in_review", "approved"): "Approved",
    ("in_review", "draft"): "Sent back to draft",
    ("approved", "archived"): "Archived",
    ("approved", "draft"): "Reopened for revision",
    ("archived", "draft"): "Restored to draft",
}


def approval_refusal(actor, item, version=None):
    """Why `actor` may not approve `item` (with `version`, the file under review), or None when they
    may. Under SEPARATE_APPROVER nobody approves an item they created, uploaded the file of, or last
    changed; admins always may."""
    if not actor.is_editor:
        return "Only marketing and admins can approve collateral."
    if not setting_on("SEPARATE_APPROVER") or actor.is_admin:
        return None
    involved = {item.owner_id, item.changed_by_id, version.uploaded_by_id if version else None}
    if actor.id in involved:
        return ("Someone else must approve this: you created, uploaded or last changed it. "
                "Ask another marketing editor or an admin.")
    return None


def require_approver(actor, item, version=None):
    """Forbidden (403) with the reason when `actor` may not approve (see approval_refusal)."""
    reason = approval_refusal(actor, item, version)
    if reason:
        raise Forbidden(reason)


def clean_comment(comment):
    """A workflow comment: control characters removed, at most 1000 characters."""
    comment = strip_controls(comment if isinstance(comment, str) else "").strip()
    if len(comment) > 1000:
        raise Invalid("Comments can be at most 1000 characters.", "comment")
    return comment


def decide_version(actor, item, number, approve, comment=""):
    """Approve or reject version `number` of an approved item, which waits for re-approval (see
    add_version); returns the FileVersion. Approving makes it the current version (served, previewed,
    indexed); rejecting keeps the previous one. Both are recorded in the item's history.

    Raises Forbidden (not marketing; approving under SEPARATE_APPROVER an item one created, uploaded
    or last changed), Conflict when that version does not wait (any more), Invalid for a long comment."""
    require_editor(actor)
    comment = clean_comment(comment)
    if item.status == "approved":
        claim(item, "approved")  # two editors deciding at once: the second sees the first's decision
    pending = item.pending_version
    if item.status != "approved" or pending is None or pending.number != number:
        raise Conflict(f"Version {number} is not waiting for approval (any more): reload the item.", "not_pending")
    if approve:
        require_approver(actor, item, pending)
    pending.review_state = "accepted" if approve else "rejected"
    verdict = "approved" if approve else "rejected"
    db.session.add(StatusChange(collateral=item, from_status="approved", to_status="approved", actor=actor,
                                comment=f"Version {number} {verdict}" + (f": {comment}" if comment else "")))
    item.updated_at = utcnow()
    db.session.flush()
    if approve:
        events.collateral_changed.send(item)
        events.collateral_version_added.send(item, version=pending, actor=actor)
    return pending


def transition(actor, item, to_status, comment="", announce=False):
    """Move an item along the workflow, recording who, when and why.

    On approval, hub.events.collateral_approved is sent inside the same transaction (`announce`:
    the "add a collateral update to the marketing calendar" tick), so a receiver that refuses undoes
    the approval too. Returns the receivers' notes for the page (a list of sentences)."""
    require_editor(actor)
    if not isinstance(to_status, str) or to_status not in STATUSES:
        raise Invalid(f"Status must be one of: {', '.join(STATUSES.values())}.", "status")
    comment = clean_comment(comment)
    if (item.status, to_status) not in TRANSITIONS:
        raise Conflict(
            f"An item that is {STATUSES[item.status].lower()} cannot become {STATUSES[to_status].lower()}.",
            "invalid_transition",
        )
    if to_status == "approved":
        require_approver(actor, item, item.versions[0] if item.versions else None)
    claim(item, item.status)  # six editors moving an approved item at once: one wins, the others get 409
    db.session.add(StatusChange(collateral=item, from_status=item.status, to_status=to_status, actor=actor, comment=comment))
    was_approved = item.status == "approved"
    if was_approved:  # leaving approval: a held file needs no separate review, the item is reviewed whole again
        for version in item.versions:
            if version.review_state == "pending":
                version.review_state = "accepted"
    item.status = to_status
    item.updated_at = utcnow()
    db.session.flush()
    if was_approved != (to_status == "approved"):
        events.collateral_changed.send(item)
    if was_approved and to_status != "approved":
        events.collateral_withdrawn.send(item, actor=actor, to_status=to_status)
    if to_status == "approved":
        return events.collected(events.collateral_approved.send(item, actor=actor, announce=announce))
    return []


def allowed_transitions(item):
    """The (status, label) moves open to the item now."""
    return [(to, label) for (frm, to), label in TRANSITIONS.items() if frm == item.status]

