"""The user's photo for their pitches: checked as a real image and re-encoded by Pillow.

Only the re-encoded pixels are kept (a fresh JPEG of at most PHOTO_SIDE px a side, no metadata), so
nothing the uploader put in the file (EXIF location, scripts in a polyglot file, a second image) is
ever served back. Pillow's own decompression-bomb guard (Image.MAX_IMAGE_PIXELS; Pillow docs,
"Image.open") refuses oversized images before decoding them."""
import io

from PIL import Image, ImageOps, UnidentifiedImageError

from hub.auth.models import UserPhoto
from hub.errors import Invalid
from hub.extensions import db
from hub.models import utcnow

MAX_UPLOAD_BYTES = 5 * 1024 * 1024     # what the form accepts
MAX_PIXELS = 40_000_000                # larger images are refused before decoding
PHOTO_SIDE = 320                       # the stored photo fits in this square (px)
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")


def reencode(data):
    """A JPEG (bytes) of the image in `data`, turned upright by its EXIF orientation and scaled to fit
    PHOTO_SIDE. Raises Invalid (field "photo") for anything that is not a JPEG, PNG, WebP or GIF image
    Pillow can decode, or is larger than MAX_UPLOAD_BYTES / MAX_PIXELS."""
    if not data:
        raise Invalid("Choose a photo to upload.", "photo")
    if len(data) > MAX_UPLOAD_BYTES:
        raise Invalid("Photos can be at most 5 MB.", "photo")
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as image:
            if image.width * image.height > MAX_PIXELS:
                raise Invalid("This photo has too many pixels; use one under 40 megapixels.", "photo")
            image.load()
            image = ImageOps.exif_transpose(image).convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError) as e:
        raise Invalid("This file is not a photo Hub can read (JPEG, PNG, WebP or GIF).", "photo") from e
    image.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def set_photo(user, upload):
    """Store the re-encoded photo from a FileStorage (None or empty: Invalid). Returns the UserPhoto."""
    try:
        data = upload.read(MAX_UPLOAD_BYTES + 1) if upload else b""
    finally:
        if upload:
            upload.close()
    jpeg = reencode(data)
    photo = db.session.get(UserPhoto, user.id) or UserPhoto(user_id=user.id)
    photo.data, photo.updated_at = jpeg, utcnow()
    db.session.add(photo)
    db.session.flush()
    return photo


def remove_photo(user):
    """Delete the user's photo, if any."""
    photo = db.session.get(UserPhoto, user.id)
    if photo is not None:
        db.session.delete(photo)
        db.session.flush()


def photo_of(user_id):
    """The UserPhoto of a user id, or None."""
    return db.session.get(UserPhoto, user_id) if user_id else None


def photo_response(photo):
    """The photo as an image response with safe headers: its own type, nosniff, a sandbox CSP, a short
    private cache with an ETag (RFC 9110 section 8.8.3)."""
    from flask import make_response, request

    etag = f"{photo.user_id}-{int(photo.updated_at.timestamp())}"
    response = make_response(photo.data)
    response.headers["Content-Type"] = "image/jpeg"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-cache"  # revalidated by ETag: a new photo shows at once
    response.headers["Content-Disposition"] = "inline"
    response.set_etag(etag)
    return response.make_conditional(request)
