"""Wiring of the Dash/Flask web app: factory, per-app context (snapshot reader, app database)."""
