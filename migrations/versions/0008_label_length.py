"""calendar labels as long as the library's (100 characters)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 18:00:00

An item's product or region becomes a calendar entry's label when its approval adds a collateral
update: the two features must accept the same lengths.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('calendar_entry_labels', schema=None) as batch_op:
        batch_op.alter_column('value', existing_type=sa.String(length=60), type_=sa.String(length=100),
                              existing_nullable=False)


def downgrade():
    with op.batch_alter_table('calendar_entry_labels', schema=None) as batch_op:
        batch_op.alter_column('value', existing_type=sa.String(length=100), type_=sa.String(length=60),
                              existing_nullable=False)
