"""OAuth 2.0 for SMTP: settings and tokens

Revision ID: 8b4e2d6f1a37
Revises: 5d1a7f3c9e20
Create Date: 2026-12-02 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import models.base


# revision identifiers, used by Alembic.
revision = '8b4e2d6f1a37'
down_revision = '5d1a7f3c9e20'
branch_labels = None
depends_on = None

_TEXT_COLUMNS = [
    ('auth_method', 8, 'password'),
    ('oauth_provider', 16, 'microsoft'),
    ('oauth_flow', 8, 'browser'),
    ('oauth_client_id', 255, ''),
    ('oauth_tenant', 100, ''),
    ('oauth_sign_in', 254, ''),
    ('oauth_authorize_url', 500, ''),
    ('oauth_token_url', 500, ''),
    ('oauth_device_url', 500, ''),
    ('oauth_scopes', 500, ''),
]


def upgrade():
    with op.batch_alter_table('email_settings') as batch:
        for name, length, default in _TEXT_COLUMNS:
            batch.add_column(sa.Column(name, sa.String(length=length), nullable=False, server_default=default))
        batch.add_column(sa.Column('oauth_client_secret_encrypted', sa.LargeBinary(), nullable=True))
        batch.create_check_constraint('email_settings_auth_method_known', "auth_method IN ('password', 'oauth')")
    op.create_table('oauth_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('settings_id', sa.Integer(), nullable=False),
    sa.Column('access_token_encrypted', sa.LargeBinary(), nullable=False),
    sa.Column('refresh_token_encrypted', sa.LargeBinary(), nullable=True),
    sa.Column('expires_at', models.base.UtcDateTime(), nullable=False),
    sa.Column('refresh_issued_at', models.base.UtcDateTime(), nullable=False),
    sa.Column('connected_as', sa.String(length=254), nullable=False),
    sa.Column('reconnect_needed', sa.Boolean(), nullable=False),
    sa.Column('reconnect_reason', sa.String(length=500), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('refreshing_until', models.base.UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['settings_id'], ['email_settings.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('settings_id')
    )


def downgrade():
    op.drop_table('oauth_token')
    with op.batch_alter_table('email_settings') as batch:
        batch.drop_constraint('email_settings_auth_method_known', type_='check')
        batch.drop_column('oauth_client_secret_encrypted')
        for name, _, _ in reversed(_TEXT_COLUMNS):
            batch.drop_column(name)
