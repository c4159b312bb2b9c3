"""Full-text search over the library, kept in step with the database."""
