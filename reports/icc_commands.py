"""``pool-icc``: the ρ of a round's rare-rate intervals, pooled from a round's counties."""

from __future__ import annotations

from assessment.core.cli import CommandError, add_config_option, add_lang_option, app_env, say
from assessment.core.formatting import format_number
from assessment.core.i18n import N_, Message
from assessment.core.labels import INDICATOR_LABELS


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "pool-icc",
        help=N_("pool the intra-village correlation ρ of the rare rates over a round's counties"),
    )
    add_config_option(p)
    p.add_argument("--round", type=int, dest="round_id", required=True, help=N_("round id"))
    p.add_argument(
        "--from-round",
        type=int,
        dest="from_round_id",
        help=N_("pool over this round's counties (default: the round's own)"),
    )
    p.add_argument(
        "--apply",
        action="store_true",
        help=N_("record the pooled ρ for the round (needs --reason)"),
    )
    p.add_argument(
        "--planning",
        action="store_true",
        help=N_("put the round back on the planning value of ρ (needs --reason)"),
    )
    p.add_argument(
        "--reason", help=N_("why the pooled ρ or the planning value is applied (recorded)")
    )
    p.add_argument("--user", help=N_("user name the change is recorded under"))
    add_lang_option(p)
    p.set_defaults(func=pool_icc)


def _round(request, round_id: int):
    from assessment.core.models import AssessmentRound

    found = request.dbsession.get(AssessmentRound, round_id)
    if found is None:
        raise CommandError(N_("There is no round {round}."), round=round_id)
    return found


def _user(request, name: str | None):
    from sqlalchemy import select

    from assessment.core.models import User

    if not name:
        return None
    user = request.dbsession.scalar(select(User).where(User.username == name))
    if user is None:
        raise CommandError(N_("There is no user named {user}."), user=name)
    return user


def pool_icc(args) -> int:
    from reports import icc

    if args.planning:
        return _to_planning(args)
    if args.apply and not (args.reason or "").strip():
        raise CommandError(N_("--apply needs --reason: why the pooled ρ is applied."))
    with app_env(args.config) as request:
        target = _round(request, args.round_id)
        source = _round(request, args.from_round_id or args.round_id)
        pooled = icc.pool(request.dbsession, source)
        _print(args, target, pooled)
        if not pooled.enough_counties:
            raise CommandError(
                N_(
                    "A pooled ρ needs at least {least} counties with complete fieldwork; "
                    "round {round} has {count}. The round keeps its ρ."
                ),
                least=icc.MIN_COUNTIES,
                round=source.name,
                count=pooled.complete,
            )
        if not args.apply:
            return 0
        said = _recorded(
            target,
            lambda: icc.apply(
                request.dbsession, target, pooled, _user(request, args.user), args.reason
            ),
        )
    return _say(args, said)


def _to_planning(args) -> int:
    """``--planning``: the round back on the planning value, recorded like ``--apply``."""
    from reports import icc

    if args.apply or args.from_round_id:
        raise CommandError(N_("--planning goes with neither --apply nor --from-round."))
    if not (args.reason or "").strip():
        raise CommandError(
            N_("--planning needs --reason: why the round goes back to the planning value.")
        )
    with app_env(args.config) as request:
        target = _round(request, args.round_id)
        said = _recorded(
            target,
            lambda: icc.to_planning(
                request.dbsession, target, _user(request, args.user), args.reason
            ),
        )
    return _say(args, said)


def _recorded(target, record) -> list:
    """What ``record()`` (:func:`reports.icc.apply` or ``to_planning``) did, to be said after
    the commit; its refusal as the command's."""
    from assessment.core.errors import DomainError
    from reports import icc

    try:
        rows = record()
    except DomainError as exc:
        raise CommandError([m for m, _ in exc.problems]) from exc
    return icc.applied_messages(target, rows)


def _say(args, said: list) -> int:
    for message in said:
        say(args, message.msgid, **message.mapping)
    return 0


def _print(args, target, pooled) -> None:
    from reports import icc
    from reports.county_estimates import round_icc

    say(
        args,
        N_("Round {source}: {complete} of {counties} counties with complete fieldwork."),
        source=pooled.source.name,
        complete=format_number(pooled.complete),
        counties=format_number(pooled.counties),
    )
    for indicator, found in pooled.values.items():
        values = {
            "indicator": Message(INDICATOR_LABELS[indicator]),
            "value": "—" if found.value != found.value else f"{found.value:.3f}",
            "counties": format_number(found.counties),
            "villages": format_number(found.villages),
            "households": format_number(found.households),
            "events": format_number(found.events),
            "current": f"{round_icc(target, indicator):.3f}",
        }
        say(
            args,
            N_(
                "  {indicator}: pooled ρ = {value} ({counties} counties, {villages} villages, "
                "{households} households, {events} events); in use: {current}"
            ),
            **values,
        )
        if pooled.enough_counties and not pooled.enough(indicator):
            say(
                args,
                N_("    Fewer than {least} events: not enough for a pooled ρ."),
                least=icc.MIN_EVENTS,
            )
    _print_screening(args, target, pooled)


def _print_screening(args, target, pooled) -> None:
    """漏评率's screening model: pooled now (or why not), and the one in force."""
    from reports import icc
    from reports.county_estimates import round_screening_model

    found = pooled.screening
    label = Message(INDICATOR_LABELS["missed_rate"])
    if found.model is not None:
        say(args, SCREENING_LINE, indicator=label, **_model_words(found.model),
            counties=format_number(found.counties), census=format_number(found.census_events),
            unflagged=format_number(found.unflagged_events))  # fmt: skip
    if not pooled.enough_screening:
        say(
            args,
            N_(
                "    The screening model needs {counties} complete counties with screening and "
                "{least} events in each group: {indicator} keeps the village model."
            ),
            counties=icc.MIN_SCREENING_COUNTIES,
            least=icc.MIN_EVENTS,
            indicator=label,
        )
    current = round_screening_model(target)
    if current is not None:
        say(args, N_("  {indicator} screening model in use: census k = {k_c}, ρ = {rho_c}; "
                     "unflagged k = {k_u}, ρ = {rho_u}"),
            indicator=label, **_model_words(current))  # fmt: skip


SCREENING_LINE = N_(
    "  {indicator} screening model: census k = {k_c}, ρ = {rho_c}; unflagged k = {k_u}, "
    "ρ = {rho_u} ({counties} counties with screening, {census} census events, {unflagged} "
    "unflagged events)"
)


def _model_words(model) -> dict:
    k_c, rho_c, k_u, rho_u = model
    return {"k_c": f"{k_c:.3f}", "rho_c": f"{rho_c:.3f}", "k_u": f"{k_u:.3f}",
            "rho_u": f"{rho_u:.3f}"}  # fmt: skip
