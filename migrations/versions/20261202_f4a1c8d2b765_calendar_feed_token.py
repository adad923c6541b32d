"""private calendar feed token

Revision ID: f4a1c8d2b765
Revises: e2b8f4c6a913
Create Date: 2026-12-02 18:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f4a1c8d2b765'
down_revision = 'e2b8f4c6a913'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user') as batch:
        batch.add_column(sa.Column('ics_token', sa.String(length=64), nullable=True))
        batch.create_unique_constraint('user_ics_token_key', ['ics_token'])


def downgrade():
    with op.batch_alter_table('user') as batch:
        batch.drop_constraint('user_ics_token_key', type_='unique')
        batch.drop_column('ics_token')
