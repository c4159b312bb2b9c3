"""deleting a user keeps their votes and calendar polls, without their name

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 09:30:00

request_votes was keyed by (request_id, user_id), so a deleted user's votes had to go with them:
it gets its own id and a unique (request_id, user_id) instead, and user_id becomes nullable.
calendar_feed_fetches.user_id becomes nullable with ON DELETE SET NULL.
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def _votes_table(name, user_ondelete, user_nullable, keyed_by_id):
    columns = [sa.Column('request_id', sa.Integer(), nullable=False),
               sa.Column('user_id', sa.Integer(), nullable=user_nullable),
               sa.Column('at', sa.DateTime(), nullable=False),
               sa.ForeignKeyConstraint(['request_id'], ['content_requests.id'],
                                       name=op.f('fk_request_votes_request_id_content_requests'), ondelete='CASCADE'),
               sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                       name=op.f('fk_request_votes_user_id_users'), ondelete=user_ondelete)]
    if keyed_by_id:
        columns = [sa.Column('id', sa.Integer(), nullable=False), *columns,
                   sa.PrimaryKeyConstraint('id', name=op.f('pk_request_votes')),
                   sa.UniqueConstraint('request_id', 'user_id', name=op.f('uq_request_votes_request_id'))]
    else:
        columns.append(sa.PrimaryKeyConstraint('request_id', 'user_id', name=op.f('pk_request_votes')))
    op.create_table(name, *columns)


def _replace_votes(**new):
    """Copy request_votes into a table of the new shape (constraint names are global on PostgreSQL)."""
    op.rename_table('request_votes', 'request_votes_old')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE request_votes_old RENAME CONSTRAINT pk_request_votes TO pk_request_votes_old')
        if not new['keyed_by_id']:  # going back: the unique constraint's name is taken too
            op.execute('ALTER TABLE request_votes_old DROP CONSTRAINT uq_request_votes_request_id')
    _votes_table('request_votes', **new)
    where = '' if new['user_nullable'] else ' WHERE user_id IS NOT NULL'
    op.execute('INSERT INTO request_votes (request_id, user_id, at) '
               f'SELECT request_id, user_id, at FROM request_votes_old{where}')
    op.drop_table('request_votes_old')


def upgrade():
    _replace_votes(user_ondelete='SET NULL', user_nullable=True, keyed_by_id=True)
    with op.batch_alter_table('calendar_feed_fetches', schema=None) as batch_op:
        batch_op.drop_constraint('fk_calendar_feed_fetches_user_id_users', type_='foreignkey')
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(batch_op.f('fk_calendar_feed_fetches_user_id_users'), 'users', ['user_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('calendar_feed_fetches', schema=None) as batch_op:
        batch_op.drop_constraint('fk_calendar_feed_fetches_user_id_users', type_='foreignkey')
    op.execute('DELETE FROM calendar_feed_fetches WHERE user_id IS NULL')
    with op.batch_alter_table('calendar_feed_fetches', schema=None) as batch_op:
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_calendar_feed_fetches_user_id_users'), 'users', ['user_id'], ['id'],
                                    ondelete='CASCADE')
    _replace_votes(user_ondelete='CASCADE', user_nullable=False, keyed_by_id=False)
