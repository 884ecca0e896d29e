"""``report``, ``report-province``, ``export``, ``indicators`` and ``refresh-results``."""

from __future__ import annotations

from pathlib import Path

from assessment.core.cli import (
    CommandError,
    add_config_option,
    add_lang_option,
    add_round_option,
    app_env,
    round_of,
    say,
)
from assessment.core.formatting import format_number, format_percent
from assessment.core.i18n import N_, Message
from assessment.core.labels import (
    CONFIDENCE_LABELS,
    COUNTY_VERDICT_LABELS,
    INDICATOR_LABELS,
    OFFICIAL_LABELS,
    STAGE_LABELS,
)

FINAL_REPORT = N_("Wrote {out} ({size} bytes): {county}, {verdict}.")
INTERIM_REPORT = N_("Wrote {out} ({size} bytes): {county}, {verdict} (interim).")


def register(subparsers) -> None:
    p = subparsers.add_parser("report", help=N_("write a county evaluation report (PDF)"))
    add_config_option(p)
    p.add_argument("--county", required=True, help=N_("county code"))
    p.add_argument("--out", required=True, type=Path)
    add_lang_option(p)  # the report's language too
    add_round_option(p)
    p.set_defaults(func=county_report)

    p = subparsers.add_parser("report-province", help=N_("write a provincial summary (PDF)"))
    add_config_option(p)
    p.add_argument("--province", required=True, help=N_("province name"))
    p.add_argument("--out", required=True, type=Path)
    add_lang_option(p)  # the report's language too
    p.add_argument(
        "--round",
        type=int,
        dest="round_id",
        help=N_("assessment round id (default: the newest round listing a county of the province)"),
    )
    p.set_defaults(func=province_report)

    p = subparsers.add_parser(
        "indicators", help=N_("a county's verdict, fieldwork state, response and four indicators")
    )
    add_config_option(p)
    p.add_argument("--county", required=True, help=N_("county code"))
    p.add_argument("--json", action="store_true", help=N_("print one JSON object"))
    add_round_option(p)
    p.set_defaults(func=indicators)

    p = subparsers.add_parser("export", help=N_("export a county's approved survey data"))
    add_config_option(p)
    p.add_argument("--county", required=True, help=N_("county code"))
    p.add_argument("--format", choices=["csv", "xlsx"], required=True)
    p.add_argument(
        "--out",
        required=True,
        type=Path,
        help=N_("file; with csv, the members sheet and the codebook go beside it"),
    )
    add_round_option(p)
    p.set_defaults(func=export)
    register_refresh(subparsers)


def register_refresh(subparsers) -> None:
    p = subparsers.add_parser(
        "refresh-results",
        help=N_("recompute the stored results of every county of a round (after an upgrade)"),
    )
    add_config_option(p)
    p.add_argument("--round", type=int, dest="round_id", help=N_("round id (default: every round)"))
    p.set_defaults(func=refresh_results)


def refresh_results(args) -> int:
    from sqlalchemy import select

    from assessment.core.models import AssessmentRound
    from reports.results import refresh_round

    with app_env(args.config) as request:
        if (
            args.round_id is not None
            and request.dbsession.scalar(
                select(AssessmentRound.id).where(AssessmentRound.id == args.round_id)
            )
            is None
        ):
            raise CommandError(N_("There is no round {round}."), round=args.round_id)
        count = refresh_round(request.dbsession, args.round_id)
    say(args, N_("Stored results refreshed; counties: {count}."), count=count)
    return 0


def _county(request, code: str):
    from sqlalchemy import select

    from assessment.core.models import County

    county = request.dbsession.scalar(select(County).where(County.code == code))
    if county is None:
        raise CommandError(N_("There is no county with code {code}."), code=code)
    return county


def _font_path(request):
    return request.registry.app_settings.font_path


def county_report(args) -> int:
    from assessment.core.errors import DomainError
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
            raise CommandError([m for m, _ in exc.problems]) from exc
        pdf = render_county_report(snap, lang=args.lang, font_path=_font_path(request))
    args.out.write_bytes(pdf)
    say(
        args,
        INTERIM_REPORT if snap.interim else FINAL_REPORT,
        out=str(args.out),
        size=format_number(len(pdf)),
        county=county.code,
        verdict=_label(COUNTY_VERDICT_LABELS, snap.verdict),
    )
    return 0


def _label(labels: dict, code) -> Message | str:
    """A code's display name, or the code when it has none."""
    return Message(labels[code]) if code in labels else str(code)


def province_report(args) -> int:
    from assessment.core.errors import DomainError
    from reports.pdf import render_province_report
    from reports.province import province_snapshot

    with app_env(args.config) as request:
        try:
            snap = province_snapshot(request.dbsession, args.province, round_id=args.round_id)
        except DomainError as exc:
            raise CommandError([m for m, _ in exc.problems]) from exc
        pdf = render_province_report(snap, lang=args.lang, font_path=_font_path(request))
    args.out.write_bytes(pdf)
    say(
        args,
        N_("Wrote {out} ({size} bytes); counties: {count}."),
        out=str(args.out),
        size=format_number(len(pdf)),
        count=len(snap.counties),
    )
    return 0


def export(args) -> int:
    from assessment.core.exports import write_codebook_csv, write_csv, write_xlsx
    from reports import county_estimates as ce
    from reports.survey_export import export_sheets, reproduction_notes
    from sampling.services import current_plan

    with app_env(args.config) as request:
        county = _county(request, args.county)
        chosen = round_of(request, county, args.round_id)
        plan = current_plan(
            request.dbsession, county, chosen.id if args.round_id is not None else None
        )
        data = ce.county_data(request.dbsession, county, plan) if plan else None
        if data is None or not data.rows:
            raise CommandError(
                N_("County {county} has no approved interviews."), county=county.code
            )
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
    rows = [
        Message(N_("{sheet}: {count} rows"), {"sheet": sheet, "count": format_number(n)})
        for sheet, n in counts.items()
    ]
    say(args, N_("Wrote {out}: {rows}."), out=str(args.out), rows=rows)
    return 0


def _proportion(value) -> float | None:
    return None if value is None else float(value)


def _icc(snap) -> dict:
    """``{indicator: {"icc", "icc_source"}}`` of the rare rates (planning value in a snapshot
    taken before ρ was recorded)."""
    from assessment.indicators.model import RARE_RATE_ICC

    found = {r.indicator: r for r in snap.methods.rare_rate_icc}
    return {
        key: {
            "icc": found[key].value if key in found else RARE_RATE_ICC,
            "icc_source": found[key].source if key in found else "planning",
        }
        for key in ("wrongful_exit_rate", "missed_rate")
    }


def _sizes(snap) -> dict:
    """``{indicator: {"effective_size", "screening_model"}}`` of the rare rates: which effective
    size their interval rests on (``village_model`` with ``icc``; ``screening_census`` for
    漏评率 on the round's screening model, given as ``k_census``, ``rho_census``,
    ``k_unflagged``, ``rho_unflagged``; null in a snapshot taken before it was recorded)."""
    found = {r.indicator: r for r in snap.methods.rare_rate_icc}
    out = {}
    for i in snap.indicators:
        if i.key not in ("wrongful_exit_rate", "missed_rate"):
            continue
        record = found.get(i.key)
        model = record.screening_model if record is not None else None
        census = i.effective_size == "screening_census" and model is not None
        out[i.key] = {
            "effective_size": i.effective_size or None,
            "screening_model": (
                dict(zip(("k_census", "rho_census", "k_unflagged", "rho_unflagged"), model,
                         strict=True))
                if census else None
            ),
        }  # fmt: skip
    return out


def indicators_json(snap) -> dict:
    """The ``indicators --json`` object of a county snapshot (proportions 0-1, null = none;
    the rare rates also carry the ρ of their interval, ``icc``, and its ``icc_source``, and
    the effective size it rests on, ``effective_size`` and ``screening_model``)."""
    icc = _icc(snap)
    sizes = _sizes(snap)
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
                **icc.get(i.key, {}),
                **sizes.get(i.key, {}),
            }
            for i in snap.indicators
        },
    }


def _percent(value) -> str:
    return format_percent(value, 2)


def indicators(args) -> int:
    import json

    from assessment.core.errors import DomainError
    from reports.services import county_snapshot

    with app_env(args.config) as request:
        county = _county(request, args.county)
        try:
            chosen = round_of(request, county, args.round_id)
            snap = county_snapshot(
                request.dbsession, county, round_id=chosen.id if chosen else None
            )
        except DomainError as exc:
            raise CommandError([m for m, _ in exc.problems]) from exc
    data = indicators_json(snap)
    if args.json:  # for scripts: codes, the same in every language
        print(json.dumps(data, ensure_ascii=False, allow_nan=False, indent=2))
        return 0
    say(
        args,
        N_("{code} {county}: {verdict} ({stage})"),
        code=county.code,
        county=snap.county,
        verdict=_label(COUNTY_VERDICT_LABELS, data["verdict"]),
        stage=_label(STAGE_LABELS, "interim" if snap.interim else snap.state),
    )
    for key, i in data["indicators"].items():
        say(
            args,
            N_("  {indicator}: {estimate} [{low}, {high}], {official}, {confidence}"),
            indicator=_label(INDICATOR_LABELS, key),
            estimate=_percent(i["estimate"]),
            low=_percent(i["ci_low"]),
            high=_percent(i["ci_high"]),
            official=_label(OFFICIAL_LABELS, i["official"]),
            confidence=_label(CONFIDENCE_LABELS, i["confidence"]),
        )
    return 0
