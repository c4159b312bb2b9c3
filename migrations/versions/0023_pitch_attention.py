"""pitch attention (issue 14): the page a prospect was shown and the seconds they spent on an item

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01 04:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


# pitch_opens was made without AUTOINCREMENT (0012) and adding a nullable column needs no rebuild on
# SQLite; the batch operation keeps it that way.
def upgrade():
    with op.batch_alter_table('pitch_opens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('page_number', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('seconds', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('pitch_opens', schema=None) as batch_op:
        batch_op.drop_column('seconds')
        batch_op.drop_column('page_number')
