"""Demo data: a realistic company library with real generated documents."""
