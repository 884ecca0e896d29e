"""The toolkit of the ``assess`` subcommands, in the command's language.

Every feature's ``commands`` module builds on it: the shared options (``--config``,
``--lang``, ``--round``), :class:`CommandError` and :func:`say`, the app's environment for a
command (:func:`app_env`), and argparse's own words (usage, errors, help headings) in the
command's language.

argparse looks its messages up through the module-level ``gettext`` of :mod:`argparse` when
it builds a parser and when it reports an error; :func:`parse_in_language` builds and parses
with those two names pointing at the assessment catalog of the language the command line asks
for (``--lang``, else the default language of the ``--config`` file). The msgids below are
argparse's own (Python 3.11), listed so that Babel extracts them into the catalog.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator, Sequence

from assessment.core.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    N_,
    Message,
    translate,
    translations_for,
)

ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
    N_("ignored explicit argument %r"),
)


class TranslatedHelpFormatter(argparse.HelpFormatter):
    """Help texts and descriptions (msgids) in the language argparse speaks at the time."""

    def _get_help_string(self, action) -> str | None:
        return argparse._(action.help) if action.help else action.help

    def _format_text(self, text: str) -> str:
        return super()._format_text(argparse._(text) if text else text)


def requested_language(argv: Sequence[str]) -> str:
    """The language the command line asks for, before the full parser has run."""
    scan = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    scan.add_argument("--lang")
    scan.add_argument("--config")
    found, _ = scan.parse_known_args(list(argv))
    if found.lang in LANGUAGES:
        return found.lang
    return configured_language(found.config)


@contextlib.contextmanager
def argparse_language(language: str) -> Iterator[None]:
    """argparse's messages in ``language`` for the duration of the block."""
    catalog = translations_for(language)
    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = catalog.gettext, catalog.ngettext
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


def parse_in_language(
    build: Callable[[], argparse.ArgumentParser], argv: Sequence[str]
) -> argparse.Namespace:
    """Build the parser and parse ``argv`` with argparse speaking the requested language."""
    with argparse_language(requested_language(argv)):
        return build().parse_args(list(argv))


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
