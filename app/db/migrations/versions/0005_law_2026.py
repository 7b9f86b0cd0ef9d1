"""the law in 2026: dated threshold rules, the decision's assessment and rules, the victim's part,
shared draft recommendations, keep-informed updates, the review-of-the-review route and OPCC
referrals, reviews started by an agency, publication dates

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "threshold_rule_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("rules", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_threshold_rule_versions")),
        sa.UniqueConstraint("effective_from", name=op.f("uq_threshold_rule_versions_effective_from")))
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year_type", sa.String(length=10), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")))
    with op.batch_alter_table("publications") as batch:
        batch.create_index(batch.f("ix_publications_period_end"), ["period_end"], unique=False)
    op.create_table(
        "case_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_updates_case_id_cases"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["letter_id"], ["letters.id"], name=op.f("fk_case_updates_letter_id_letters"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_updates")))
    with op.batch_alter_table("case_updates") as batch:
        batch.create_index(batch.f("ix_case_updates_case_id"), ["case_id"], unique=False)
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("closure_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("threshold_rules", sa.Text(), nullable=True))
        batch.add_column(sa.Column("threshold_assessment", sa.Text(), nullable=True))
        batch.add_column(sa.Column("started_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("last_update_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("update_due_on", sa.Date(), nullable=True))
        batch.create_index(batch.f("ix_cases_update_due_on"), ["update_due_on"], unique=False)
    # Added with its foreign key in one ALTER TABLE: on SQLite a separate constraint would make the
    # batch copy and drop the cases table, and dropping it cascades to every incident and review.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE cases ADD COLUMN started_by_agency_id INTEGER "
                   "CONSTRAINT fk_cases_started_by_agency_id_agencies REFERENCES agencies (id)")
    else:
        op.add_column("cases", sa.Column("started_by_agency_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f("fk_cases_started_by_agency_id_agencies"), "cases", "agencies",
                              ["started_by_agency_id"], ["id"])
    op.create_index(op.f("ix_cases_started_by_agency_id"), "cases", ["started_by_agency_id"], unique=False)
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("judgement_note", sa.Text(), nullable=True))
    with op.batch_alter_table("case_reviews") as batch:
        batch.add_column(sa.Column("victim_part", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("victim_part_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("draft_shared_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("victim_comments", sa.Text(), nullable=True))
        batch.add_column(sa.Column("victim_comments_on", sa.Date(), nullable=True))
    with op.batch_alter_table("panel_meetings") as batch:
        batch.add_column(sa.Column("chair_independent", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("chair_independence_note", sa.Text(), nullable=True))
    with op.batch_alter_table("secondary_reviews") as batch:
        batch.add_column(sa.Column("route", sa.String(length=20), nullable=False,
                                   server_default="senior_officer"))
        batch.add_column(sa.Column("grounds_codes", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("decision_queried", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("referred_on", sa.Date(), nullable=True))
    # Reviews recorded before the victim's part was a choice: invited and attended, or an impact
    # statement given, say what it was; otherwise it stays unrecorded (a held meeting is history).
    op.execute("UPDATE case_reviews SET victim_part = 'attended' WHERE victim_attended = true")
    op.execute("UPDATE case_reviews SET victim_part = 'impact_statement' WHERE victim_part IS NULL "
               "AND impact_statement IS NOT NULL AND impact_statement <> ''")


def downgrade() -> None:
    with op.batch_alter_table("secondary_reviews") as batch:
        for name in ("referred_on", "decision_queried", "grounds_codes", "route"):
            batch.drop_column(name)
    with op.batch_alter_table("panel_meetings") as batch:
        batch.drop_column("chair_independence_note")
        batch.drop_column("chair_independent")
    with op.batch_alter_table("case_reviews") as batch:
        for name in ("victim_comments_on", "victim_comments", "draft_shared_on", "victim_part_reason",
                     "victim_part"):
            batch.drop_column(name)
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("judgement_note")
    op.drop_index(op.f("ix_cases_started_by_agency_id"), table_name="cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_constraint(batch.f("fk_cases_started_by_agency_id_agencies"), type_="foreignkey")
        batch.drop_index(batch.f("ix_cases_update_due_on"))
        for name in ("update_due_on", "last_update_on", "started_reason", "started_by_agency_id",
                     "threshold_assessment", "threshold_rules", "closure_reason"):
            batch.drop_column(name)
    op.drop_table("case_updates")
    op.drop_table("publications")
    op.drop_table("threshold_rule_versions")
