"""trust: the audit log's hash chain, password hashes apart from users, sign-in lockout, submission ids

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""
from __future__ import annotations

from datetime import datetime
import sqlalchemy as sa
from alembic import op

from app.domain.audit_chain import GENESIS, ChainFields, entry_hash

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_BATCH = 5000


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    _chain_existing_entries()

    op.create_table(
        "user_passwords",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=300), nullable=False),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_passwords_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_passwords")))
    op.execute("INSERT INTO user_passwords (user_id, hash, set_at) SELECT id, password_hash, CURRENT_TIMESTAMP "
               "FROM users WHERE password_hash IS NOT NULL")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("password_hash")
        batch.add_column(sa.Column("job_title", sa.String(length=120), nullable=True))

    op.create_table(
        "sign_in_attempts",
        sa.Column("login", sa.String(length=120), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(), nullable=True),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("login", name=op.f("pk_sign_in_attempts")))

    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("submission_id", sa.String(length=36), nullable=True))
        batch.create_unique_constraint(batch.f("uq_cases_submission_id"), ["submission_id"])


def _chain_existing_entries() -> None:
    """Entries written before the chain existed are chained now, in id order, so verify starts intact."""
    conn = op.get_bind()
    log = sa.table("audit_log", *(sa.column(c) for c in (
        "id", "at", "actor", "db_user", "machine", "action", "entity", "entity_id", "case_id", "fields", "reason",
        "prev_hash", "hash")))
    prev, last_id = GENESIS, 0
    while True:
        rows = conn.execute(sa.select(log).where(log.c.id > last_id).order_by(log.c.id).limit(_BATCH)).all()
        if not rows:
            break
        updates = []
        for r in rows:
            digest = entry_hash(prev, ChainFields(r.id, _as_datetime(r.at), r.actor, r.db_user, r.machine, r.action,
                                                  r.entity, r.entity_id, r.case_id, r.fields, r.reason))
            updates.append({"b_id": r.id, "b_prev": prev, "b_hash": digest})
            prev, last_id = digest, r.id
        conn.execute(log.update().where(log.c.id == sa.bindparam("b_id"))
                     .values(prev_hash=sa.bindparam("b_prev"), hash=sa.bindparam("b_hash")), updates)


def _as_datetime(value: object) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_constraint(batch.f("uq_cases_submission_id"), type_="unique")
        batch.drop_column("submission_id")
    op.drop_table("sign_in_attempts")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("job_title")
        batch.add_column(sa.Column("password_hash", sa.String(length=300), nullable=True))
    op.execute("UPDATE users SET password_hash = (SELECT hash FROM user_passwords WHERE user_id = users.id)")
    op.drop_table("user_passwords")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
