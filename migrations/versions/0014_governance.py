"""governance: file versions held for re-approval, who last changed an item, one-time form tokens

Revision ID: 0014
Revises: 0020
Create Date: 2026-11-30 23:40:00

`file_versions.review_state` says whether a version may be served ('accepted': every version so
far), waits for re-approval ('pending'), was turned down ('rejected') or was replaced while it
waited ('superseded'); see hub.library.models.FileVersion. `collateral.changed_by_id` is who last
changed the item (HUB_SEPARATE_APPROVER keeps them from approving it); `collateral.form_nonce` is
the one-time token of the upload form that created it, so a form posted twice makes one draft.
"""
from alembic import op
import sqlalchemy as sa

# Keep SQLite's AUTOINCREMENT when a batch operation rebuilds the table (ids are never reused: 0011).
NEVER_REUSED = {'sqlite_autoincrement': True}


revision = '0014'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('file_versions', schema=None, table_kwargs=NEVER_REUSED) as batch_op:
        batch_op.add_column(sa.Column('review_state', sa.String(length=12), server_default='accepted',
                                      nullable=False))
    with op.batch_alter_table('collateral', schema=None, table_kwargs=NEVER_REUSED) as batch_op:
        batch_op.add_column(sa.Column('changed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('form_nonce', sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_collateral_changed_by_id_users'), 'users', ['changed_by_id'],
                                    ['id'], ondelete='SET NULL')
        batch_op.create_unique_constraint(batch_op.f('uq_collateral_form_nonce'), ['form_nonce'])


def downgrade():
    with op.batch_alter_table('collateral', schema=None, table_kwargs=NEVER_REUSED) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_collateral_form_nonce'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_collateral_changed_by_id_users'), type_='foreignkey')
        batch_op.drop_column('form_nonce')
        batch_op.drop_column('changed_by_id')
    with op.batch_alter_table('file_versions', schema=None, table_kwargs=NEVER_REUSED) as batch_op:
        batch_op.drop_column('review_state')
