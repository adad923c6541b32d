"""subscription logos

Revision ID: a9e5d3b7c281
Revises: f4a1c8d2b765
Create Date: 2026-12-02 18:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9e5d3b7c281'
down_revision = 'f4a1c8d2b765'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('subscription', sa.Column('logo', sa.LargeBinary(), nullable=True))
    op.add_column('subscription', sa.Column('logo_type', sa.String(length=32), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('subscription') as batch:
        batch.drop_column('logo_type')
        batch.drop_column('logo')
