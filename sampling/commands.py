"""``import-frame``, ``draw``, ``verify-draw`` and ``export-plan``."""

from __future__ import annotations

import sys
from pathlib import Path

from assessment.cli import CommandError, add_config_option, app_env


def register(subparsers) -> None:
    p = subparsers.add_parser("import-frame", help="import a county household frame (CSV/XLSX)")
    add_config_option(p)
    p.add_argument("file", type=Path)
    p.add_argument("--county", required=True, help="county code")
    p.add_argument("--county-name", help="name when the county is new")
    p.add_argument("--province", default="未指定省份", help="province when the county is new")
    p.add_argument("--western", action="store_true", help="a new county is in the west (3%%)")
    p.add_argument("--encoding", help="text encoding of a CSV file (detected when omitted)")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of messages")
    p.set_defaults(func=import_frame)


def _progress_bar(label: str):
    from tqdm import tqdm

    bar = tqdm(desc=label, unit=" rows", file=sys.stderr, disable=None)

    def update(done: int) -> None:
        bar.update(done - bar.n)

    return bar, update


def import_frame(args) -> int:
    from assessment.demo import ensure_county
    from sampling.services import FrameService

    if not args.file.is_file():
        raise CommandError(f"no such file: {args.file}")
    with app_env(args.config) as request:
        county = ensure_county(
            request.dbsession,
            args.county,
            args.county_name or args.county,
            args.province,
            western=args.western,
        )
        bar, update = _progress_bar("reading")
        with bar:
            outcome = FrameService(request.dbsession).import_file(
                county, args.file, args.file.name, encoding=args.encoding, progress=update
            )
        result = outcome.result
        if outcome.frame is None:
            for issue in result.issues:
                print(issue.message.render(args.lang), file=sys.stderr)
            more = result.issue_count - len(result.issues)
            if more > 0:
                print(f"… {more} more", file=sys.stderr)
            raise CommandError(
                f"{args.file} rejected: {result.issue_count} problems; nothing imported"
            )
        frame = outcome.frame
        print(
            f"frame {frame.id} (county {county.code}, version {frame.version}): "
            f"{frame.households} households, {frame.persons} persons"
        )
        print(f"sha256 {frame.content_hash}")
    return 0
