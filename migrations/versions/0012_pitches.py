"""pitches: one prospect link for several items, and their opens (issue 14)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 20:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'pitches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=120), nullable=False),
        sa.Column('message', sa.String(length=2000), nullable=False),
        sa.Column('allow_download', sa.Boolean(), nullable=False),
        sa.Column('expires_on', sa.Date(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_pitches_created_by_id', 'pitches', ['created_by_id'])
    op.create_table(
        'pitch_items',
        sa.Column('pitch_id', sa.Integer(), nullable=False),
        sa.Column('collateral_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.SmallInteger(), nullable=False),
        sa.ForeignKeyConstraint(['pitch_id'], ['pitches.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['collateral_id'], ['collateral.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('pitch_id', 'collateral_id'),
    )
    op.create_index('ix_pitch_items_collateral_id', 'pitch_items', ['collateral_id'])
    op.create_table(
        'pitch_opens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('pitch_id', sa.Integer(), nullable=False),
        sa.Column('collateral_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('client', sa.String(length=60), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(['pitch_id'], ['pitches.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['collateral_id'], ['collateral.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_pitch_opens_pitch_id', 'pitch_opens', ['pitch_id'])


def downgrade():
    op.drop_table('pitch_opens')
    op.drop_table('pitch_items')
    op.drop_table('pitches')
