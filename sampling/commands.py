"""``import-frame``, ``draw``, ``verify-draw`` and ``export-plan``."""

from __future__ import annotations

import sys
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
from assessment.core.formatting import format_number
from assessment.core.i18n import N_, Message, translate

REJECTED = N_("{file} was rejected: {count} problems; nothing imported.")
MATCHES = N_("matches")
DIFFERS = N_("differs")
IMPORTED = N_(
    "Frame {frame} (county {county}, version {version}): {households} households, "
    "{persons} persons."
)


def register(subparsers) -> None:
    p = subparsers.add_parser("import-frame", help=N_("import a county household frame (CSV/XLSX)"))
    add_config_option(p)
    p.add_argument("file", type=Path)
    p.add_argument("--county", required=True, help=N_("county code"))
    p.add_argument("--county-name", help=N_("name when the county is new"))
    p.add_argument("--province", default="未指定省份", help=N_("province when the county is new"))
    p.add_argument("--western", action="store_true", help=N_("a new county is in the west (3%%)"))
    p.add_argument("--encoding", help=N_("text encoding of a CSV file (detected when omitted)"))
    add_lang_option(p)
    p.set_defaults(func=import_frame)
    register_plans(subparsers)


def _progress_bar(label: str, unit: str):
    from tqdm import tqdm

    bar = tqdm(desc=label, unit=f" {unit}", file=sys.stderr, disable=None)

    def update(done: int) -> None:
        bar.update(done - bar.n)

    return bar, update


def import_frame(args) -> int:
    from assessment.core.services import ensure_county
    from sampling.services import FrameService, frame_limits

    if not args.file.is_file():
        raise CommandError(N_("No such file: {file}"), file=str(args.file))
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
        lang = args.lang
        bar, update = _progress_bar(translate(N_("reading"), lang), translate(N_("rows"), lang))
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
    p = subparsers.add_parser("draw", help=N_("commit to and draw a sampling plan for a county"))
    add_config_option(p)
    p.add_argument("--county", required=True, help=N_("county code"))
    p.add_argument("--design", required=True, type=Path, help=N_("design JSON file"))
    p.add_argument(
        "--seed", help=N_("64 hex digits (e.g. from a public ceremony); random if omitted")
    )
    p.add_argument("--reason", help=N_("why the county is drawn again (required for a re-draw)"))
    p.add_argument(
        "--discard-fieldwork",
        action="store_true",
        help=N_(
            "re-draw although the current plan has interviews: they are archived (kept, "
            "left out of every estimate)"
        ),
    )
    p.add_argument("--frame", type=int, help=N_("frame id (default: the county's latest frame)"))
    add_round_option(p)
    p.set_defaults(func=draw_plan)

    p = subparsers.add_parser("verify-draw", help=N_("re-run a plan's draw and compare"))
    add_config_option(p)
    p.add_argument("plan", type=int)
    p.set_defaults(func=verify_draw)

    p = subparsers.add_parser("export-plan", help=N_("write a plan's households to CSV or XLSX"))
    add_config_option(p)
    p.add_argument("plan", type=int)
    p.add_argument("--format", choices=["csv", "xlsx"], required=True)
    p.add_argument("--out", required=True, type=Path)
    p.set_defaults(func=export_plan)


def _county(request, code: str):
    from sqlalchemy import select

    from assessment.core.models import County

    county = request.dbsession.scalar(select(County).where(County.code == code))
    if county is None:
        raise CommandError(N_("There is no county with code {code}."), code=code)
    return county


def draw_plan(args) -> int:
    from assessment.core.errors import DomainError
    from sampling.models import Frame
    from sampling.plans import PlanService
    from sampling.services import FrameService

    if not args.design.is_file():
        raise CommandError(N_("No such design file: {file}"), file=str(args.design))
    with app_env(args.config) as request:
        county = _county(request, args.county)
        if args.frame:
            frame = request.dbsession.get(Frame, args.frame)
            if frame is None or frame.county_id != county.id:
                raise CommandError(
                    N_("Frame {frame} is not a frame of county {county}."),
                    frame=args.frame,
                    county=county.code,
                )
        else:
            frames = FrameService(request.dbsession).frames_of(county)
            if not frames:
                raise CommandError(
                    N_("County {county} has no frame; run assess import-frame first."),
                    county=county.code,
                )
            frame = frames[0]
        try:
            design_text = args.design.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise CommandError(
                N_("{file} is not a UTF-8 text file."), file=str(args.design)
            ) from exc
        try:
            plan = PlanService(request.dbsession).draw(
                frame,
                design_text,
                seed_hex=args.seed,
                reason=args.reason,
                assessment_round=round_of(request, county, args.round_id),
                discard_fieldwork=args.discard_fieldwork,
            )
        except DomainError as exc:
            raise CommandError([m for m, _ in exc.problems]) from exc
        say(
            args,
            N_("Commitment {commitment} recorded {at}."),
            commitment=plan.commitment,
            at=f"{plan.committed_at:%Y-%m-%d %H:%M:%S}",
        )
        say(args, N_("Seed {seed}"), seed=plan.seed_hex)
        say(
            args,
            N_("Plan version {version} of county {county}, frame {frame} ({hash})."),
            version=plan.version,
            county=county.code,
            frame=frame.id,
            hash=frame.content_hash,
        )
        print(plan.id)  # for scripts: the plan id alone on the last line
    return 0


def verify_draw(args) -> int:
    from sampling.models import SamplePlan
    from sampling.plans import PlanService

    with app_env(args.config) as request:
        plan = request.dbsession.get(SamplePlan, args.plan)
        if plan is None:
            raise CommandError(N_("There is no plan {plan}."), plan=args.plan)
        result = PlanService(request.dbsession).verify(plan)
    if result.identical:
        say(
            args,
            N_("Identical: plan {plan}, {count} households re-drawn the same."),
            plan=args.plan,
            count=format_number(result.stored),
        )
        return 0
    say(
        args,
        N_(
            "DIFFERENT: plan {plan}: {count} households differ; frame hash {frame_hash}, "
            "commitment {commitment}."
        ),
        plan=args.plan,
        count=format_number(result.differences),
        frame_hash=Message(MATCHES if result.frame_hash_ok else DIFFERS),
        commitment=Message(MATCHES if result.commitment_ok else DIFFERS),
    )
    return 1


def export_plan(args) -> int:
    from assessment.core.exports import write_csv, write_xlsx
    from sampling.exports import plan_sheet
    from sampling.models import SamplePlan
    from sampling.plans import PlanService

    with app_env(args.config) as request:
        plan = request.dbsession.get(SamplePlan, args.plan)
        if plan is None:
            raise CommandError(N_("There is no plan {plan}."), plan=args.plan)
        sheet = plan_sheet(PlanService(request.dbsession).export_rows(plan))
        with args.out.open("wb") as out:
            if args.format == "csv":
                rows = write_csv(sheet, out)
            else:
                rows = write_xlsx([sheet], out)["plan"]
    say(
        args,
        N_("Wrote {count} households to {file}."),
        count=format_number(rows),
        file=str(args.out),
    )
    return 0
