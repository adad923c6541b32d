"""index the columns that point at lists and at other subscriptions

Without them SQLite scans every subscription for each row deleted from what
they point at: deleting an account with many subscriptions took quadratic time.

Revision ID: e8a4c2f6b019
Revises: d6f2a8c4e193
Create Date: 2026-12-02 20:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e8a4c2f6b019'
down_revision = 'd6f2a8c4e193'
branch_labels = None
depends_on = None

_COLUMNS = ['category_id', 'payment_method_id', 'payer_id', 'replaced_by_id']


def upgrade():
    for column in _COLUMNS:
        op.create_index(op.f(f'ix_subscription_{column}'), 'subscription', [column], unique=False)


def downgrade():
    for column in _COLUMNS:
        op.drop_index(op.f(f'ix_subscription_{column}'), table_name='subscription')
