"""``assess estimate``: design-based estimates from an exported CSV or XLSX file, no database.

Conventions follow R's ``survey`` package (``svydesign``/``svymean``): ``--cluster`` and
``--fpc`` take comma-separated columns, first stage first; an FPC column holds population sizes,
or sampling fractions when all its values are at most 1; without ``--fpc`` the with-replacement
(ultimate-cluster) variance; without ``--weight`` the weights come from the FPCs. ``--domain``
is an expression on columns (``stype == 'E' and enroll > 100``), parsed with :mod:`ast` and never
evaluated as Python. Missing values of the variable are left out (R's ``na.rm=TRUE``).
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import math
import sys
import warnings
from pathlib import Path

import numpy as np

from assessment import estimation as est
from assessment.core.i18n import N_, Message, translate

STATS = ("mean", "total", "proportion", "ratio")
# The docstring above, for the person reading ``assess estimate --help``.
DESCRIPTION = N_(
    "Design-based estimates from an exported CSV or XLSX file, no database. Conventions "
    "follow R's survey package (svydesign, svymean): --cluster and --fpc take "
    "comma-separated columns, first stage first; an FPC column holds population sizes, or "
    "sampling fractions when all its values are at most 1; without --fpc the "
    "with-replacement (ultimate-cluster) variance; without --weight the weights come from "
    "the FPCs. --domain is an expression on columns (stype == 'E' and enroll > 100), never "
    "evaluated as Python. Missing values of the variable are left out (R's na.rm=TRUE)."
)
FIELDS = ("group", "category", "estimate", "se", "ci_low", "ci_high", "deff", "df", "n", "method")


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``estimate`` subcommand to an argparse ``subparsers`` object."""
    parser = subparsers.add_parser(
        "estimate", help=N_("design-based estimate from a CSV/XLSX file"), description=DESCRIPTION
    )
    parser.add_argument("data", type=Path, help=N_("CSV or XLSX file, header row first"))
    parser.add_argument("--var", required=True, help=N_("variable (numerator of a ratio)"))
    parser.add_argument("--denominator", help=N_("denominator column of a ratio"))
    parser.add_argument(
        "--event-size",
        help=N_(
            "what a row adds to the numerator when it is an event (korn-graubard-kish, "
            "wilson-model); "
            "default: the denominator"
        ),
    )
    parser.add_argument("--weight", help=N_("sampling weight column"))
    parser.add_argument("--strata", help=N_("first-stage stratum column"))
    parser.add_argument("--cluster", help=N_("cluster columns per stage, comma-separated"))
    parser.add_argument("--fpc", help=N_("population size (or fraction) columns per stage"))
    parser.add_argument("--domain", help=N_("subpopulation expression, e.g. \"stype == 'H'\""))
    parser.add_argument("--by", help=N_("column to estimate each group of"))
    parser.add_argument(
        "--stat", choices=STATS, help=N_("default: ratio with --denominator, else mean")
    )
    parser.add_argument("--ci-method", default="auto", choices=est.CI_METHODS)
    parser.add_argument(
        "--icc",
        type=float,
        help=N_(
            "intra-cluster correlation of the events for the model design effect of "
            "wilson-model (--ci-method auto-rare); default: none (design effect 1)"
        ),
    )
    parser.add_argument(
        "--screening-model",
        help=N_(
            "k_C,rho_C,k_U,rho_U: the missed rate's screening model (census effective size of "
            "wilson-model; needs --flag-column and --village-size-column)"
        ),
    )
    parser.add_argument(
        "--flag-column", help=N_("column of the screening flag (1 = flagged household)")
    )
    parser.add_argument(
        "--village-size-column",
        help=N_("column of the village's number of non-registered households"),
    )
    parser.add_argument("--level", type=float, default=0.95, help=N_("confidence level (0-1)"))
    parser.add_argument("--lonely-psu", default="fail", choices=est.LONELY_PSU_OPTIONS)
    parser.add_argument("--json", action="store_true", help=N_("print a JSON list of objects"))
    parser.set_defaults(func=run)
    return parser


def main(argv=None) -> int:
    """Run ``estimate`` as a program of its own (tests and ``python -m``)."""
    from assessment.core.cli import (
        TranslatedHelpFormatter,
        add_lang_option,
        command_language,
        parse_in_language,
    )

    def build() -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser(prog="assess")
        command = register(parser.add_subparsers(dest="command", required=True))
        command.formatter_class = TranslatedHelpFormatter
        add_lang_option(command)
        return parser

    argv = ["estimate", *(sys.argv[1:] if argv is None else argv)]
    try:
        args = parse_in_language(build, argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    args.lang = command_language(args)
    return args.func(args)


class InputError(ValueError):
    """The data or the options cannot give an estimate; carries a message for the user."""

    def __init__(self, msgid: str, **mapping) -> None:
        self.message = Message(msgid, mapping)
        super().__init__(str(self.message))


def _problem(error: Exception) -> Message:
    """What went wrong, for the person at the terminal."""
    from assessment.core.cli import FILE_PROBLEM

    if isinstance(error, InputError):
        return error.message
    if isinstance(error, est.EstimationError):  # the estimators' checks, as R's survey words them
        return Message(N_("The data do not fit the design: {detail}"), {"detail": error.message})
    if isinstance(error, FileNotFoundError):
        return Message(N_("No such file: {file}"), {"file": str(error.filename)})
    if isinstance(error, UnicodeDecodeError):
        return Message(N_("The file is not UTF-8 text (CSV) or an XLSX workbook."))
    if isinstance(error, OSError):
        return Message(FILE_PROBLEM, {"file": str(error.filename)})
    return Message(N_("The data do not fit the design: {detail}"), {"detail": str(error)})


def run(args) -> int:
    """Estimate and print; 0 on success, 2 on a usage or data error (message on stderr)."""
    lang = getattr(args, "lang", None)
    try:
        table = read_table(args.data)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", est.DesignWarning)
            records = estimate_records(table, args)
    except (ValueError, KeyError, OSError) as error:
        problem = _problem(error).render(lang)
        print(
            translate(N_("assess estimate: error: {problem}"), lang, problem=problem),
            file=sys.stderr,
        )
        return 2
    for warning in caught:  # as R warns: the numbers stand, the assumption is said
        problem = getattr(warning.message, "message", None) or str(warning.message)
        print(
            translate(N_("assess estimate: warning: {problem}"), lang, problem=problem),
            file=sys.stderr,
        )
    if args.json:
        print(json.dumps([_json_safe(r) for r in records], ensure_ascii=False, indent=1))
    else:
        print(_format_table(records))
    return 0


def read_table(path: Path) -> dict[str, np.ndarray]:
    """Columns of a CSV (UTF-8, BOM allowed) or XLSX file (first sheet), as string arrays."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    else:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    if not rows:
        raise InputError(N_("{file} is empty."), file=str(path))
    header, body = rows[0], rows[1:]
    if not body:
        raise InputError(N_("{file} has no data rows."), file=str(path))
    width = len(header)
    body = [(row + [""] * width)[:width] for row in body]
    columns = np.array(body, dtype=object).T
    return {name: columns[i] for i, name in enumerate(header)}


def _xlsx_rows(path: Path) -> list[list[str]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        return [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    finally:
        book.close()


def _column(table, name: str) -> np.ndarray:
    if name not in table:
        raise InputError(
            N_("There is no column {column!r} in the data (columns: {columns})."),
            column=name,
            columns=", ".join(table),
        )
    return table[name]


def numeric(values: np.ndarray, name: str) -> np.ndarray:
    """Floats of a string column; empty cells and NA are NaN. Infinite values are refused.

    An ``inf`` is never a measurement: it is refused with the row named rather than left out
    as if it were missing (R would carry it into the estimate as Inf/NaN).
    """
    out = _parse(values, name)
    infinite = np.flatnonzero(np.isinf(out))
    if infinite.size:
        i = int(infinite[0])
        raise InputError(
            N_(
                "Column {column!r} has an infinite value (row {row}: {value!r}); correct it, "
                "or leave the cell empty if the value is missing."
            ),
            column=name,
            row=i + 2,
            value=str(values[i]).strip(),
        )
    return out


def _parse(values: np.ndarray, name: str) -> np.ndarray:
    out = np.empty(values.size)
    for i, v in enumerate(values):  # parsing text, once per column
        text = str(v).strip()
        try:
            out[i] = float(text) if text not in ("", "NA", "nan") else math.nan
        except ValueError:
            raise InputError(
                N_("Column {column!r} is not numeric (row {row}: {value!r})."),
                column=name,
                row=i + 2,
                value=text,
            ) from None
    return out


def _is_numeric(values: np.ndarray) -> bool:
    try:
        _parse(values, "")
    except ValueError:
        return False
    return True


def _names(text: str | None) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()] if text else []


def _design(table, args) -> est.Design:
    weight = numeric(_column(table, args.weight), args.weight) if args.weight else None
    strata = _column(table, args.strata) if args.strata else None
    clusters = [_column(table, c) for c in _names(args.cluster)]
    fpc = [numeric(_column(table, f), f) for f in _names(args.fpc)]
    for name, values in zip(_names(args.fpc), fpc, strict=True):
        if values.size and np.all(values == 1):
            # R's svydesign refuses it: neither population sizes nor fractions below 1.
            raise InputError(
                N_(
                    "--fpc column {column!r} is 1 on every row; R refuses this. Give population "
                    "sizes (units in the stratum or cluster) or sampling fractions below 1; "
                    "for a census give the population size."
                ),
                column=name,
            )
    if weight is None and not fpc:
        weight = np.ones(len(next(iter(table.values()))))
    return est.make_design(
        weight, strata=strata, clusters=clusters, fpc=fpc, lonely_psu=args.lonely_psu
    )


def estimate_records(table, args) -> list[dict]:
    """One record per group (and category) with the fields of ``FIELDS``."""
    design = _design(table, args)
    domain = parse_domain(args.domain, table) if args.domain else np.ones(design.n_rows, bool)
    stat = args.stat or ("ratio" if args.denominator else "mean")
    if stat == "ratio" and not args.denominator:
        raise InputError(N_("--stat ratio needs --denominator."))
    groups = [(None, domain)]
    if args.by:
        by = _column(table, args.by).astype(str)
        groups = [(str(g), domain & (by == g)) for g in np.unique(by[domain])]
    records = []
    for group, rows in groups:  # one pass per group, not per row
        for estimate in _estimates(design, table, args, stat, rows):
            records.append(_record(group, estimate))
    return records


def _estimates(design, table, args, stat, rows) -> tuple[est.Estimate, ...]:
    y_raw = _column(table, args.var)
    common = {"domain": rows, "level": args.level, "ci_method": args.ci_method}
    if stat == "ratio":
        x = numeric(_column(table, args.denominator), args.denominator)
        size = getattr(args, "event_size", None)
        size = numeric(_column(table, size), size) if size else None
        y = numeric(y_raw, args.var)
        icc = getattr(args, "icc", None)
        found = est.ratio(design, y, x, na_rm=True, event_size=size, icc=icc, **common)
        census = _screening_options(table, args)
        if census is None:
            return (found,)
        model, flagged, households = census
        kept = rows & np.isfinite(y) & np.isfinite(x)
        size = x if size is None else size
        return (est.with_census_size(found, design, size, x, flagged, households, kept, model),)
    if not _is_numeric(y_raw):
        if stat == "proportion":
            return est.proportions(design, y_raw, **common)
        if stat == "total":
            return _category_totals(design, y_raw, rows, args)
        raise InputError(
            N_("--var {column} is not numeric; use --stat proportion or total."), column=args.var
        )
    y = numeric(y_raw, args.var)
    if stat == "proportion":
        if not np.isin(y[np.isfinite(y)], (0.0, 1.0)).all():
            return est.proportions(design, y_raw, **common)
        return (est.proportion(design, y, na_rm=True, **common),)
    function = est.total if stat == "total" else est.mean
    return (function(design, y, na_rm=True, **common),)


def _screening_options(table, args):
    """``(model, flagged, village households)`` of ``--screening-model``, or None without it.

    The census effective size of the missed rate (docs/estimation.md, "Census") applies to
    ``--stat ratio`` with ``--ci-method auto-rare`` and the villages as first-stage clusters;
    any other use, or a value that is not four numbers (k at least 0, ρ in [0, 1]), is
    refused with a message."""
    text = getattr(args, "screening_model", None)
    flag, village = getattr(args, "flag_column", None), getattr(args, "village_size_column", None)
    if text is None:
        if flag or village:
            raise InputError(
                N_("--flag-column and --village-size-column go with --screening-model.")
            )
        return None
    if args.ci_method != "auto-rare":
        raise InputError(N_("--screening-model needs --ci-method auto-rare."))
    if not (flag and village):
        raise InputError(N_("--screening-model needs --flag-column and --village-size-column."))
    if not _names(args.cluster):
        raise InputError(N_("--screening-model needs --cluster (the villages)."))
    parts = [t.strip() for t in text.split(",")]
    try:
        model = est.check_screening_model([float(t) for t in parts] if len(parts) == 4 else [])
    except (ValueError, est.EstimationError):
        raise InputError(
            N_(
                "--screening-model must be four numbers k_C,rho_C,k_U,rho_U (k at least 0, "
                "rho between 0 and 1), got {value!r}."
            ),
            value=text,
        ) from None
    flagged = numeric(_column(table, flag), flag)
    if not np.isin(flagged[np.isfinite(flagged)], (0.0, 1.0)).all():
        raise InputError(N_("--flag-column {column!r} must hold 0 or 1."), column=flag)
    households = numeric(_column(table, village), village)
    return model, np.nan_to_num(flagged) == 1, households


def _category_totals(design, labels, rows, args) -> tuple[est.Estimate, ...]:
    out = []
    for category in sorted({str(v) for v in labels if str(v) != ""}):
        y = (labels.astype(str) == category).astype(float)
        estimate = est.total(design, y, domain=rows, level=args.level, ci_method=args.ci_method)
        out.append(_with_category(estimate, category))
    return tuple(out)


def _with_category(estimate: est.Estimate, category: str) -> est.Estimate:
    from dataclasses import replace

    return replace(estimate, category=category)


def _record(group, estimate: est.Estimate) -> dict:
    record = {"group": group}
    if estimate.category is not None:
        record["category"] = estimate.category
    record.update(
        estimate=estimate.estimate,
        se=estimate.se,
        ci_low=estimate.ci_low,
        ci_high=estimate.ci_high,
        deff=estimate.deff,
        df=estimate.df,
        n=estimate.n,
        method=estimate.method,
        level=estimate.level,
        stat=estimate.stat,
    )
    if estimate.method == "wilson-model":  # the rare rates' one-sided bound, as reports give it
        record["upper_bound"] = est.one_sided_bound(estimate, "upper", estimate.level)
    return record


def _json_safe(record: dict) -> dict:
    return {
        k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in record.items()
    }


def _format_table(records: list[dict]) -> str:
    columns = [c for c in FIELDS if any(c in r and r[c] is not None for r in records)]
    cells = [[_cell(r.get(c)) for c in columns] for r in records]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.rjust(w) for c, w in zip(columns, widths, strict=True))]
    lines += ["  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


# --- the --domain expression: a small, safe subset of Python expressions ----------------------

_OPERATORS = {
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
}


def parse_domain(expression: str, table: dict[str, np.ndarray]) -> np.ndarray:
    """Evaluate a domain expression to a boolean row mask, without ``eval``.

    Allowed: column names, string/number/boolean constants, comparisons (``== != < <= > >=``,
    chained), ``in`` / ``not in`` a list or tuple of constants, ``and``, ``or``, ``not`` and
    parentheses. Anything else raises ``ValueError``.
    """
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as error:
        raise InputError(
            N_("--domain is not a valid expression: {reason}"), reason=error.msg
        ) from None
    mask = _node(tree.body, table)
    if not isinstance(mask, np.ndarray) or mask.dtype != bool:
        raise InputError(N_("--domain must be a condition, e.g. \"stype == 'H'\"."))
    return mask


def _node(node, table):
    if isinstance(node, ast.BoolOp):
        parts = [_condition(v, table) for v in node.values]
        combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
        return combine.reduce(parts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return ~_condition(node.operand, table)
    if isinstance(node, ast.Compare):
        return _compare(node, table)
    if isinstance(node, ast.Name):
        return _column(table, node.id)
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float, bool)):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_node(e, table) for e in node.elts if _constant(e)]
    raise InputError(N_("--domain: {what} is not allowed."), what=type(node).__name__)


def _constant(node) -> bool:
    if not isinstance(node, ast.Constant) or not isinstance(node.value, (str, int, float)):
        raise InputError(N_("--domain: lists may hold constants only."))
    return True


def _condition(node, table) -> np.ndarray:
    value = _node(node, table)
    if not isinstance(value, np.ndarray) or value.dtype != bool:
        raise InputError(N_("--domain: 'and', 'or' and 'not' need conditions."))
    return value


def _compare(node: ast.Compare, table) -> np.ndarray:
    result = None
    left = _node(node.left, table)
    for op, right_node in zip(node.ops, node.comparators, strict=True):
        right = _node(right_node, table)
        part = _one_comparison(op, left, right)
        result = part if result is None else result & part
        left = right
    return result


def _one_comparison(op, left, right) -> np.ndarray:
    if isinstance(op, (ast.In, ast.NotIn)):
        if not isinstance(left, np.ndarray) or not isinstance(right, list):
            raise InputError(N_("--domain: use 'column in [constants]'."))
        inside = _isin(left, right)
        return inside if isinstance(op, ast.In) else ~inside
    if type(op) not in _OPERATORS:
        raise InputError(N_("--domain: operator {what} is not allowed."), what=type(op).__name__)
    a, b = _operands(left, right)
    return np.asarray(_OPERATORS[type(op)](a, b), dtype=bool)


def _isin(column: np.ndarray, values: list) -> np.ndarray:
    if all(isinstance(v, str) for v in values):
        return np.isin(column.astype(str), values)
    return np.isin(numeric(column, "domain column"), [float(v) for v in values])


def _operands(left, right):
    """Compare as numbers when a number is involved, as text otherwise."""
    if not isinstance(left, np.ndarray) and not isinstance(right, np.ndarray):
        raise InputError(N_("--domain: a comparison needs a column."))
    if any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right)):
        return tuple(
            numeric(v, "domain column") if isinstance(v, np.ndarray) else v for v in (left, right)
        )
    if (
        isinstance(left, np.ndarray)
        and isinstance(right, np.ndarray)
        and _is_numeric(left)
        and _is_numeric(right)
    ):
        return numeric(left, "domain column"), numeric(right, "domain column")
    return tuple(v.astype(str) if isinstance(v, np.ndarray) else str(v) for v in (left, right))


if __name__ == "__main__":
    sys.exit(main())
