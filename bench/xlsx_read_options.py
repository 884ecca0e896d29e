"""Peak memory and processor time of fastexcel's ways to read a workbook's first sheet.

Usage::

    /usr/bin/time -v .venv/bin/python bench/xlsx_read_options.py VARIANT WORKBOOK.xlsx
    .venv/bin/python bench/xlsx_read_options.py --shared-strings IN.xlsx OUT.xlsx

One variant per process: the peak resident memory (``Maximum resident set size`` of
``/usr/bin/time -v``, and ``ru_maxrss`` printed here) is the process's. Variants:

- ``lazy``: what ``sampling/frames/read.py`` does (``load_sheet(0, header_row=None,
  dtypes="string")``, then polars through the Arrow PyCapsule interface);
- ``eager``: the same with ``eager=True`` (calamine's borrowed range, ``worksheet_range_ref``,
  straight into a pyarrow RecordBatch); needs ``pyarrow``, which the lock does not hold;
- ``eager-untyped`` / ``lazy-untyped``: without ``dtypes`` (numbers stay numbers);
- ``one-column``: ``use_columns=[0]``, eager;
- ``slice``: ``skip_rows=500_000, n_rows=1_000``, eager.

``--shared-strings`` rewrites a workbook written by openpyxl (every text cell an inline string)
with a shared-string table, as Excel and WPS save a workbook; the cells read the same.
"""

from __future__ import annotations

import re
import resource
import sys
import time
import zipfile
from pathlib import Path

VARIANTS = {
    "lazy": {"dtypes": "string"},
    "eager": {"dtypes": "string", "eager": True},
    "lazy-untyped": {},
    "eager-untyped": {"eager": True},
    "one-column": {"dtypes": "string", "eager": True, "use_columns": [0]},
    "slice": {"dtypes": "string", "eager": True, "skip_rows": 500_000, "n_rows": 1_000},
}


def read(variant: str, path: Path) -> None:
    import fastexcel
    import polars as pl

    options = VARIANTS[variant]
    start, cpu = time.perf_counter(), time.process_time()
    sheet = fastexcel.read_excel(path).load_sheet(0, header_row=None, **options)
    frame = pl.from_arrow(sheet) if options.get("eager") else pl.DataFrame(sheet.to_polars())
    del sheet
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{variant}: {frame.height:,} rows x {frame.width} columns, "
        f"{time.perf_counter() - start:.2f} s wall, {time.process_time() - cpu:.2f} s cpu, "
        f"peak {peak:,.0f} MB"
    )


_INLINE = re.compile(rb't="inlineStr"><is><t>([^<]*)</t></is>')
_SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def to_shared_strings(source: Path, target: Path) -> None:
    strings: dict[bytes, int] = {}

    def shared(match: re.Match) -> bytes:
        index = strings.setdefault(match[1], len(strings))
        return b't="s"><v>%d</v>' % index

    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = _INLINE.sub(shared, data)
            elif info.filename == "[Content_Types].xml":
                override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_SST_TYPE}"/>'
                data = data.replace(b"</Types>", override.encode() + b"</Types>")
            elif info.filename == "xl/_rels/workbook.xml.rels":
                rel = f'<Relationship Id="rIdSST" Type="{_SST_REL}" Target="sharedStrings.xml"/>'
                data = data.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
            new.writestr(info.filename, data)
        head = (
            '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">'
        )
        body = b"".join(b"<si><t>%s</t></si>" % text for text in strings)
        new.writestr("xl/sharedStrings.xml", head.encode() + body + b"</sst>")
    print(f"{target}: {len(strings):,} shared strings")


def main(argv: list[str]) -> int:
    if argv[:1] == ["--shared-strings"] and len(argv) == 3:
        to_shared_strings(Path(argv[1]), Path(argv[2]))
        return 0
    if len(argv) != 2 or argv[0] not in VARIANTS:
        print(__doc__, file=sys.stderr)
        return 2
    read(argv[0], Path(argv[1]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
