"""letters for every party: tenure, agency addressees, letter edits, the chair's approval, job titles

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-26
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        # Whether the victim rents from a registered provider, and which: the Housing Ombudsman route.
        batch.add_column(sa.Column("victim_tenure", sa.String(length=30), nullable=True))
        batch.add_column(sa.Column("victim_landlord_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_cases_victim_landlord_id_agencies", "agencies", ["victim_landlord_id"], ["id"])
    with op.batch_alter_table("agencies") as batch:
        batch.add_column(sa.Column("postcode", sa.String(length=12), nullable=True))
    with op.batch_alter_table("agency_contacts") as batch:
        batch.add_column(sa.Column("receives_letters", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("letters") as batch:
        batch.add_column(sa.Column("edits", sa.Text(), nullable=True))
        batch.add_column(sa.Column("approver_name", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("agency_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("request_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("new_due_on", sa.Date(), nullable=True))
        batch.create_foreign_key("fk_letters_agency_id_agencies", "agencies", ["agency_id"], ["id"])
        batch.create_foreign_key("fk_letters_request_id_agency_requests", "agency_requests", ["request_id"], ["id"],
                                 ondelete="SET NULL")
    # users.job_title (under the signature) came with 0003, for the administrator's command line.
    with op.batch_alter_table("panel_attendees") as batch:
        # A member who attends for one item of the agenda only (None: the whole meeting).
        batch.add_column(sa.Column("for_case_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_panel_attendees_for_case_id_cases", "cases", ["for_case_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("panel_attendees") as batch:
        batch.drop_constraint("fk_panel_attendees_for_case_id_cases", type_="foreignkey")
        batch.drop_column("for_case_id")
    with op.batch_alter_table("letters") as batch:
        batch.drop_constraint("fk_letters_request_id_agency_requests", type_="foreignkey")
        batch.drop_constraint("fk_letters_agency_id_agencies", type_="foreignkey")
        for column in ("new_due_on", "request_id", "agency_id", "approver_name", "edits"):
            batch.drop_column(column)
    with op.batch_alter_table("agency_contacts") as batch:
        batch.drop_column("receives_letters")
    with op.batch_alter_table("agencies") as batch:
        batch.drop_column("postcode")
    with op.batch_alter_table("cases") as batch:
        batch.drop_constraint("fk_cases_victim_landlord_id_agencies", type_="foreignkey")
        batch.drop_column("victim_landlord_id")
        batch.drop_column("victim_tenure")
