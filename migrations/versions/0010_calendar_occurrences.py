"""calendar occurrences added by RDATE, and a changed occurrence's own summary, description and location

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-30 20:15:00

Imported files carry RDATEs (extra occurrences) and overrides with their own SUMMARY, DESCRIPTION
and LOCATION (RFC 5545 3.8.5.2, 3.8.4.4): both live on the occurrence change rows.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('calendar_occurrence_changes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('added', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('title', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('description', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('location', sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table('calendar_occurrence_changes', schema=None) as batch_op:
        batch_op.drop_column('location')
        batch_op.drop_column('description')
        batch_op.drop_column('title')
        batch_op.drop_column('added')
