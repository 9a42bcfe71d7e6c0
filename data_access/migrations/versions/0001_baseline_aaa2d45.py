"""The app database as the release before schema versions made it (commit aaa2d45), with its audit triggers.

A database made by that release (without an alembic_version table) is stamped at this revision by
``python app.py db upgrade`` instead of running it.

Revision ID: 0001
Revises:
Create Date: 2026-12-04 20:02:20.658539
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None
ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')  # integer keys: BIGINT, INTEGER on SQLite


def upgrade() -> None:
    op.create_table('access_events',
    sa.Column('id', ID, autoincrement=False, nullable=False),
    sa.Column('ts', sa.DateTime(), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('operator_id', sa.BigInteger(), nullable=False),
    sa.Column('operator_login', sa.String(length=80), server_default='', nullable=False),
    sa.Column('team_id', sa.BigInteger(), nullable=True),
    sa.Column('citizen_id', sa.BigInteger(), nullable=True),
    sa.Column('citizen_masked', sa.String(length=60), server_default='', nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('ticket_id', sa.BigInteger(), nullable=True),
    sa.Column('call_id', sa.String(length=80), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=False),
    sa.Column('explained', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('access_events', schema=None) as batch_op:
        batch_op.create_index('ix_ae_citizen_ts', ['citizen_id', 'ts'], unique=False)
        batch_op.create_index('ix_ae_day_team', ['day', 'team_id'], unique=False)
        batch_op.create_index('ix_ae_operator_day', ['operator_id', 'day'], unique=False)
        batch_op.create_index('ix_ae_operator_ts', ['operator_id', 'ts'], unique=False)
        batch_op.create_index('ix_ae_ts', ['ts'], unique=False)

    op.create_table('alerts',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('rule', sa.String(length=40), nullable=False),
    sa.Column('scope', sa.String(length=80), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('fired_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('acked_by', sa.String(length=80), nullable=True),
    sa.Column('acked_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index('ix_alerts_active', ['resolved_at', 'key'], unique=False)
        batch_op.create_index('ix_alerts_fired', ['fired_at'], unique=False)

    op.create_table('audit_checkpoint',
    sa.Column('id', sa.SmallInteger(), nullable=False),
    sa.Column('row_id', sa.BigInteger(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('audit_head',
    sa.Column('id', sa.SmallInteger(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('count', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('audit_log',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('ts', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target', sa.String(length=200), server_default='', nullable=False),
    sa.Column('details', sa.Text(), server_default='{}', nullable=False),
    sa.Column('ip', sa.String(length=45), server_default='', nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_actor', ['actor', 'ts'], unique=False)
        batch_op.create_index('ix_audit_ts', ['ts'], unique=False)

    op.create_table('history_channel',
    sa.Column('scope', sa.String(length=20), nullable=False),
    sa.Column('start_ts', ID, autoincrement=False, nullable=False),
    sa.Column('created', sa.Integer(), server_default='0', nullable=False),
    sa.Column('responded', sa.Integer(), server_default='0', nullable=False),
    sa.Column('responded_in_t', sa.Integer(), server_default='0', nullable=False),
    sa.Column('backlog', sa.Integer(), server_default='0', nullable=False),
    sa.Column('resolved', sa.Integer(), server_default='0', nullable=False),
    sa.Column('resolved_by_due', sa.Integer(), server_default='0', nullable=False),
    sa.Column('response_sum', sa.Float(), server_default='0', nullable=False),
    sa.Column('response_waits', sa.Text(), server_default='{}', nullable=False),
    sa.Column('final', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('updated_at', ID, nullable=False),
    sa.PrimaryKeyConstraint('scope', 'start_ts'),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('history_channel', schema=None) as batch_op:
        batch_op.create_index('ix_history_channel_start', ['start_ts'], unique=False)

    op.create_table('history_operator_day',
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('answered', sa.Integer(), server_default='0', nullable=False),
    sa.Column('handled', sa.Integer(), server_default='0', nullable=False),
    sa.Column('talk_s', sa.Integer(), server_default='0', nullable=False),
    sa.Column('wrapup_s', sa.Integer(), server_default='0', nullable=False),
    sa.Column('staffed_s', sa.Integer(), server_default='0', nullable=False),
    sa.Column('busy_s', sa.Integer(), server_default='0', nullable=False),
    sa.Column('paused_s', sa.Integer(), server_default='0', nullable=False),
    sa.Column('paused_by_reason', sa.Text(), server_default='{}', nullable=False),
    sa.Column('updated_at', ID, nullable=False),
    sa.PrimaryKeyConstraint('day', 'name'),
    sqlite_with_rowid=False
    )
    op.create_table('history_queue',
    sa.Column('scope', sa.String(length=80), nullable=False),
    sa.Column('start_ts', ID, autoincrement=False, nullable=False),
    sa.Column('offered', sa.Integer(), server_default='0', nullable=False),
    sa.Column('answered', sa.Integer(), server_default='0', nullable=False),
    sa.Column('abandoned', sa.Integer(), server_default='0', nullable=False),
    sa.Column('short_abandoned', sa.Integer(), server_default='0', nullable=False),
    sa.Column('timed_out', sa.Integer(), server_default='0', nullable=False),
    sa.Column('lost', sa.Integer(), server_default='0', nullable=False),
    sa.Column('transferred', sa.Integer(), server_default='0', nullable=False),
    sa.Column('blocked', sa.Integer(), server_default='0', nullable=False),
    sa.Column('handled', sa.Integer(), server_default='0', nullable=False),
    sa.Column('hold_sum', sa.Integer(), server_default='0', nullable=False),
    sa.Column('talk_sum', sa.Integer(), server_default='0', nullable=False),
    sa.Column('answered_in_t', sa.Integer(), server_default='0', nullable=False),
    sa.Column('longest_wait_s', sa.Integer(), server_default='0', nullable=False),
    sa.Column('answer_waits', sa.Text(), server_default='{}', nullable=False),
    sa.Column('abandon_waits', sa.Text(), server_default='{}', nullable=False),
    sa.Column('staffed_s', sa.Integer(), server_default='0', nullable=False),
    sa.Column('available_s', sa.Integer(), server_default='0', nullable=False),
    sa.Column('busy_s', sa.Integer(), server_default='0', nullable=False),
    sa.Column('paused_s', sa.Integer(), server_default='0', nullable=False),
    sa.Column('paused_by_reason', sa.Text(), server_default='{}', nullable=False),
    sa.Column('final', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('updated_at', ID, nullable=False),
    sa.PrimaryKeyConstraint('scope', 'start_ts'),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('history_queue', schema=None) as batch_op:
        batch_op.create_index('ix_history_queue_start', ['start_ts'], unique=False)

    op.create_table('incident_log',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('leak_suspected', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('notify_by', sa.DateTime(), nullable=True),
    sa.Column('report_by', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('login_attempts',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('ts', sa.DateTime(), nullable=False),
    sa.Column('login', sa.String(length=80), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=False),
    sa.Column('success', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_ip', ['ip', 'ts'], unique=False)
        batch_op.create_index('ix_login_attempts_login', ['login', 'ts'], unique=False)

    op.create_table('operator_days',
    sa.Column('operator_id', sa.BigInteger(), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('team_id', sa.BigInteger(), nullable=True),
    sa.Column('touches', sa.Integer(), server_default='0', nullable=False),
    sa.Column('distinct_citizens', sa.Integer(), server_default='0', nullable=False),
    sa.Column('unexplained', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_ts', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('operator_id', 'day')
    )
    op.create_table('operator_names',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('login', sa.String(length=80), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('team_id', sa.BigInteger(), nullable=True),
    sa.Column('team_name', sa.String(length=200), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('poller_cursors',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('poller_lease',
    sa.Column('id', sa.SmallInteger(), nullable=False),
    sa.Column('holder', sa.String(length=64), nullable=False),
    sa.Column('host', sa.String(length=120), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('renewed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('users',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('login', sa.String(length=80), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('login')
    )
    op.create_table('cases',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('operator_id', sa.BigInteger(), nullable=False),
    sa.Column('day', sa.String(length=10), nullable=False),
    sa.Column('score', sa.SmallInteger(), nullable=False),
    sa.Column('band', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('assignee', sa.String(length=80), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('assigned_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closure', sa.String(length=20), nullable=True),
    sa.Column('closure_detail', sa.Text(), nullable=True),
    sa.Column('legal_hold', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('incident_id', ID, nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incident_log.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_status', ['status', 'band'], unique=False)
        batch_op.create_index('ux_cases_operator_day', ['operator_id', 'day'], unique=True)

    op.create_table('kiosk_tokens',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', ID, nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_table('allow_rules',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('detector', sa.String(length=4), nullable=False),
    sa.Column('operator_id', sa.BigInteger(), nullable=True),
    sa.Column('team_id', sa.BigInteger(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('case_id', ID, nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('case_events',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('case_id', ID, nullable=False),
    sa.Column('ts', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('detail', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.create_index('ix_case_events_case', ['case_id'], unique=False)

    op.create_table('case_hits',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('case_id', ID, nullable=False),
    sa.Column('detector', sa.String(length=4), nullable=False),
    sa.Column('scope', sa.String(length=120), server_default='', nullable=False),
    sa.Column('ts', sa.DateTime(), nullable=False),
    sa.Column('points', sa.SmallInteger(), nullable=False),
    sa.Column('reason_ru', sa.Text(), nullable=False),
    sa.Column('reason_en', sa.Text(), nullable=False),
    sa.Column('access_ids', sa.Text(), nullable=False),
    sa.Column('citizen_ids', sa.Text(), nullable=False),
    sa.Column('signin_ids', sa.Text(), server_default='[]', nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_hits', schema=None) as batch_op:
        batch_op.create_index('ix_case_hits_detector_ts', ['detector', 'ts'], unique=False)
        batch_op.create_index('ux_case_hits_scope', ['case_id', 'detector', 'scope'], unique=True)

    op.create_table('web_sessions',
    sa.Column('id', ID, autoincrement=True, nullable=False),
    sa.Column('sid_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', ID, nullable=False),
    sa.Column('token_id', ID, nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('ip', sa.String(length=45), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['token_id'], ['kiosk_tokens.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sid_hash')
    )
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_web_sessions_user', ['user_id'], unique=False)
    _audit_triggers()


def downgrade() -> None:
    with op.batch_alter_table('web_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_web_sessions_user')

    op.drop_table('web_sessions')
    with op.batch_alter_table('case_hits', schema=None) as batch_op:
        batch_op.drop_index('ux_case_hits_scope')
        batch_op.drop_index('ix_case_hits_detector_ts')

    op.drop_table('case_hits')
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_index('ix_case_events_case')

    op.drop_table('case_events')
    op.drop_table('allow_rules')
    op.drop_table('kiosk_tokens')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ux_cases_operator_day')
        batch_op.drop_index('ix_cases_status')

    op.drop_table('cases')
    op.drop_table('users')
    op.drop_table('poller_lease')
    op.drop_table('poller_cursors')
    op.drop_table('operator_names')
    op.drop_table('operator_days')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_login')
        batch_op.drop_index('ix_login_attempts_ip')

    op.drop_table('login_attempts')
    op.drop_table('incident_log')
    with op.batch_alter_table('history_queue', schema=None) as batch_op:
        batch_op.drop_index('ix_history_queue_start')

    op.drop_table('history_queue')
    op.drop_table('history_operator_day')
    with op.batch_alter_table('history_channel', schema=None) as batch_op:
        batch_op.drop_index('ix_history_channel_start')

    op.drop_table('history_channel')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_ts')
        batch_op.drop_index('ix_audit_actor')

    op.drop_table('audit_log')
    op.drop_table('audit_head')
    op.drop_table('audit_checkpoint')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_fired')
        batch_op.drop_index('ix_alerts_active')

    op.drop_table('alerts')
    with op.batch_alter_table('access_events', schema=None) as batch_op:
        batch_op.drop_index('ix_ae_ts')
        batch_op.drop_index('ix_ae_operator_ts')
        batch_op.drop_index('ix_ae_operator_day')
        batch_op.drop_index('ix_ae_day_team')
        batch_op.drop_index('ix_ae_citizen_ts')

    op.drop_table('access_events')


AUDIT_TRIGGERS = {
    "sqlite": ["CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_log "
               "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
               "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit_log "
               "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
               "CREATE TRIGGER IF NOT EXISTS audit_checkpoint_forward BEFORE UPDATE ON audit_checkpoint "
               "WHEN NEW.row_id <= OLD.row_id OR NEW.id != OLD.id "
               "BEGIN SELECT RAISE(ABORT, 'audit_checkpoint only moves forward'); END",
               "CREATE TRIGGER IF NOT EXISTS audit_checkpoint_no_delete BEFORE DELETE ON audit_checkpoint "
               "BEGIN SELECT RAISE(ABORT, 'audit_checkpoint cannot be deleted'); END"],
    "postgresql": ["CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$ BEGIN "
                   "RAISE EXCEPTION 'audit_log is append-only'; END $$ LANGUAGE plpgsql",
                   "DROP TRIGGER IF EXISTS audit_append_only ON audit_log",
                   "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
                   "CREATE OR REPLACE FUNCTION audit_checkpoint_guard() RETURNS trigger AS $$ BEGIN "
                   "IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'audit_checkpoint cannot be deleted'; END IF; "
                   "IF NEW.row_id <= OLD.row_id OR NEW.id <> OLD.id THEN "
                   "RAISE EXCEPTION 'audit_checkpoint only moves forward'; END IF; "
                   "RETURN NEW; END $$ LANGUAGE plpgsql",
                   "DROP TRIGGER IF EXISTS audit_checkpoint_guard ON audit_checkpoint",
                   "CREATE TRIGGER audit_checkpoint_guard BEFORE UPDATE OR DELETE ON audit_checkpoint "
                   "FOR EACH ROW EXECUTE FUNCTION audit_checkpoint_guard()"],
}


def _audit_triggers() -> None:
    for statement in AUDIT_TRIGGERS.get(op.get_bind().dialect.name, []):
        op.execute(statement)
