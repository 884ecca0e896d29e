"""Read and check a frame file in a child process with a memory and a time limit.

PURE (standard library, polars). The web server and the CLI call :func:`read_frame_isolated`:
the child (``python -m sampling.frames.isolated``) limits its own address space
(``resource.setrlimit``) before it reads anything, reads and checks the file, and writes the
checked columns (Arrow IPC) and the issues to a file; the parent builds the :class:`Frame`
from them. A file that gets past the checks of :mod:`~sampling.frames.read` and still makes a
parser allocate or loop without bound ends the child only (killed at the deadline, or
aborted by the allocator), and the user gets a message; the server keeps serving.
"""

from __future__ import annotations

import io
import os
import pickle
import resource
import selectors
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from assessment.i18n import N_, Message
from sampling.frames.check import FrameIssue, IssueLog, check_table
from sampling.frames.frame import FrameImport, Progress, _build, read_bytes
from sampling.frames.read import DEFAULT_LIMITS, FrameFileError, Limits, read_table


def read_frame_isolated(
    source,
    *,
    file_format: str | None = None,
    encoding: str | None = None,
    progress: Progress | None = None,
    max_issues: int = 200,
    limits: Limits = DEFAULT_LIMITS,
) -> FrameImport:
    """:func:`~sampling.frames.frame.read_frame`, with the reading and checking done in a child
    process limited to ``limits.max_memory`` bytes and ``limits.max_seconds`` seconds."""
    with tempfile.TemporaryDirectory(prefix="frame-") as folder:
        path = _input_path(source, Path(folder), limits)
        if path is None:
            return _refused(
                Message(
                    N_("The file is larger than {limit} MB."), {"limit": limits.max_bytes // 2**20}
                ),
                file_format,
            )
        output = Path(folder) / "result.pickle"
        request = (str(path), file_format, encoding, max_issues, limits, str(output))
        (Path(folder) / "request.pickle").write_bytes(pickle.dumps(request))
        code = _run_child(Path(folder) / "request.pickle", limits, progress)
        if code != 0 or not output.exists():
            return _refused(_child_failure(code, limits), file_format)
        # our own child wrote it, into a folder only this process knows
        return _result(pickle.loads(output.read_bytes()), max_issues)  # noqa: S301


def _input_path(source, folder: Path, limits: Limits) -> Path | None:
    """A path holding the file's bytes (the source itself when it is a path); None when the
    file is larger than the limit."""
    if isinstance(source, str | Path):
        path = Path(source)
        return None if path.stat().st_size > limits.max_bytes else path
    data = read_bytes(source, limits.max_bytes)
    if len(data) > limits.max_bytes:
        return None
    path = folder / "upload"
    path.write_bytes(data)
    return path


def _refused(message: Message, file_format) -> FrameImport:
    return FrameImport(
        None, (FrameIssue(None, None, "", message),), 1, file_format or "csv", None, 0
    )


def _child_failure(code: int | None, limits: Limits) -> Message:
    if code is None:
        return Message(
            N_(
                "Reading the file took longer than {limit} seconds and was stopped. "
                "Check the file, or save it as CSV."
            ),
            {"limit": int(limits.max_seconds)},
        )
    return Message(
        N_(
            "Reading the file needed more than {limit} MB of memory and was stopped. "
            "Check the file, or save it as CSV."
        ),
        {"limit": limits.max_memory // 2**20},
    )


def _run_child(request: Path, limits: Limits, progress: Progress | None) -> int | None:
    """Run the child; its exit code, or None when it was killed at the deadline."""
    env = {**os.environ, "POLARS_MAX_THREADS": "2"}
    child = subprocess.Popen(  # noqa: S603 - this interpreter, this module, a path we made
        [sys.executable, "-m", "sampling.frames.isolated", str(request)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    deadline = time.monotonic() + limits.max_seconds
    with child, selectors.DefaultSelector() as selector:
        selector.register(child.stdout, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0:
            if not selector.select(left):
                continue
            line = child.stdout.readline()
            if not line:
                break
            if progress is not None and line.startswith(b"progress "):
                progress(int(line.split()[1]))
        try:
            return child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            return None


def _result(payload: dict, max_issues: int) -> FrameImport:
    issues = tuple(
        FrameIssue(row, column, value, Message(msgid, mapping))
        for row, column, value, msgid, mapping in payload["issues"]
    )
    frame = None
    if payload["columns"] is not None:
        columns = pl.read_ipc(io.BytesIO(payload["columns"]))
        frame = _build(columns, payload["extra_columns"])
    return FrameImport(
        frame,
        issues[:max_issues],
        payload["issue_count"],
        payload["file_format"],
        payload["encoding"],
        payload["rows"],
    )


def _child(request_path: str) -> int:
    """The child: limit memory, read, check, write the result; never raise to the parent."""
    # the parent wrote it, into a folder only it knows
    request = Path(request_path).read_bytes()
    path, file_format, encoding, max_issues, limits, output = pickle.loads(request)  # noqa: S301
    resource.setrlimit(resource.RLIMIT_AS, (limits.max_memory, limits.max_memory))
    cpu = int(limits.max_seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    data = Path(path).read_bytes()
    guessed = file_format or ("xlsx" if data.startswith(b"PK\x03\x04") else "csv")
    payload = {
        "file_format": guessed,
        "encoding": encoding,
        "rows": 0,
        "columns": None,
        "extra_columns": (),
    }
    log = IssueLog(max_issues)
    try:
        table = read_table(data, file_format=guessed, encoding=encoding, limits=limits)
    except FrameFileError as exc:
        log.add(None, None, "", exc.message.msgid, **exc.message.mapping)
    else:
        del data
        print(f"progress {table.cells.height}", flush=True)
        checked = check_table(table, log, limits)
        payload.update(rows=table.cells.height, encoding=table.encoding)
        if checked is not None and log.total == 0:
            out = io.BytesIO()
            checked.columns.write_ipc(out)
            payload.update(columns=out.getvalue(), extra_columns=checked.extra_columns)
        print(f"progress {table.cells.height}", flush=True)
    payload["issue_count"] = log.total
    payload["issues"] = [
        (i.row, i.column, i.value, i.message.msgid, dict(i.message.mapping))
        for i in log.sorted_issues()
    ]
    Path(output).write_bytes(pickle.dumps(payload))
    return 0


if __name__ == "__main__":
    raise SystemExit(_child(sys.argv[1]))
