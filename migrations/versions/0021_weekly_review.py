"""the weekly review: shared weekly goals, the Monday e-mail's opt-in and its once-per-week record

Revision ID: 0021
Revises: 0016
Create Date: 2026-11-30 23:50:00
"""
from alembic import op
import sqlalchemy as sa

# Keep SQLite's AUTOINCREMENT when a batch operation rebuilds the table (ids are never reused: 0011).
NEVER_REUSED = {'sqlite_autoincrement': True}


revision = '0021'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None, table_kwargs=NEVER_REUSED) as batch_op:
        batch_op.add_column(sa.Column('weekly_review', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        'weekly_goals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('metric', sa.String(length=30), nullable=False),
        sa.Column('target', sa.Integer(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_weekly_goals_updated_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_weekly_goals')),
        sa.UniqueConstraint('metric', name=op.f('uq_weekly_goals_metric')),
    )
    op.create_table(
        'weekly_review_mails',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('week', sa.String(length=8), nullable=False),
        sa.Column('queued_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_weekly_review_mails_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_weekly_review_mails')),
        sa.UniqueConstraint('user_id', 'week', name='uq_weekly_review_mails_user_week'),
    )


def downgrade():
    op.drop_table('weekly_review_mails')
    op.drop_table('weekly_goals')
    with op.batch_alter_table('users', schema=None, table_kwargs=NEVER_REUSED) as batch_op:
        batch_op.drop_column('weekly_review')
