"""push channels, and a delivery record per reminder and channel

Each account may add channels (ntfy, Telegram, a webhook…). A reminder is now
identified by its channel as well, so each channel gets it exactly once. Existing
records are email's.

Revision ID: a4d9e2c7b513
Revises: f1c6b2d8e437
Create Date: 2026-12-04 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a4d9e2c7b513'
down_revision = 'f1c6b2d8e437'
branch_labels = None
depends_on = None

OLD_IDENTITY = ['subscription_id', 'payment_date', 'offset_days', 'kind']


def upgrade():
    op.create_table(
        'channel',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('settings', sa.Text(), nullable=False),
        sa.Column('secrets_encrypted', sa.LargeBinary(), nullable=True),
        sa.Column('trust', sa.String(length=8), nullable=False),
        sa.Column('ca_certificates', sa.Text(), nullable=False),
        sa.Column('only_categories', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("trust IN ('verify', 'ca', 'any')", name='channel_trust_known'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('channel') as batch_op:
        batch_op.create_index(batch_op.f('ix_channel_user_id'), ['user_id'], unique=False)
    op.create_table(
        'channel_category',
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['category_id'], ['category.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['channel_id'], ['channel.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('channel_id', 'category_id'),
    )
    with op.batch_alter_table('delivery') as batch_op:
        batch_op.add_column(
            sa.Column('channel', sa.String(length=24), server_default='email', nullable=False)
        )
        batch_op.add_column(
            sa.Column('channel_name', sa.String(length=100), server_default='Email', nullable=False)
        )
        batch_op.drop_constraint('delivery_reminder_once', type_='unique')
        batch_op.create_unique_constraint(
            'delivery_reminder_once', [*OLD_IDENTITY, 'channel']
        )


def downgrade():
    op.execute("DELETE FROM delivery WHERE channel <> 'email'")
    with op.batch_alter_table('delivery') as batch_op:
        batch_op.drop_constraint('delivery_reminder_once', type_='unique')
        batch_op.create_unique_constraint('delivery_reminder_once', OLD_IDENTITY)
        batch_op.drop_column('channel_name')
        batch_op.drop_column('channel')
    op.drop_table('channel_category')
    with op.batch_alter_table('channel') as batch_op:
        batch_op.drop_index(batch_op.f('ix_channel_user_id'))
    op.drop_table('channel')
