"""Tables added since the release before versions (commit aaa2d45): the ticket ledger and its quality counts,
the access links, API tokens, notifications, report subscriptions and the poller's checkpoint.

A table that exists already is left as it is: databases made between that release and this revision by
``metadata.create_all`` hold some of them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 20:02:37.160714
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None
ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')  # integer keys: BIGINT, INTEGER on SQLite


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if 'access_links' not in existing:
        op.create_table('access_links',
        sa.Column('access_id', ID, autoincrement=False, nullable=False),
        sa.Column('link', sa.String(length=12), nullable=False),
        sa.Column('ref_id', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('access_id')
        )
    if 'api_tokens' not in existing:
        op.create_table('api_tokens',
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('scopes', sa.String(length=40), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.String(length=80), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_by', sa.String(length=80), nullable=True),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name'),
        sa.UniqueConstraint('token_hash')
        )
    if 'history_quality' not in existing:
        op.create_table('history_quality',
        sa.Column('day', sa.String(length=10), nullable=False),
        sa.Column('channel', sa.String(length=20), nullable=False),
        sa.Column('line', sa.String(length=80), nullable=False),
        sa.Column('team', sa.String(length=200), nullable=False),
        sa.Column('member', sa.String(length=80), nullable=False),
        sa.Column('resolved', sa.Integer(), server_default='0', nullable=False),
        sa.Column('fcr', sa.Integer(), server_default='0', nullable=False),
        sa.Column('surveys', sa.Integer(), server_default='0', nullable=False),
        sa.Column('csat_sum', sa.Integer(), server_default='0', nullable=False),
        sa.Column('csat_top', sa.Integer(), server_default='0', nullable=False),
        sa.Column('survey_resolved_answers', sa.Integer(), server_default='0', nullable=False),
        sa.Column('survey_resolved_yes', sa.Integer(), server_default='0', nullable=False),
        sa.PrimaryKeyConstraint('day', 'channel', 'line', 'team', 'member'),
        sqlite_with_rowid=False
        )
    if 'ledger_incidents' not in existing:
        op.create_table('ledger_incidents',
        sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('opened_ts', ID, nullable=False),
        sa.Column('resolved_ts', ID, nullable=True),
        sa.Column('service_code', sa.String(length=40), nullable=True),
        sa.Column('severity', sa.String(length=10), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint('id')
        )
        with op.batch_alter_table('ledger_incidents', schema=None) as batch_op:
            batch_op.create_index('ix_ledger_incidents_opened', ['opened_ts'], unique=False)
    if 'ledger_surveys' not in existing:
        op.create_table('ledger_surveys',
        sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('ts', ID, nullable=False),
        sa.Column('ticket_id', sa.BigInteger(), nullable=True),
        sa.Column('channel', sa.String(length=20), nullable=False),
        sa.Column('line', sa.String(length=80), server_default='', nullable=False),
        sa.Column('csat', sa.Integer(), nullable=True),
        sa.Column('resolved', sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint('id')
        )
        with op.batch_alter_table('ledger_surveys', schema=None) as batch_op:
            batch_op.create_index('ix_ledger_surveys_ts', ['ts'], unique=False)
    if 'ledger_tickets' not in existing:
        op.create_table('ledger_tickets',
        sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('channel', sa.String(length=20), nullable=False),
        sa.Column('line', sa.String(length=80), server_default='', nullable=False),
        sa.Column('team', sa.String(length=200), server_default='', nullable=False),
        sa.Column('member', sa.String(length=80), server_default='', nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('escalated_to', sa.String(length=40), server_default='', nullable=False),
        sa.Column('fcr', sa.Boolean(), nullable=True),
        sa.Column('created_ts', ID, nullable=False),
        sa.Column('first_response_ts', ID, nullable=True),
        sa.Column('resolved_ts', ID, nullable=True),
        sa.Column('due_ts', ID, nullable=True),
        sa.Column('escalated_ts', ID, nullable=True),
        sa.PrimaryKeyConstraint('id')
        )
        with op.batch_alter_table('ledger_tickets', schema=None) as batch_op:
            batch_op.create_index('ix_ledger_tickets_created', ['channel', 'created_ts'], unique=False)
            batch_op.create_index('ix_ledger_tickets_escalated', ['escalated_to', 'created_ts'], unique=False)
            batch_op.create_index('ix_ledger_tickets_resolved', ['resolved_ts'], unique=False)
            batch_op.create_index('ix_ledger_tickets_status', ['status'], unique=False)
    if 'notify_routes' not in existing:
        op.create_table('notify_routes',
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('target', sa.String(length=500), nullable=False),
        sa.Column('audience', sa.String(length=12), nullable=False),
        sa.Column('rules', sa.String(length=500), server_default='', nullable=False),
        sa.Column('scopes', sa.String(length=500), server_default='', nullable=False),
        sa.Column('min_severity', sa.String(length=10), server_default='warning', nullable=False),
        sa.Column('min_band', sa.String(length=10), server_default='high', nullable=False),
        sa.Column('quiet_from', sa.String(length=5), server_default='', nullable=False),
        sa.Column('quiet_to', sa.String(length=5), server_default='', nullable=False),
        sa.Column('group_wait_s', sa.Integer(), server_default='60', nullable=False),
        sa.Column('repeat_s', sa.Integer(), server_default='14400', nullable=False),
        sa.Column('send_resolved', sa.Boolean(), server_default='1', nullable=False),
        sa.Column('enabled', sa.Boolean(), server_default='1', nullable=False),
        sa.Column('updated_by', sa.String(length=80), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('name')
        )
    if 'poller_checkpoint' not in existing:
        op.create_table('poller_checkpoint',
        sa.Column('id', sa.SmallInteger(), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('day_start', sa.BigInteger(), nullable=False),
        sa.Column('taken_at', sa.DateTime(), nullable=False),
        sa.Column('token', sa.BigInteger(), nullable=True),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('payload', sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint('id')
        )
    if 'report_subscriptions' not in existing:
        op.create_table('report_subscriptions',
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('login', sa.String(length=80), nullable=False),
        sa.Column('email', sa.String(length=200), nullable=False),
        sa.Column('cadence', sa.String(length=10), nullable=False),
        sa.Column('lang', sa.String(length=2), server_default='ru', nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id')
        )
        with op.batch_alter_table('report_subscriptions', schema=None) as batch_op:
            batch_op.create_index('ux_report_subscriptions', ['login', 'cadence'], unique=True)
    if 'api_usage' not in existing:
        op.create_table('api_usage',
        sa.Column('token_id', ID, nullable=False),
        sa.Column('hour', sa.DateTime(), nullable=False),
        sa.Column('calls', sa.Integer(), server_default='0', nullable=False),
        sa.Column('refused', sa.Integer(), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id'], ),
        sa.PrimaryKeyConstraint('token_id', 'hour')
        )
    if 'notify_groups' not in existing:
        op.create_table('notify_groups',
        sa.Column('route_id', ID, nullable=False),
        sa.Column('announced', sa.Text(), server_default='{}', nullable=False),
        sa.Column('pending_since', sa.DateTime(), nullable=True),
        sa.Column('last_sent_at', sa.DateTime(), nullable=True),
        sa.Column('seq', sa.Integer(), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(['route_id'], ['notify_routes.id'], ),
        sa.PrimaryKeyConstraint('route_id')
        )
    if 'notify_outbox' not in existing:
        op.create_table('notify_outbox',
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('idem_key', sa.String(length=200), nullable=False),
        sa.Column('route_id', ID, nullable=True),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('target', sa.String(length=500), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('payload', sa.Text(), server_default='{}', nullable=False),
        sa.Column('attachment_name', sa.String(length=120), nullable=True),
        sa.Column('attachment', sa.LargeBinary(), nullable=True),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('next_at', sa.DateTime(), nullable=False),
        sa.Column('claimed_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.String(length=300), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['route_id'], ['notify_routes.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('idem_key')
        )
        with op.batch_alter_table('notify_outbox', schema=None) as batch_op:
            batch_op.create_index('ix_notify_outbox_due', ['status', 'next_at'], unique=False)
    if 'notify_silences' not in existing:
        op.create_table('notify_silences',
        sa.Column('id', ID, autoincrement=True, nullable=False),
        sa.Column('matcher', sa.String(length=200), nullable=False),
        sa.Column('route_id', ID, nullable=True),
        sa.Column('reason', sa.String(length=500), server_default='', nullable=False),
        sa.Column('created_by', sa.String(length=80), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['route_id'], ['notify_routes.id'], ),
        sa.PrimaryKeyConstraint('id')
        )

def downgrade() -> None:
    op.drop_table('notify_silences')
    with op.batch_alter_table('notify_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_notify_outbox_due')

    op.drop_table('notify_outbox')
    op.drop_table('notify_groups')
    op.drop_table('api_usage')
    with op.batch_alter_table('report_subscriptions', schema=None) as batch_op:
        batch_op.drop_index('ux_report_subscriptions')

    op.drop_table('report_subscriptions')
    op.drop_table('poller_checkpoint')
    op.drop_table('notify_routes')
    with op.batch_alter_table('ledger_tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_tickets_status')
        batch_op.drop_index('ix_ledger_tickets_resolved')
        batch_op.drop_index('ix_ledger_tickets_escalated')
        batch_op.drop_index('ix_ledger_tickets_created')

    op.drop_table('ledger_tickets')
    with op.batch_alter_table('ledger_surveys', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_surveys_ts')

    op.drop_table('ledger_surveys')
    with op.batch_alter_table('ledger_incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_incidents_opened')

    op.drop_table('ledger_incidents')
    op.drop_table('history_quality')
    op.drop_table('api_tokens')
    op.drop_table('access_links')
