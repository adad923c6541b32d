"""one row per log-in: each device logs out on its own

The account-wide session stamp ended every device's session at any log-out, so
"Stay logged in" on a phone ended whenever a laptop logged out. Existing sessions
end with this upgrade: everyone logs in once more.

Revision ID: d2b8f4a6c913
Revises: c5f1a8e2d934
Create Date: 2026-12-07 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

import models.base


# revision identifiers, used by Alembic.
revision = 'd2b8f4a6c913'
down_revision = 'c5f1a8e2d934'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('user_agent', sa.String(length=200), nullable=False),
        sa.Column('remember', sa.Boolean(), nullable=False),
        sa.Column('created_at', models.base.UtcDateTime(), nullable=False),
        sa.Column('last_seen_at', models.base.UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('digest'),
    )
    with op.batch_alter_table('login_session') as batch_op:
        batch_op.create_index(batch_op.f('ix_login_session_user_id'), ['user_id'])
        batch_op.create_index(batch_op.f('ix_login_session_last_seen_at'), ['last_seen_at'])
    with op.batch_alter_table('user') as batch_op:
        batch_op.drop_column('session_stamp')


def downgrade():
    with op.batch_alter_table('user') as batch_op:
        batch_op.add_column(
            sa.Column('session_stamp', sa.String(length=32), nullable=False, server_default='')
        )
    with op.batch_alter_table('login_session') as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_session_last_seen_at'))
        batch_op.drop_index(batch_op.f('ix_login_session_user_id'))
    op.drop_table('login_session')
