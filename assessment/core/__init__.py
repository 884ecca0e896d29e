"""The base every feature stands on: db, settings, security, i18n, errors, users and teams.

It imports no feature package (sampling, surveys, reports, appeals, backchecks) and no module
of the shell (app, routes, cli, demo); tests/test_layering.py keeps it so.
"""
