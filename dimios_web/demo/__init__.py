"""The demo data of `make run` (``manage.py load_demo_data``), in one place: a demo municipality with
departments and staff of every role (``load``), three years of closed rounds with results and other
municipalities to compare with (``results``), this autumn's open round (``open_round``), and the login
settings with the platform admin's authenticator (``identity``).

The top layer of the import contract (pyproject.toml): it writes through every app's models and services,
and nothing imports it but its management commands. Idempotent: keyed on natural keys.
(Nothing is imported here: this package is also an installed app, imported before the models are ready.)"""
