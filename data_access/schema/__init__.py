"""SQLAlchemy table definitions: the two source databases and the dashboard's own app database."""
