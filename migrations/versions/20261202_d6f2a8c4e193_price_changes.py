"""price changes kept, for the months before them

Revision ID: d6f2a8c4e193
Revises: b3c7e9f1d428
Create Date: 2026-12-02 19:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd6f2a8c4e193'
down_revision = 'b3c7e9f1d428'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('price_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('until', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscription.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_price_change_subscription_id'), 'price_change', ['subscription_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_price_change_subscription_id'), table_name='price_change')
    op.drop_table('price_change')
