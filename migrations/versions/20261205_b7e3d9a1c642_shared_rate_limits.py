"""rate limits in the database, shared by every serving process

Log-in, send and detect limits were counted in each process's memory, so with
several processes a limit of 10 became 10 per process.

Revision ID: b7e3d9a1c642
Revises: a4d9e2c7b513
Create Date: 2026-12-05 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7e3d9a1c642'
down_revision = 'a4d9e2c7b513'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rate_limit_bucket',
        sa.Column('scope', sa.String(length=16), nullable=False),
        sa.Column('key', sa.String(length=32), nullable=False),
        sa.Column('tokens', sa.Double(), nullable=False),
        sa.Column('updated_at', sa.Double(), nullable=False),
        sa.Column('full_at', sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint('scope', 'key'),
    )
    with op.batch_alter_table('rate_limit_bucket') as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_limit_bucket_full_at'), ['full_at'])


def downgrade():
    with op.batch_alter_table('rate_limit_bucket') as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_limit_bucket_full_at'))
    op.drop_table('rate_limit_bucket')
