"""The collateral library: items mapped to funnel stages, versions and approval."""
from hub.library.views import bp

__all__ = ["bp"]
