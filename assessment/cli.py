"""The ``assess`` console script: one argparse subcommand per task.

Every subcommand that touches the database reads ``development.ini`` unless ``--config``
names another file; the ``DATABASE_URL`` environment variable overrides the database.
Errors go to stderr with a non-zero exit status.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys

DEFAULT_CONFIG = "development.ini"

# Modules that contribute subcommands through ``register(subparsers)``.
COMMAND_MODULES = (
    "assessment.commands.core",
    "assessment.commands.estimate",
    "assessment.commands.backup",
    "assessment.commands.partition",
    "sampling.commands",
    "surveys.commands",
    "reports.commands",
)


class CommandError(Exception):
    """A command cannot go on; the message is for the person at the terminal."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assess", description="exit-assessment commands")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(subparsers)
    return parser


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        default=DEFAULT_CONFIG,
        help=f"ini file (default {DEFAULT_CONFIG}); DATABASE_URL overrides its database",
    )


def add_round_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--round",
        type=int,
        dest="round_id",
        help="assessment round id (default: the latest round of the county)",
    )


def round_of(request, county, round_id: int | None):
    """The round named by ``--round`` (it must assess ``county``), or the county's latest."""
    from assessment.models import AssessmentRound
    from assessment.services import latest_round

    if round_id is None:
        return latest_round(request.dbsession, county)
    found = request.dbsession.get(AssessmentRound, round_id)
    if found is None or county not in found.counties:
        raise CommandError(f"round {round_id} does not assess county {county.code}")
    return found


@contextlib.contextmanager
def app_env(config_uri: str):
    """Bootstrap the app from ``config_uri`` and yield its request inside one transaction."""
    from pyramid.paster import bootstrap, setup_logging

    try:
        setup_logging(config_uri)
        env = bootstrap(config_uri)
    except FileNotFoundError as exc:
        raise CommandError(f"configuration file not found: {config_uri}") from exc
    try:
        request = env["request"]
        with request.tm:
            yield request
    finally:
        env["closer"]()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CommandError as exc:
        print(f"assess {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
