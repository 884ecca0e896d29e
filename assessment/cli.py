"""The ``assess`` console script: one argparse subcommand per task.

Every subcommand that touches the database reads ``development.ini`` unless ``--config``
names another file; the ``DATABASE_URL`` environment variable overrides the database.
Errors go to stderr with a non-zero exit status.

Every subcommand speaks the interface's default language of its ini file
(``pyramid.default_locale_name``, Chinese when the file is missing or says nothing);
``--lang zh|en`` overrides it. Human-readable lines go through the catalogs
(:func:`say`, :class:`CommandError`); machine outputs (JSON, CSV, hashes, ids) do not.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
import warnings

from assessment.core.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, Message, translate

DEFAULT_CONFIG = "development.ini"
FILE_PROBLEM = N_(
    "Cannot read or write {file}: check that it (or its folder) exists and that you may use it."
)
CONFIG_PROBLEM = N_("The configuration is not valid: {problem}")
DATABASE_URL_PROBLEM = N_(
    "The database URL is not valid: check the ini file or DATABASE_URL (for example "
    "sqlite:///var/assessment.sqlite or postgresql://user@host/name)."
)
DATABASE_PROBLEM = N_(
    "The database cannot be used: check its URL (the ini file or DATABASE_URL), that it is "
    "running, and that assess initdb has set it up."
)

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
    """A command cannot go on; the message is for the person at the terminal.

    Raised with a msgid and its values (``CommandError(N_("no plan {plan}"), plan=7)``), a
    :class:`Message` (or anything with ``render(language)``), or a list of them (every problem
    a service found); :func:`main` prints it in the command's language.
    """

    def __init__(self, message, /, **mapping) -> None:
        if isinstance(message, list):
            self.messages = tuple(message)
        elif isinstance(message, str):
            self.messages = (Message(message, mapping),)
        else:
            self.messages = (message,)
        super().__init__("\n".join(str(m) for m in self.messages))

    def render(self, language: str | None) -> str:
        return "\n".join(m.render(language) for m in self.messages)


def say(args, msgid: str, *, stream=None, **mapping) -> None:
    """Print ``msgid`` with its values in the command's language (``args.lang``)."""
    print(translate(msgid, args.lang, **mapping), file=stream)


def build_parser() -> argparse.ArgumentParser:
    from assessment.cli_args import TranslatedHelpFormatter

    parser = argparse.ArgumentParser(
        prog="assess",
        description=N_("exit-assessment commands"),
        formatter_class=TranslatedHelpFormatter,
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(subparsers)
    for command in subparsers.choices.values():
        if "--lang" not in command._option_string_actions:
            add_lang_option(command)
        command.formatter_class = TranslatedHelpFormatter
    return parser


def add_lang_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        help=N_("language of messages (default: the interface's default language in the ini)"),
    )


def configured_language(config_uri: str | None) -> str:
    """The interface's default language of ``config_uri``; Chinese when it cannot be read."""
    import configparser

    from pyramid.paster import get_appsettings

    try:
        settings = get_appsettings(config_uri or DEFAULT_CONFIG)
    except (OSError, LookupError, ValueError, configparser.Error):
        return DEFAULT_LANGUAGE
    language = settings.get("pyramid.default_locale_name", DEFAULT_LANGUAGE)
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def command_language(args) -> str:
    """``--lang`` when given, else the default language of the command's ini file."""
    return getattr(args, "lang", None) or configured_language(getattr(args, "config", None))


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        default=DEFAULT_CONFIG,
        help=N_("ini file (default %(default)s); DATABASE_URL overrides its database"),
    )


def add_round_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--round",
        type=int,
        dest="round_id",
        help=N_("assessment round id (default: the latest round of the county)"),
    )


def round_of(request, county, round_id: int | None):
    """The round named by ``--round`` (it must assess ``county``), or the county's latest."""
    from assessment.core.models import AssessmentRound
    from assessment.core.services import latest_round

    if round_id is None:
        return latest_round(request.dbsession, county)
    found = request.dbsession.get(AssessmentRound, round_id)
    if found is None or county not in found.counties:
        raise CommandError(
            N_("Round {round} does not assess county {county}."),
            round=round_id,
            county=county.code,
        )
    return found


@contextlib.contextmanager
def app_env(config_uri: str):
    """Bootstrap the app from ``config_uri`` and yield its request inside one transaction."""
    from pyramid.paster import bootstrap, setup_logging

    try:
        setup_logging(config_uri)
        env = bootstrap(config_uri)
    except FileNotFoundError as exc:
        raise CommandError(N_("Configuration file not found: {file}"), file=config_uri) from exc
    try:
        request = env["request"]
        with request.tm:
            yield request
    finally:
        env["closer"]()


def main(argv: list[str] | None = None) -> int:
    from assessment.cli_args import parse_in_language

    # A library's notice to its developers (pyramid imports pkg_resources), not to the user.
    warnings.filterwarnings("ignore", "pkg_resources is deprecated", UserWarning)

    args = parse_in_language(build_parser, sys.argv[1:] if argv is None else argv)
    args.lang = command_language(args)
    return run_command(args)


def run_command(args) -> int:
    """Run the parsed command; a refusal is printed in ``args.lang`` with status 2."""
    from sqlalchemy.exc import ArgumentError, OperationalError

    from assessment.core.settings import DatabaseURLError, SettingsError

    try:
        return int(args.func(args) or 0)
    except CommandError as exc:
        problem = exc.render(args.lang)
    except OSError as exc:  # a file named on the command line cannot be read or written
        problem = translate(FILE_PROBLEM, args.lang, file=str(exc.filename or ""))
    except OperationalError:  # no such database, server down, schema not created
        problem = translate(DATABASE_PROBLEM, args.lang)
    except (ArgumentError, DatabaseURLError):  # a URL that names no database we serve
        problem = translate(DATABASE_URL_PROBLEM, args.lang)
    except SettingsError as exc:  # the ini file (or the environment) has a bad value
        problem = translate(CONFIG_PROBLEM, args.lang, problem=str(exc))
    except KeyboardInterrupt:
        print(translate(N_("interrupted"), args.lang), file=sys.stderr)
        return 130
    print(f"assess {args.command}: {problem}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
