"""``report``, ``report-province``, ``export``, ``indicators`` and ``refresh-results``."""

from __future__ import annotations

from pathlib import Path

from assessment.cli import CommandError, add_config_option, add_round_option, app_env, round_of


def register(subparsers) -> None:
    p = subparsers.add_parser("report", help="write a county evaluation report (PDF)")
    add_config_option(p)
    p.add_argument("--county", required=True, help="county code")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--lang", choices=["zh", "en"], default="zh")
    add_round_option(p)
    p.set_defaults(func=county_report)

    p = subparsers.add_parser("report-province", help="write a provincial summary (PDF)")
    add_config_option(p)
    p.add_argument("--province", required=True, help="province name")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--lang", choices=["zh", "en"], default="zh")
    p.add_argument(
        "--round",
        type=int,
        dest="round_id",
        help="assessment round id (default: the newest round listing a county of the province)",
    )
    p.set_defaults(func=province_report)

    p = subparsers.add_parser(
        "indicators", help="a county's verdict, fieldwork state, response and four indicators"
    )
    add_config_option(p)
    p.add_argument("--county", required=True, help="county code")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_round_option(p)
    p.set_defaults(func=indicators)

    p = subparsers.add_parser("export", help="export a county's approved survey data")
    add_config_option(p)
    p.add_argument("--county", required=True, help="county code")
    p.add_argument("--format", choices=["csv", "xlsx"], required=True)
    p.add_argument(
        "--out",
        required=True,
        type=Path,
        help="file; with csv, the members sheet and the codebook go beside it",
    )
    add_round_option(p)
    p.set_defaults(func=export)
    register_refresh(subparsers)


def register_refresh(subparsers) -> None:
    p = subparsers.add_parser(
        "refresh-results",
        help="recompute the stored results of every county of a round (after an upgrade)",
    )
    add_config_option(p)
    p.add_argument("--round", type=int, dest="round_id", help="round id (default: every round)")
    p.set_defaults(func=refresh_results)


def refresh_results(args) -> int:
    from sqlalchemy import select

    from assessment.models import AssessmentRound
    from reports.results import refresh_round

    with app_env(args.config) as request:
        if (
            args.round_id is not None
            and request.dbsession.scalar(
                select(AssessmentRound.id).where(AssessmentRound.id == args.round_id)
            )
            is None
        ):
            raise CommandError(f"there is no round {args.round_id}")
        count = refresh_round(request.dbsession, args.round_id)
    print(f"refreshed the stored results of {count} counties")
    return 0


def _county(request, code: str):
    from sqlalchemy import select

    from assessment.models import County

    county = request.dbsession.scalar(select(County).where(County.code == code))
    if county is None:
        raise CommandError(f"no county with code {code!r}")
    return county


def _font_path(request):
    return request.registry.app_settings.font_path


def county_report(args) -> int:
    from assessment.services import DomainError
    from reports.pdf import render_county_report
    from reports.services import county_snapshot

    with app_env(args.config) as request:
        county = _county(request, args.county)
        try:
            chosen = round_of(request, county, args.round_id)
            snap = county_snapshot(
                request.dbsession,
                county,
                lang=args.lang,
                round_id=chosen.id if args.round_id is not None else None,
            )
        except DomainError as exc:
            raise CommandError(exc.message.render("en")) from exc
        pdf = render_county_report(snap, lang=args.lang, font_path=_font_path(request))
    args.out.write_bytes(pdf)
    stage = " (interim)" if snap.interim else ""
    print(f"wrote {args.out} ({len(pdf):,} bytes): {county.code} {snap.verdict}{stage}")
    return 0


def province_report(args) -> int:
    from assessment.services import DomainError
    from reports.pdf import render_province_report
    from reports.services import province_snapshot

    with app_env(args.config) as request:
        try:
            snap = province_snapshot(request.dbsession, args.province, round_id=args.round_id)
        except DomainError as exc:
            raise CommandError(exc.message.render("en")) from exc
        pdf = render_province_report(snap, lang=args.lang, font_path=_font_path(request))
    args.out.write_bytes(pdf)
    print(f"wrote {args.out} ({len(pdf):,} bytes): {len(snap.counties)} counties")
    return 0


def export(args) -> int:
    from assessment import county_estimates as ce
    from reports.exports import write_codebook_csv, write_csv, write_xlsx
    from reports.survey_export import export_sheets, reproduction_notes

    with app_env(args.config) as request:
        county = _county(request, args.county)
        chosen = round_of(request, county, args.round_id)
        plan = ce.current_plan(
            request.dbsession, county, chosen.id if args.round_id is not None else None
        )
        data = ce.county_data(request.dbsession, county, plan) if plan else None
        if data is None or not data.rows:
            raise CommandError(f"county {county.code} has no approved interviews")
        sheets = export_sheets(request.dbsession, data)
        notes = reproduction_notes(data)
        if args.format == "xlsx":
            with args.out.open("wb") as out:
                counts = write_xlsx(list(sheets), out, notes=notes)
        else:
            stem = args.out.with_suffix("")
            with args.out.open("wb") as out:
                counts = {"households": write_csv(sheets[0], out)}
            for sheet in sheets[1:]:
                with Path(f"{stem}-{sheet.name}.csv").open("wb") as out:
                    counts[sheet.name] = write_csv(sheet, out)
            with Path(f"{stem}-codebook.csv").open("wb") as out:
                write_codebook_csv(sheets, out, notes)  # the codebook reads the columns only
    print(f"wrote {args.out}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    return 0


def _proportion(value) -> float | None:
    return None if value is None else float(value)


def indicators_json(snap) -> dict:
    """The ``indicators --json`` object of a county snapshot (proportions 0-1, null = none)."""
    return {
        "verdict": snap.verdict,
        "fieldwork_complete": bool(snap.fieldwork and snap.fieldwork.complete),
        "response_rates": {
            r.group: {
                "rate": _proportion(r.rate),
                "definition": r.definition,
                "due": r.fielded,
                "interviewed": r.interviewed,
                "not_reached": r.non_contacts,
                "open": r.open,
            }
            for r in snap.coverage.response
        },
        "indicators": {
            i.key: {
                "estimate": _proportion(i.estimate),
                "se": _proportion(i.se),
                "ci_low": _proportion(i.ci_low),
                "ci_high": _proportion(i.ci_high),
                "one_sided_bound": _proportion(i.one_sided_bound),
                "threshold": float(i.threshold),
                "official": i.verdict,
                "confidence": i.confidence,
                "probability_within": _proportion(i.prob_within),
            }
            for i in snap.indicators
        },
    }


def _percent(value) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


def indicators(args) -> int:
    import json

    from assessment.services import DomainError
    from reports.services import county_snapshot

    with app_env(args.config) as request:
        county = _county(request, args.county)
        try:
            chosen = round_of(request, county, args.round_id)
            snap = county_snapshot(
                request.dbsession, county, round_id=chosen.id if chosen else None
            )
        except DomainError as exc:
            raise CommandError(exc.message.render("en")) from exc
    data = indicators_json(snap)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, allow_nan=False, indent=2))
        return 0
    stage = "interim" if snap.interim else snap.state
    print(f"{county.code} {snap.county}: {data['verdict']} ({stage})")
    for key, i in data["indicators"].items():
        print(
            f"  {key:<20} {_percent(i['estimate']):>8}  "
            f"[{_percent(i['ci_low'])}, {_percent(i['ci_high'])}]  {i['official']}, "
            f"{i['confidence']}"
        )
    return 0
