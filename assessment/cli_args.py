"""argparse's own words (usage, errors, help headings) in the command's language.

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

from assessment.core.i18n import LANGUAGES, N_, translations_for

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
    from assessment.cli import configured_language

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
