"""exchange rates per account, a monthly budget, ECB rates switch

Revision ID: e2b8f4c6a913
Revises: c7d3a9e1f054
Create Date: 2026-12-02 17:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e2b8f4c6a913'
down_revision = 'c7d3a9e1f054'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('exchange_rate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('per_main', sa.Numeric(precision=24, scale=10), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'currency', name='exchange_rate_once')
    )
    op.create_index(op.f('ix_exchange_rate_user_id'), 'exchange_rate', ['user_id'], unique=False)
    with op.batch_alter_table('user') as batch:
        batch.add_column(sa.Column('monthly_budget', sa.Numeric(precision=12, scale=2), nullable=True))
        batch.add_column(sa.Column('ecb_rates', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    with op.batch_alter_table('user') as batch:
        batch.drop_column('ecb_rates')
        batch.drop_column('monthly_budget')
    op.drop_index(op.f('ix_exchange_rate_user_id'), table_name='exchange_rate')
    op.drop_table('exchange_rate')
