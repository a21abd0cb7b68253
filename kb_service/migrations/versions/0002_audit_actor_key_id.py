"""audit events name the key by id (key names need not be unique)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor_key_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_audit_event_actor_key_id"), ["actor_key_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_actor_key_id"))
        batch_op.drop_column("actor_key_id")
