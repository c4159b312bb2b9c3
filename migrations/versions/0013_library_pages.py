"""library pages that do not grow with the library: a version for cached counts, ordering indexes

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 20:45:00

`library_state.version` changes with every change to collateral (see hub.library.models), so the
home and stage pages keep their counts and facet values per version. The two indexes let the
newest-first lists stop after a page of rows instead of sorting every item (issue 16).
"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'library_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_library_state')),
    )
    op.bulk_insert(table, [{'id': 1, 'version': secrets.randbits(62)}])
    with op.batch_alter_table('collateral', schema=None) as batch_op:
        batch_op.create_index('ix_collateral_newest', ['updated_at', 'id'], unique=False)
        batch_op.create_index('ix_collateral_status_newest', ['status', 'updated_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('collateral', schema=None) as batch_op:
        batch_op.drop_index('ix_collateral_status_newest')
        batch_op.drop_index('ix_collateral_newest')
    op.drop_table('library_state')
