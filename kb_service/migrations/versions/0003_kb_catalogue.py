"""a per-KB product catalogue (products, series, aliases) with its own compare-and-set version

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # existing KBs start with an empty catalogue at version 1; the defaults exist only to fill those rows
    with op.batch_alter_table("knowledge_base", schema=None) as batch_op:
        batch_op.add_column(sa.Column("catalogue", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("catalogue_version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("knowledge_base", schema=None) as batch_op:
        batch_op.alter_column("catalogue", server_default=None)
        batch_op.alter_column("catalogue_version", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("knowledge_base", schema=None) as batch_op:
        batch_op.drop_column("catalogue_version")
        batch_op.drop_column("catalogue")
