"""the victim's consent to disclose the findings to a third-party applicant

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("disclosure_consent", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("disclosure_consent_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("disclosure_consent_on")
        batch.drop_column("disclosure_consent")
