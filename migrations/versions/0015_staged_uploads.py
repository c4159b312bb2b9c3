"""staged uploads: files of a bulk upload, checked and stored, waiting to become drafts (issue 15)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 23:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'staged_uploads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=False),
        sa.Column('stored_name', sa.String(length=80), nullable=False),
        sa.Column('original_name', sa.String(length=255), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('mimetype', sa.String(length=120), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_staged_uploads_owner_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staged_uploads')),
        sa.UniqueConstraint('stored_name', name=op.f('uq_staged_uploads_stored_name')),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_staged_uploads_owner_id', 'staged_uploads', ['owner_id'], unique=False)
    op.create_index('ix_staged_uploads_created_at', 'staged_uploads', ['created_at'], unique=False)


def downgrade():
    op.drop_index('ix_staged_uploads_created_at', table_name='staged_uploads')
    op.drop_index('ix_staged_uploads_owner_id', table_name='staged_uploads')
    op.drop_table('staged_uploads')
