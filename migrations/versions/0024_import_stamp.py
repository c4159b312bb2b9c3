"""calendar imports (issue 10): each imported entry keeps a stamp of the file text it came from, so
re-importing an unchanged file skips its unchanged events before parsing them

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-01 08:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


# A nullable column needs no rebuild on SQLite (calendar_entries keeps its AUTOINCREMENT, 0011).
def upgrade():
    with op.batch_alter_table('calendar_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('import_stamp', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('calendar_entries', schema=None) as batch_op:
        batch_op.drop_column('import_stamp')
