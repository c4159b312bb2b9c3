"""People, their roles and their personal API tokens."""
import hashlib
import secrets
from zoneinfo import ZoneInfo

from flask_login import UserMixin
from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.extensions import db
from hub.models import NEVER_REUSED_IDS, UTCDateTime, utcnow

ROLES = ("admin", "marketing", "sales")
ROLE_LABELS = {"admin": "Admin", "marketing": "Marketing", "sales": "Sales"}
EDITOR_ROLES = ("admin", "marketing")
TEAM_MAX = 60


def new_session_secret():
    """A fresh per-user session secret (256 random bits, URL-safe)."""
    return secrets.token_urlsafe(32)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = NEVER_REUSED_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    team: Mapped[str] = mapped_column(String(TEAM_MAX), default="", index=True)  # free text, e.g. "EMEA Enterprise"
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_login_at = mapped_column(UTCDateTime, nullable=True)
    # Part of every session and remember-me cookie (see get_id): a new one ends all of them at once.
    session_secret: Mapped[str] = mapped_column(String(64), default=new_session_secret)
    # At most one outstanding reset link per user, stored as a hash; used or expired means gone.
    reset_token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    reset_expires_at = mapped_column(UTCDateTime, nullable=True)
    # An IANA zone name ("Europe/Berlin") the user chose on the account page; "" for Hub's default.
    time_zone: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # Opted in on the account page: the weekly review by e-mail every Monday at 07:00 in their zone.
    weekly_review: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    # The job title shown to prospects on the user's pitches ("Account Executive"); "" for none.
    title: Mapped[str] = mapped_column(String(120), default="", server_default="")

    tokens: Mapped[list["ApiToken"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        """What Flask-Login keeps in the session and the remember-me cookie: the id and the current
        session secret, so a cookie outlives neither a sign-out everywhere nor the user."""
        return f"{self.id}.{self.session_secret}"

    @property
    def is_editor(self):
        """Marketing and admins create, edit, approve and archive collateral."""
        return self.role in EDITOR_ROLES

    @property
    def is_admin(self):
        return self.role == "admin"

    @property
    def zone(self):
        """The user's own time zone as a ZoneInfo, or None when they chose none (use Hub's default)."""
        return ZoneInfo(self.time_zone) if self.time_zone else None

    @property
    def role_label(self):
        return ROLE_LABELS.get(self.role, self.role)

    def __repr__(self):
        return f"<User {self.email} {self.role}>"


class UserPhoto(db.Model):
    """The user's photo for their pitches: a small JPEG re-encoded by Hub (hub.auth.photos)."""

    __tablename__ = "user_photos"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    data = mapped_column(LargeBinary, nullable=False)
    updated_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)


class ApiToken(db.Model):
    __tablename__ = "api_tokens"
    __table_args__ = NEVER_REUSED_IDS

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_used_at = mapped_column(UTCDateTime, nullable=True)
    revoked_at = mapped_column(UTCDateTime, nullable=True)

    user: Mapped[User] = relationship(back_populates="tokens")

    TOKEN_PREFIX = "hub_"

    @staticmethod
    def hash(token):
        """Tokens carry 256 random bits, so a fast hash is enough to store them."""
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def generate(cls):
        """A new secret token string."""
        return cls.TOKEN_PREFIX + secrets.token_urlsafe(32)


class SignInThrottle(db.Model):
    """Failed sign-ins counted per account (the email typed, known or not) or per client address.

    Kept in the database so every worker and host sees the same count (OWASP Authentication Cheat
    Sheet, "Account lockout"; ASVS 5.0 V6.3.1)."""

    __tablename__ = "sign_in_throttles"
    __table_args__ = (db.UniqueConstraint("scope", "key", name="uq_sign_in_throttles_scope_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(10))  # "account" or "address"
    key: Mapped[str] = mapped_column(String(254))
    failures: Mapped[int] = mapped_column(default=0)
    last_failed_at = mapped_column(UTCDateTime, nullable=False)
    locked_until = mapped_column(UTCDateTime, nullable=True, index=True)
