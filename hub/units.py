"""Quantities as people read them."""


def size_label(n):
    """A size in bytes for people: 52428800 -> '50 MB', 1536 -> '1.5 KB', 500 -> '500 bytes'."""
    n = n or 0
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n} bytes"
