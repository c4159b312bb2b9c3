"""users choose their own time zone (the calendar's pages, e-mails sent at local times)

Revision ID: 0020
Revises: 0013
Create Date: 2026-11-30 23:40:00
"""
from alembic import op
import sqlalchemy as sa

# Keep SQLite's AUTOINCREMENT when a batch operation rebuilds the table (ids are never reused: 0011).
NEVER_REUSED = {'sqlite_autoincrement': True}


revision = '0020'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None, table_kwargs=NEVER_REUSED) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None, table_kwargs=NEVER_REUSED) as batch_op:
        batch_op.drop_column('time_zone')
