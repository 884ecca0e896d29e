"""``import-frame``, ``draw``, ``verify-draw`` and ``export-plan``."""

from __future__ import annotations

import sys
from pathlib import Path

from assessment.cli import CommandError, add_config_option, add_round_option, app_env, round_of
from assessment.formatting import format_number
from assessment.i18n import N_, translate

REJECTED = N_("{file} was rejected: {count} problems; nothing imported.")
IMPORTED = N_(
    "Frame {frame} (county {county}, version {version}): {households} households, "
    "{persons} persons."
)


def register(subparsers) -> None:
    p = subparsers.add_parser("import-frame", help="import a county household frame (CSV/XLSX)")
    add_config_option(p)
    p.add_argument("file", type=Path)
    p.add_argument("--county", required=True, help="county code")
    p.add_argument("--county-name", help="name when the county is new")
    p.add_argument("--province", default="未指定省份", help="province when the county is new")
    p.add_argument("--western", action="store_true", help="a new county is in the west (3%%)")
    p.add_argument("--encoding", help="text encoding of a CSV file (detected when omitted)")
    p.add_argument(
        "--lang",
        choices=["zh", "en"],
        help="language of messages (default: the interface's default language in the ini)",
    )
    p.set_defaults(func=import_frame)
    register_plans(subparsers)


def _progress_bar(label: str):
    from tqdm import tqdm

    bar = tqdm(desc=label, unit=" rows", file=sys.stderr, disable=None)

    def update(done: int) -> None:
        bar.update(done - bar.n)

    return bar, update


def import_frame(args) -> int:
    from assessment.demo import ensure_county
    from sampling.services import FrameService, frame_limits

    if not args.file.is_file():
        raise CommandError(f"no such file: {args.file}")
    with app_env(args.config) as request:

        def county():  # created only once the file is accepted
            return ensure_county(
                request.dbsession,
                args.county,
                args.county_name or args.county,
                args.province,
                western=args.western,
            )

        limits = frame_limits(request.registry.app_settings)
        service = FrameService(request.dbsession, limits=limits, isolated=True)
        lang = args.lang or request.registry.app_settings.default_language
        bar, update = _progress_bar(translate(N_("reading"), lang))
        with bar:
            outcome = service.import_file(
                county, args.file, args.file.name, encoding=args.encoding, progress=update
            )
        result = outcome.result
        if outcome.frame is None:
            for issue in result.issues:
                print(issue.message.render(lang), file=sys.stderr)
            more = result.issue_count - len(result.issues)
            if more > 0:
                print(translate(N_("… and {count} more."), lang, count=more), file=sys.stderr)
            raise CommandError(
                translate(REJECTED, lang, file=str(args.file), count=result.issue_count)
            )
        frame = outcome.frame
        print(
            translate(
                IMPORTED,
                lang,
                frame=frame.id,
                county=frame.county.code,
                version=frame.version,
                households=format_number(frame.households),
                persons=format_number(frame.persons),
            )
        )
        print(f"sha256 {frame.content_hash}")  # for scripts: the same in every language
    return 0


def register_plans(subparsers) -> None:
    p = subparsers.add_parser("draw", help="commit to and draw a sampling plan for a county")
    add_config_option(p)
    p.add_argument("--county", required=True, help="county code")
    p.add_argument("--design", required=True, type=Path, help="design JSON file")
    p.add_argument("--seed", help="64 hex digits (e.g. from a public ceremony); random if omitted")
    p.add_argument("--reason", help="why the county is drawn again (required for a re-draw)")
    p.add_argument(
        "--discard-fieldwork",
        action="store_true",
        help="re-draw although the current plan has interviews: they are archived (kept, "
        "left out of every estimate)",
    )
    p.add_argument("--frame", type=int, help="frame id (default: the county's latest frame)")
    add_round_option(p)
    p.set_defaults(func=draw_plan)

    p = subparsers.add_parser("verify-draw", help="re-run a plan's draw and compare")
    add_config_option(p)
    p.add_argument("plan", type=int)
    p.set_defaults(func=verify_draw)

    p = subparsers.add_parser("export-plan", help="write a plan's households to CSV or XLSX")
    add_config_option(p)
    p.add_argument("plan", type=int)
    p.add_argument("--format", choices=["csv", "xlsx"], required=True)
    p.add_argument("--out", required=True, type=Path)
    p.set_defaults(func=export_plan)


def _county(request, code: str):
    from sqlalchemy import select

    from assessment.models import County

    county = request.dbsession.scalar(select(County).where(County.code == code))
    if county is None:
        raise CommandError(f"no county with code {code!r}")
    return county


def draw_plan(args) -> int:
    from assessment.services import DomainError
    from sampling.models import Frame
    from sampling.plans import PlanService
    from sampling.services import FrameService

    if not args.design.is_file():
        raise CommandError(f"no such design file: {args.design}")
    with app_env(args.config) as request:
        county = _county(request, args.county)
        if args.frame:
            frame = request.dbsession.get(Frame, args.frame)
            if frame is None or frame.county_id != county.id:
                raise CommandError(f"frame {args.frame} is not a frame of {county.code}")
        else:
            frames = FrameService(request.dbsession).frames_of(county)
            if not frames:
                raise CommandError(f"county {county.code} has no frame; run import-frame first")
            frame = frames[0]
        try:
            plan = PlanService(request.dbsession).draw(
                frame,
                args.design.read_text(encoding="utf-8"),
                seed_hex=args.seed,
                reason=args.reason,
                assessment_round=round_of(request, county, args.round_id),
                discard_fieldwork=args.discard_fieldwork,
            )
        except DomainError as exc:
            lang = request.registry.app_settings.default_language
            raise CommandError("\n".join(m.render(lang) for m, _ in exc.problems)) from exc
        print(f"commitment {plan.commitment} recorded {plan.committed_at:%Y-%m-%d %H:%M:%S}")
        print(f"seed {plan.seed_hex}")
        print(
            f"plan version {plan.version} of {county.code}, frame {frame.id} ({frame.content_hash})"
        )
        print(plan.id)
    return 0


def verify_draw(args) -> int:
    from sampling.models import SamplePlan
    from sampling.plans import PlanService

    with app_env(args.config) as request:
        plan = request.dbsession.get(SamplePlan, args.plan)
        if plan is None:
            raise CommandError(f"no plan {args.plan}")
        result = PlanService(request.dbsession).verify(plan)
    if result.identical:
        print(f"identical: plan {args.plan}, {result.stored} households re-drawn the same")
        return 0
    print(
        f"DIFFERENT: plan {args.plan}: {result.differences} differing households; "
        f"frame hash ok={result.frame_hash_ok}, commitment ok={result.commitment_ok}"
    )
    return 1


def export_plan(args) -> int:
    from reports.exports import write_csv, write_xlsx
    from sampling.exports import plan_sheet
    from sampling.models import SamplePlan
    from sampling.plans import PlanService

    with app_env(args.config) as request:
        plan = request.dbsession.get(SamplePlan, args.plan)
        if plan is None:
            raise CommandError(f"no plan {args.plan}")
        sheet = plan_sheet(PlanService(request.dbsession).export_rows(plan))
        with args.out.open("wb") as out:
            if args.format == "csv":
                rows = write_csv(sheet, out)
            else:
                rows = write_xlsx([sheet], out)["plan"]
    print(f"wrote {rows} households to {args.out}")
    return 0
