"""``simulate-fieldwork`` and ``close-fieldwork``: a county's fieldwork from the command line."""

from __future__ import annotations

import csv
from pathlib import Path

from assessment.core.cli import (
    CommandError,
    add_config_option,
    add_round_option,
    app_env,
    round_of,
    say,
)
from assessment.core.formatting import format_number
from assessment.core.i18n import N_

MAX_OUTCOME_BYTES = 50 * 2**20
FIELDWORK_COMPLETE = N_("Fieldwork complete: {resolved} of {planned} planned households resolved.")
FIELDWORK_OPEN = N_("Fieldwork not complete: {resolved} of {planned} planned households resolved.")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "simulate-fieldwork",
        help=N_("rehearse fieldwork: scripted outcomes per household through the real workflow"),
    )
    add_config_option(p)
    p.add_argument("--county", required=True, help=N_("county code"))
    p.add_argument(
        "--outcomes",
        required=True,
        type=Path,
        help=N_("CSV: household_id, contacted, wrongly_exited, missed, recognises, persons"),
    )
    p.add_argument("--approve", action="store_true", help=N_("approve the submitted interviews"))
    p.add_argument("--seed", type=int, default=20190601, help=N_("seed of the simulated answers"))
    add_round_option(p)
    p.set_defaults(func=simulate_fieldwork)

    p = subparsers.add_parser(
        "close-fieldwork", help=N_("close a county's fieldwork with households still open")
    )
    add_config_option(p)
    p.add_argument("--county", required=True, help=N_("county code"))
    p.add_argument("--reason", required=True, help=N_("why fieldwork is closed (recorded)"))
    p.add_argument("--user", help=N_("user name the closure is recorded under"))
    add_round_option(p)
    p.set_defaults(func=close_fieldwork)


def _county(request, code: str):
    from sqlalchemy import select

    from assessment.core.models import County

    county = request.dbsession.scalar(select(County).where(County.code == code))
    if county is None:
        raise CommandError(N_("There is no county with code {code}."), code=code)
    return county


def _plan(request, county, round_id):
    from sampling.services import current_plan

    chosen = round_of(request, county, round_id)
    plan = current_plan(request.dbsession, county, chosen.id if chosen else None)
    if plan is None:
        raise CommandError(
            N_("County {county} has no sampling plan; run assess draw first."), county=county.code
        )
    return plan, chosen


def _read_outcomes(path: Path):
    from surveys.simulation import OutcomeFileError, parse_outcomes

    if not path.is_file():
        raise CommandError(N_("No such outcomes file: {file}"), file=str(path))
    if path.stat().st_size > MAX_OUTCOME_BYTES:
        raise CommandError(
            N_("{file} is larger than {size} MB."),
            file=str(path),
            size=MAX_OUTCOME_BYTES // 2**20,
        )
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            return parse_outcomes(csv.DictReader(f))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise CommandError(N_("{file} is not a UTF-8 CSV file."), file=str(path)) from exc
    except OutcomeFileError as exc:
        raise CommandError(exc) from exc


def simulate_fieldwork(args) -> int:
    import numpy as np

    from assessment.core.errors import DomainError
    from surveys.fieldwork import FieldworkService
    from surveys.instrument_store import ensure_builtin_instruments
    from surveys.simulation import OutcomeFileError, ScriptedFieldwork

    outcomes = _read_outcomes(args.outcomes)
    with app_env(args.config) as request:
        county = _county(request, args.county)
        plan, chosen = _plan(request, county, args.round_id)
        assessment_round = plan.assessment_round or chosen
        if assessment_round is None:
            raise CommandError(N_("County {county} is in no assessment round."), county=county.code)
        ensure_builtin_instruments(request.dbsession)
        rehearsal = ScriptedFieldwork(
            request.dbsession,
            plan,
            rng=np.random.default_rng(args.seed),
            poverty_line=assessment_round.poverty_line,
        )
        try:
            tally = rehearsal.run(outcomes, approve=args.approve)
        except OutcomeFileError as exc:
            raise CommandError(exc) from exc
        except DomainError as exc:
            raise CommandError([m for m, _ in exc.problems]) from exc
        state = FieldworkService(request.dbsession).state(plan)
    say(
        args,
        N_(
            "Simulated fieldwork of {county} (plan version {version}, marked simulated): "
            "{interviewed} interviewed, {submitted} submitted, {approved} approved, "
            "{non_contacts} not contacted, {released} reserves released, {not_listed} due "
            "but not listed."
        ),
        county=county.code,
        version=plan.version,
        interviewed=format_number(tally.interviewed),
        submitted=format_number(tally.submitted),
        approved=format_number(tally.approved),
        non_contacts=format_number(tally.non_contacts),
        released=format_number(tally.reserves_released),
        not_listed=format_number(tally.not_listed),
    )
    say(
        args,
        FIELDWORK_COMPLETE if state.complete else FIELDWORK_OPEN,
        resolved=format_number(state.resolved),
        planned=format_number(state.planned),
    )
    return 0


def close_fieldwork(args) -> int:
    from sqlalchemy import select

    from assessment.core.errors import DomainError
    from assessment.core.models import User
    from surveys.fieldwork import FieldworkService

    with app_env(args.config) as request:
        county = _county(request, args.county)
        plan, _ = _plan(request, county, args.round_id)
        user = None
        if args.user:
            user = request.dbsession.scalar(select(User).where(User.username == args.user))
            if user is None:
                raise CommandError(N_("There is no user named {user}."), user=args.user)
        service = FieldworkService(request.dbsession)
        try:
            closure = service.close(plan, user, args.reason)
        except DomainError as exc:
            raise CommandError([m for m, _ in exc.problems]) from exc
        state = service.state(plan)
    say(
        args,
        N_(
            "Fieldwork of {county} (plan version {version}) closed {at}: {resolved} of "
            "{planned} planned households resolved."
        ),
        county=county.code,
        version=plan.version,
        at=f"{closure.closed_at:%Y-%m-%d %H:%M}",
        resolved=format_number(state.resolved),
        planned=format_number(state.planned),
    )
    return 0
