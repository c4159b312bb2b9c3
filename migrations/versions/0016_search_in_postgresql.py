"""search in PostgreSQL: a weighted tsvector per item (GIN) and a word lexicon (pg_trgm)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 23:30:00

The tables exist on every database so that models and migrations agree; on SQLite they stay empty
(Whoosh keeps the index in files) and their indexes are ordinary ones. On PostgreSQL the lexicon's
trigram index needs the pg_trgm extension. Accent folding happens in Python (hub.search.analysis),
so unaccent is not needed. When the database user may not create extensions, this migration stops
and says what a superuser must run once.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

EXTENSION_HELP = """
Hub's search on PostgreSQL needs the pg_trgm extension (for "Did you mean"), and the database
user {user!r} may not create it. Ask a superuser to run, once, in database {database!r}:

    CREATE EXTENSION IF NOT EXISTS pg_trgm;

(on Debian and Ubuntu it ships with the postgresql-contrib package; on managed services such as
Amazon RDS, Cloud SQL or Azure it is on the allowed list), then run `flask --app hub db upgrade`
again. The original error was: {error}
"""


def create_trigram_extension():
    """CREATE EXTENSION pg_trgm, or a clear error saying who must do it (in a savepoint, so the
    failure does not abort the migration's transaction before the message is written)."""
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).scalar():
        return
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as e:
        user, database = bind.execute(sa.text("SELECT current_user, current_database()")).one()
        raise RuntimeError(EXTENSION_HELP.format(user=user, database=database, error=e.orig)) from None


def upgrade():
    postgres = op.get_bind().dialect.name == 'postgresql'
    if postgres:
        create_trigram_extension()
    vector = postgresql.TSVECTOR() if postgres else sa.Text()
    op.create_table(
        'search_documents',
        sa.Column('item_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('fingerprint', sa.String(length=16), nullable=False),
        sa.Column('analysis', sa.Integer(), nullable=False),
        sa.Column('vector', vector, nullable=False),
        sa.Column('title_exact', sa.Text(), nullable=False),
        sa.Column('stage', sa.Text(), nullable=False),
        sa.Column('content_type', sa.String(length=30), nullable=False),
        sa.Column('product', sa.String(length=100), nullable=False),
        sa.Column('industry', sa.String(length=100), nullable=False),
        sa.Column('persona', sa.String(length=100), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('expires', sa.Integer(), nullable=False),
        sa.Column('updated', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('item_id', name=op.f('pk_search_documents')),
    )
    op.create_index('ix_search_documents_vector', 'search_documents', ['vector'], unique=False,
                    postgresql_using='gin')
    op.create_table(
        'search_words',
        sa.Column('word', sa.String(length=30), nullable=False),
        sa.PrimaryKeyConstraint('word', name=op.f('pk_search_words')),
    )
    op.create_index('ix_search_words_trigrams', 'search_words', ['word'], unique=False,
                    postgresql_using='gin', postgresql_ops={'word': 'gin_trgm_ops'})


def downgrade():
    op.drop_index('ix_search_words_trigrams', table_name='search_words')
    op.drop_table('search_words')
    op.drop_index('ix_search_documents_vector', table_name='search_documents')
    op.drop_table('search_documents')
    # pg_trgm stays: other objects may use it, and dropping an extension needs its owner.
