"""managed categories and payment methods, household members, replaced-by

Revision ID: c7d3a9e1f054
Revises: 8b4e2d6f1a37
Create Date: 2026-12-02 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c7d3a9e1f054'
down_revision = '8b4e2d6f1a37'
branch_labels = None
depends_on = None

_LISTS = [('category', 'category', 'category_id'), ('payment_method', 'payment_method', 'payment_method_id')]


def _list_table(name, *extra):
    op.create_table(name,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    *extra,
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'name', name=f'{name}_name_once')
    )
    op.create_index(op.f(f'ix_{name}_user_id'), name, ['user_id'], unique=False)


def upgrade():
    _list_table('category')
    _list_table('payment_method')
    _list_table('household_member', sa.Column('email', sa.String(length=254), nullable=False))
    with op.batch_alter_table('subscription') as batch:
        batch.add_column(sa.Column('category_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('payment_method_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('payer_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('replaced_by_id', sa.Integer(), nullable=True))
    # The free-text values become the accounts' lists, in alphabetical order.
    connection = op.get_bind()
    for table, text_column, id_column in _LISTS:
        rows = connection.execute(sa.text(
            f"SELECT DISTINCT user_id, {text_column} FROM subscription "
            f"WHERE {text_column} <> '' ORDER BY user_id, {text_column}"
        )).all()
        positions = {}
        for user_id, name in rows:
            positions[user_id] = positions.get(user_id, 0) + 1
            connection.execute(
                sa.text(f"INSERT INTO {table} (user_id, name, position) VALUES (:u, :n, :p)"),
                {"u": user_id, "n": name, "p": positions[user_id]},
            )
        connection.execute(sa.text(
            f"UPDATE subscription SET {id_column} = (SELECT t.id FROM {table} t "
            f"WHERE t.user_id = subscription.user_id AND t.name = subscription.{text_column})"
        ))
    with op.batch_alter_table('subscription') as batch:
        batch.drop_column('category')
        batch.drop_column('payment_method')
        batch.create_foreign_key('subscription_category_id_fkey', 'category', ['category_id'], ['id'], ondelete='SET NULL')
        batch.create_foreign_key('subscription_payment_method_id_fkey', 'payment_method', ['payment_method_id'], ['id'], ondelete='SET NULL')
        batch.create_foreign_key('subscription_payer_id_fkey', 'household_member', ['payer_id'], ['id'], ondelete='SET NULL')
        batch.create_foreign_key('subscription_replaced_by_id_fkey', 'subscription', ['replaced_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('subscription') as batch:
        batch.add_column(sa.Column('category', sa.String(length=50), nullable=False, server_default=''))
        batch.add_column(sa.Column('payment_method', sa.String(length=50), nullable=False, server_default=''))
    connection = op.get_bind()
    for table, text_column, id_column in _LISTS:
        connection.execute(sa.text(
            f"UPDATE subscription SET {text_column} = COALESCE((SELECT t.name FROM {table} t "
            f"WHERE t.id = subscription.{id_column}), '')"
        ))
    with op.batch_alter_table('subscription') as batch:
        batch.drop_constraint('subscription_replaced_by_id_fkey', type_='foreignkey')
        batch.drop_constraint('subscription_payer_id_fkey', type_='foreignkey')
        batch.drop_constraint('subscription_payment_method_id_fkey', type_='foreignkey')
        batch.drop_constraint('subscription_category_id_fkey', type_='foreignkey')
        batch.drop_column('replaced_by_id')
        batch.drop_column('payer_id')
        batch.drop_column('payment_method_id')
        batch.drop_column('category_id')
    for name in ('household_member', 'payment_method', 'category'):
        op.drop_index(op.f(f'ix_{name}_user_id'), table_name=name)
        op.drop_table(name)
