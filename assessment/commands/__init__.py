"""Subcommands of the ``assess`` console script, each with ``register(subparsers)``."""
