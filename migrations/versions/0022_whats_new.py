"""what's new for me (issue 14): saved items, notifications and their e-mail choices; the rep's title
and photo for pitches

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 00:00:00
"""
from alembic import op
import sqlalchemy as sa

# Keep SQLite's AUTOINCREMENT when a batch operation rebuilds the table (ids are never reused: 0011).
NEVER_REUSED = {'sqlite_autoincrement': True}


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'saved_items',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('collateral_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['collateral_id'], ['collateral.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'collateral_id'),
    )
    op.create_index('ix_saved_items_collateral_id', 'saved_items', ['collateral_id'])
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('key', sa.String(length=120), nullable=False),
        sa.Column('text', sa.String(length=300), nullable=False),
        sa.Column('endpoint', sa.String(length=80), nullable=False),
        sa.Column('link_values', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('read_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'key', name='uq_notifications_user_key'),
    )
    op.create_index('ix_notifications_user_read_created', 'notifications', ['user_id', 'read_at', 'created_at'])
    op.create_table(
        'notification_mail',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'kind'),
    )
    with op.batch_alter_table('users', schema=None, table_kwargs=NEVER_REUSED) as batch_op:
        batch_op.add_column(sa.Column('title', sa.String(length=120), server_default='', nullable=False))
    op.create_table(
        'user_photos',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id'),
    )


def downgrade():
    op.drop_table('user_photos')
    with op.batch_alter_table('users', schema=None, table_kwargs=NEVER_REUSED) as batch_op:
        batch_op.drop_column('title')
    op.drop_table('notification_mail')
    op.drop_index('ix_notifications_user_read_created', table_name='notifications')
    op.drop_table('notifications')
    op.drop_index('ix_saved_items_collateral_id', table_name='saved_items')
    op.drop_table('saved_items')
