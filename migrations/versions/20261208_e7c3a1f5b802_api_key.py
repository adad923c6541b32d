"""a read-only API key per account, kept as a digest

Revision ID: e7c3a1f5b802
Revises: d2b8f4a6c913
Create Date: 2026-12-08 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import models.base


# revision identifiers, used by Alembic.
revision = 'e7c3a1f5b802'
down_revision = 'd2b8f4a6c913'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_key',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('created_at', models.base.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id'),
        sa.UniqueConstraint('digest'),
    )


def downgrade():
    op.drop_table('api_key')
