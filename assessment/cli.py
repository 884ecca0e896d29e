"""The ``assess`` console script: one argparse subcommand per task.

Every subcommand that touches the database reads ``development.ini`` unless ``--config``
names another file; the ``DATABASE_URL`` environment variable overrides the database.
Errors go to stderr with a non-zero exit status.

Every subcommand speaks the interface's default language of its ini file
(``pyramid.default_locale_name``, Chinese when the file is missing or says nothing);
``--lang zh|en`` overrides it. Human-readable lines go through the catalogs
(:func:`~assessment.core.cli.say`, :class:`~assessment.core.cli.CommandError`); machine
outputs (JSON, CSV, hashes, ids) do not. The subcommands' toolkit is
:mod:`assessment.core.cli`; this module only gathers them and runs one.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings

from assessment.core.cli import (
    CONFIG_PROBLEM,
    DATABASE_PROBLEM,
    DATABASE_URL_PROBLEM,
    FILE_PROBLEM,
    CommandError,
    TranslatedHelpFormatter,
    add_lang_option,
    command_language,
    parse_in_language,
)
from assessment.core.i18n import N_, translate

# Modules that contribute subcommands through ``register(subparsers)``.
COMMAND_MODULES = (
    "assessment.commands.core",
    "assessment.commands.estimate",
    "assessment.commands.backup",
    "assessment.commands.partition",
    "sampling.commands",
    "surveys.commands",
    "reports.commands",
    "reports.icc_commands",
)


def build_parser() -> argparse.ArgumentParser:
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


def main(argv: list[str] | None = None) -> int:
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
