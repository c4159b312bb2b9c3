"""Sign-in, sessions, roles and personal API tokens."""
from hub.auth.views import bp

__all__ = ["bp"]
