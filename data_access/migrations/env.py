"""Alembic's environment for the app database: run by data_access/migrate.py on a connection it passes in."""

from __future__ import annotations

from alembic import context


def run_migrations() -> None:
    config = context.config
    connection = config.attributes["connection"]
    context.configure(connection=connection, target_metadata=config.attributes.get("target_metadata"),
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
