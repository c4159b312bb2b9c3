"""jobs: a general background job queue replaces the search outbox

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 17:00:00

Pending search outbox rows become `search.index` jobs, so nothing queued before the upgrade is lost.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('queued_at', sa.DateTime(), nullable=False),
    sa.Column('run_after', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('leased_until', sa.DateTime(), nullable=True),
    sa.Column('leased_by', sa.String(length=120), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('last_error_at', sa.DateTime(), nullable=True),
    sa.Column('failed_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs')),
    sqlite_autoincrement=True,
    )
    op.create_index('ix_jobs_ready', 'jobs', ['failed_at', 'run_after', 'id'], unique=False)
    op.create_table('job_workers',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('seen_at', sa.DateTime(), nullable=False),
    sa.Column('jobs_done', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_job_workers'))
    )
    op.execute("INSERT INTO jobs (kind, key, payload, queued_at, run_after, attempts, leased_by, last_error) "
               "SELECT 'search.index', CAST(collateral_id AS VARCHAR(100)), '', queued_at, queued_at, 0, '', '' "
               "FROM search_outbox ORDER BY id")
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_outbox_collateral_id'))
    op.drop_table('search_outbox')


def downgrade():
    op.create_table('search_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collateral_id', sa.Integer(), nullable=False),
    sa.Column('queued_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_outbox'))
    )
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_outbox_collateral_id'), ['collateral_id'], unique=False)
    op.execute("INSERT INTO search_outbox (collateral_id, queued_at) "
               "SELECT CAST(key AS INTEGER), queued_at FROM jobs WHERE kind = 'search.index' ORDER BY id")
    op.drop_table('job_workers')
    op.drop_index('ix_jobs_ready', table_name='jobs')
    op.drop_table('jobs')
