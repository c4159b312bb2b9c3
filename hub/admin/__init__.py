"""Administration: users, roles and funnel stages."""
from hub.admin.views import bp

__all__ = ["bp"]
