"""ids never reused; per-user session secret; password reset links; sign-in throttling

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 20:00:00

SQLite hands the highest rowid out again after a delete unless the key is AUTOINCREMENT
(sqlite.org/autoinc.html): a deleted user's session opened the next user's account, and a new
item inherited a deleted item's usage history. Tables that sessions, links, URLs or history
point at are rebuilt with AUTOINCREMENT (the only way to add it: sqlite.org/lang_altertable.html
section 7, with foreign keys off so that dropping the old table cascades nowhere). Ids deleted
before this migration above the current highest may still come back once. PostgreSQL sequences
never go back, so nothing changes there.

users.session_secret is part of every session cookie; users.reset_token_hash/reset_expires_at hold
one outstanding password reset link; sign_in_throttles counts failed sign-ins; idempotency_keys
keeps API creates' answers for retries.
"""
import secrets

from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

NEVER_REUSED = ('users', 'api_tokens', 'stages', 'collateral', 'file_versions', 'shares', 'opportunities',
                'content_requests', 'calendar_entries', 'calendar_saved_feeds')


def _foreign_keys_off():
    """SQLite ignores the pragma inside a transaction: check that it took, rather than cascade deletes."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return
    bind.exec_driver_sql('PRAGMA foreign_keys=OFF')
    if bind.exec_driver_sql('PRAGMA foreign_keys').scalar():
        raise RuntimeError('Could not turn SQLite foreign keys off to rebuild tables; run this migration on its own.')


def _rebuild(autoincrement):
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        return
    for table in NEVER_REUSED:
        with op.batch_alter_table(table, recreate='always', table_kwargs={'sqlite_autoincrement': autoincrement}):
            pass
    problems = bind.exec_driver_sql('PRAGMA foreign_key_check').fetchall()
    if problems:
        raise RuntimeError(f'Foreign keys broken by the rebuild: {problems[:5]}')


def upgrade():
    _foreign_keys_off()
    _rebuild(autoincrement=True)
    with op.batch_alter_table('users', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.add_column(sa.Column('session_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('reset_token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('reset_expires_at', sa.DateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_reset_token_hash'), ['reset_token_hash'])
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('session_secret', sa.String))
    bind = op.get_bind()
    for (user_id,) in bind.execute(sa.select(users.c.id)).fetchall():
        bind.execute(users.update().where(users.c.id == user_id).values(session_secret=secrets.token_urlsafe(32)))
    with op.batch_alter_table('users', schema=None, table_kwargs={'sqlite_autoincrement': True}) as batch_op:
        batch_op.alter_column('session_secret', existing_type=sa.String(length=64), nullable=False)

    op.create_table(
        'sign_in_throttles',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('scope', sa.String(length=10), nullable=False),
        sa.Column('key', sa.String(length=254), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failed_at', sa.DateTime(), nullable=False),
        sa.Column('locked_until', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_throttles')),
        sa.UniqueConstraint('scope', 'key', name='uq_sign_in_throttles_scope_key'),
    )
    op.create_index(op.f('ix_sign_in_throttles_locked_until'), 'sign_in_throttles', ['locked_until'], unique=False)
    op.create_table(
        'idempotency_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('status', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_idempotency_keys_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
        sa.UniqueConstraint('user_id', 'key', name='uq_idempotency_keys_user_key'),
    )
    op.create_index(op.f('ix_idempotency_keys_created_at'), 'idempotency_keys', ['created_at'], unique=False)


def downgrade():
    _foreign_keys_off()
    op.drop_index(op.f('ix_idempotency_keys_created_at'), table_name='idempotency_keys')
    op.drop_table('idempotency_keys')
    op.drop_index(op.f('ix_sign_in_throttles_locked_until'), table_name='sign_in_throttles')
    op.drop_table('sign_in_throttles')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_reset_token_hash'), type_='unique')
        batch_op.drop_column('reset_expires_at')
        batch_op.drop_column('reset_token_hash')
        batch_op.drop_column('session_secret')
    _rebuild(autoincrement=False)
