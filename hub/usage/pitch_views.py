"""Pitch pages: the rep's basket ("Add to pitch"), making the link, and what the prospect sees at /p/<token>."""
from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user

from hub.auth import photos
from hub.errors import ApiError, NotFound
from hub.extensions import csrf
from hub.library import files, previews
from hub.transactions import discard
from hub.ui import page_number
from hub.usage import pitch_attention, pitches
from hub.usage.services import live_item
from hub.usage.views import public_headers

bp = Blueprint("pitches", __name__)
PUBLIC = ("pitches.public", "pitches.public_photo", "pitches.public_item", "pitches.public_thumbnail", "pitches.public_page",
          "pitches.public_download", "pitches.public_time")
BASKET = "pitch_items"  # the item ids the rep picked, in the signed session cookie until the pitch is made


def basket():
    """The picked item ids, in order."""
    return [i for i in session.get(BASKET, []) if isinstance(i, int)]


def basket_count():
    """How many items wait in the signed-in rep's pitch (for the nav)."""
    return len(basket()) if current_user.is_authenticated else 0


def back(default):
    """Where the form came from (a local path only)."""
    target = request.form.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else default, 303)


# --- the rep's side -------------------------------------------------------------------------------


@bp.post("/pitch/items")
def add_item():
    """Add a live item to the pitch being put together."""
    try:
        item = live_item(current_user, request.form.get("collateral_id"))
    except ApiError as e:
        flash(e.message, "error")
        return back(url_for("library.home"))
    ids = basket()
    if item.id not in ids:
        if len(ids) >= pitches.MAX_ITEMS:
            flash(f"A pitch can hold at most {pitches.MAX_ITEMS} items.", "error")
            return back(url_for("pitches.compose"))
        session[BASKET] = [*ids, item.id]
    flash(f"Added \u201c{item.title}\u201d to your pitch ({len(basket())} item{'s' if len(basket()) != 1 else ''}).",
          "success")
    return back(url_for("pitches.compose"))


@bp.post("/pitch/items/<int:item_id>/remove")
def remove_item(item_id):
    """Take an item out of the pitch being put together."""
    session[BASKET] = [i for i in basket() if i != item_id]
    return redirect(url_for("pitches.compose"), 303)


def basket_items():
    """The picked items the rep may still pitch (approved, unexpired)."""
    items = []
    for item_id in basket():
        try:
            items.append(live_item(current_user, item_id))
        except ApiError:
            continue
    return items


@bp.get("/pitch")
def compose():
    """The pitch being put together: its items, a title and a message, then one link."""
    return render_template("usage/pitch_compose.html", items=basket_items(), values={})


@bp.post("/pitches")
def create():
    """Make the pitch's link, shown once, in view, with a Copy button."""
    data = {**request.form.to_dict(), "collateral_ids": [i.id for i in basket_items()]}
    try:
        pitch, token = pitches.create_pitch(current_user, data)
    except ApiError as e:
        discard()
        return render_template("usage/pitch_compose.html", items=basket_items(), values=data, error=e), e.status
    session.pop(BASKET, None)
    url = url_for("pitches.public", token=token, _external=True)
    return render_template("usage/pitch_made.html", pitch=pitch, url=url), 201


@bp.post("/pitches/<int:pitch_id>/revoke")
def revoke(pitch_id):
    """Stop a pitch's link from working."""
    pitch = pitches.revoke_pitch(current_user, pitches.get_pitch(current_user, pitch_id))
    flash(f"The pitch \u201c{pitch.title}\u201d no longer works.", "info")
    return redirect(url_for("usage.my_shares"), 303)


# --- the prospect's side --------------------------------------------------------------------------


def open_pitch(token):
    """The working pitch for this token, or a plain 404 page with no internal detail."""
    try:
        return pitches.pitch_for_token(token)
    except NotFound as e:
        abort(Response(render_template("usage/share_gone.html", message=e.message), 404))


def open_item(pitch, item_id):
    """A live item of the pitch, or the plain 404 page."""
    try:
        return pitches.item_in(pitch, item_id)
    except NotFound as e:
        abort(Response(render_template("usage/share_gone.html", message=e.message), 404))


@bp.get("/p/<token>")
def public(token):
    """What the prospect sees: the rep's card, the message and the items with thumbnails."""
    pitch = open_pitch(token)
    pitches.record_open(pitch, request.headers.get("User-Agent", ""))
    return public_headers(Response(render_template("usage/pitch_public.html", pitch=pitch, token=token,
                                                   has_photo=photos.photo_of(pitch.created_by_id) is not None)))


@bp.get("/p/<token>/photo")
def public_photo(token):
    """The rep's photo on their pitch (re-encoded at upload, served with safe headers; 404 when none)."""
    pitch = open_pitch(token)
    photo = photos.photo_of(pitch.created_by_id)
    if photo is None:
        abort(404)
    return photos.photo_response(photo)


@bp.get("/p/<token>/items/<int:item_id>")
def public_item(token, item_id):
    """One item of the pitch, page by page."""
    pitch = open_pitch(token)
    item = open_item(pitch, item_id)
    pitches.record_open(pitch, request.headers.get("User-Agent", ""), item, "item")
    pages = previews.page_count(item.current_version)
    return public_headers(Response(render_template(
        "usage/pitch_item.html", pitch=pitch, token=token, item=item, pages=pages,
        start_page=min(page_number(), max(pages, 1)))))


@bp.get("/p/<token>/items/<int:item_id>/thumbnail")
def public_thumbnail(token, item_id):
    """An item's thumbnail, for the prospect."""
    item = open_item(open_pitch(token), item_id)
    return public_headers(previews.send_thumbnail(item, request))


@bp.get("/p/<token>/items/<int:item_id>/pages/<int:number>")
def public_page(token, item_id, number):
    """A page image, for the prospect."""
    pitch = open_pitch(token)
    item = open_item(pitch, item_id)
    response = previews.send_page(item, number)
    if not request.args.get("ahead"):  # the viewer's look-ahead fetch is not a page the prospect saw
        pitch_attention.record_page_seen(pitch, item, number)
    return public_headers(response)


@bp.post("/p/<token>/items/<int:item_id>/time")
@csrf.exempt  # a beacon from a signed-out prospect: the token in the URL is the credential, no cookie is used
def public_time(token, item_id):
    """Seconds the item page was in view (form field `seconds`, 1..300), from the page's beacon: 204;
    a JSON error otherwise (404 gone, 422 bad seconds, 429 the item's time budget is spent)."""
    try:
        pitch = pitches.pitch_for_token(token)
        item = pitches.item_in(pitch, item_id)
        seconds = pitch_attention.clean_seconds(request.form.get("seconds", ""))
        pitch_attention.record_time(pitch, item, seconds, request.headers.get("User-Agent", ""))
    except ApiError as e:
        body = {"error": {"code": e.code, "message": e.message, **({"field": e.field} if e.field else {})}}
        return public_headers(jsonify(body)), e.status
    return public_headers(Response(status=204))


@bp.get("/p/<token>/items/<int:item_id>/download")
def public_download(token, item_id):
    """The file, when the rep allowed downloads for this pitch."""
    pitch = open_pitch(token)
    item = open_item(pitch, item_id)
    if not pitch.allow_download or item.current_version is None:
        abort(404, "Downloads are not offered for this pitch.")
    pitches.record_open(pitch, request.headers.get("User-Agent", ""), item, "download")
    return public_headers(files.send(item.current_version))

