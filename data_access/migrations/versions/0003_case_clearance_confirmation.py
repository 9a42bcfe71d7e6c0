"""Four eyes on clearances: who closed a case, and the second officer who confirmed its clearance.

A clearance made before this revision has no confirmation: with HOTLINE_SECURITY_CLEARANCE_SECOND_OFFICER on
(the default) its day counts in cumulative risk again until a second officer confirms it. The closing officer of
a case closed before it is taken from the case's history (its last 'closed' event), so that they cannot confirm
their own clearance.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 12:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None
COLUMNS = ('closed_by', 'confirmed_by', 'confirmed_at')


def upgrade() -> None:
    existing = {c['name'] for c in sa.inspect(op.get_bind()).get_columns('cases')}
    with op.batch_alter_table('cases', schema=None) as batch_op:
        if 'closed_by' not in existing:
            batch_op.add_column(sa.Column('closed_by', sa.String(length=80), nullable=True))
        if 'confirmed_by' not in existing:
            batch_op.add_column(sa.Column('confirmed_by', sa.String(length=80), nullable=True))
        if 'confirmed_at' not in existing:
            batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(), nullable=True))
    op.execute("UPDATE cases SET closed_by = (SELECT e.actor FROM case_events e WHERE e.case_id = cases.id"
               " AND e.action = 'closed' ORDER BY e.id DESC LIMIT 1) WHERE status = 'closed' AND closed_by IS NULL")


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.drop_column(name)
