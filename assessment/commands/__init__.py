"""Subcommands of the ``assess`` console script."""
