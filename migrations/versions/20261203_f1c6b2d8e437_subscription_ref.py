"""a stable reference on each subscription, for export, restore and imports

A subscription keeps its ref through export and restore, and one imported from
Wallos carries Wallos's id in it, so importing the same file twice adds nothing.

Revision ID: f1c6b2d8e437
Revises: e8a4c2f6b019
Create Date: 2026-12-03 09:00:00.000000

"""
import uuid

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f1c6b2d8e437'
down_revision = 'e8a4c2f6b019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('subscription') as batch_op:
        batch_op.add_column(sa.Column('ref', sa.String(length=80), nullable=True))
    connection = op.get_bind()
    subscription = sa.table('subscription', sa.column('id', sa.Integer), sa.column('ref', sa.String))
    for (subscription_id,) in connection.execute(sa.select(subscription.c.id)).all():
        connection.execute(
            subscription.update()
            .where(subscription.c.id == subscription_id)
            .values(ref=uuid.uuid4().hex)
        )
    with op.batch_alter_table('subscription') as batch_op:
        batch_op.alter_column('ref', existing_type=sa.String(length=80), nullable=False)
        batch_op.create_unique_constraint('subscription_ref_once', ['user_id', 'ref'])


def downgrade():
    with op.batch_alter_table('subscription') as batch_op:
        batch_op.drop_constraint('subscription_ref_once', type_='unique')
        batch_op.drop_column('ref')
