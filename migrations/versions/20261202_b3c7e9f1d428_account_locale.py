"""how an account's amounts are written

Revision ID: b3c7e9f1d428
Revises: a9e5d3b7c281
Create Date: 2026-12-02 19:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3c7e9f1d428'
down_revision = 'a9e5d3b7c281'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('user', sa.Column('locale', sa.String(length=16), nullable=False, server_default='en'))


def downgrade():
    with op.batch_alter_table('user') as batch:
        batch.drop_column('locale')
