"""session stamps, one administrator, EHLO name

Revision ID: 5d1a7f3c9e20
Revises: c38c2bad831f
Create Date: 2026-12-02 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1a7f3c9e20'
down_revision = 'c38c2bad831f'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('user', sa.Column('session_stamp', sa.String(length=32), nullable=False, server_default=''))
    random_stamp = (
        "lower(hex(randomblob(16)))"
        if op.get_bind().dialect.name == "sqlite"
        else "md5(random()::text || id::text)"
    )
    op.execute(f'UPDATE "user" SET session_stamp = {random_stamp}')
    # Set-up races could make several administrators; the first one stays.
    op.execute(
        'UPDATE "user" SET is_admin = false WHERE is_admin AND id <> '
        '(SELECT min(id) FROM "user" WHERE is_admin)'
    )
    op.create_index('user_one_admin', 'user', ['is_admin'], unique=True,
                    sqlite_where=sa.text('is_admin'), postgresql_where=sa.text('is_admin'))
    op.add_column('email_settings', sa.Column('ehlo_name', sa.String(length=253), nullable=False, server_default=''))


def downgrade():
    op.drop_column('email_settings', 'ehlo_name')
    op.drop_index('user_one_admin', table_name='user',
                  sqlite_where=sa.text('is_admin'), postgresql_where=sa.text('is_admin'))
    op.drop_column('user', 'session_stamp')
