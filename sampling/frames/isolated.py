"""Read and check a frame file in a child process with a memory and a time limit.

PURE (standard library, polars). The web and the CLI call :func:`read_frame_isolated`. The
child (``python -m sampling.frames.isolated``) caps its address space and processor time, reads
the file, writes the typed columns (Arrow IPC), tells ``columns [extra columns]``, checks every
row, tells ``hash <content hash>`` and writes the issues; also ``progress <rows>``, and
``refused [msgid, mapping]`` when a large workbook is refused while calamine parses it. The
parent watches its memory and the clock on a thread, and builds (and stores) the :class:`Frame`
while the child checks and hashes. A file that makes a parser allocate or loop without bound
ends the child only; the user gets a message (``docs/frame-format.md``, "Limits").
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import pickle
import queue
import re
import resource
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from functools import partial
from pathlib import Path

import polars as pl

from assessment.core.i18n import N_, Message
from sampling.frames.check import FrameIssue
from sampling.frames.frame import Frame, FrameImport, Progress, build_frame, read_and_check
from sampling.frames.hashing import content_hash
from sampling.frames.read import DEFAULT_LIMITS, Limits


def read_frame_isolated(
    source,
    *,
    file_format: str | None = None,
    encoding: str | None = None,
    progress: Progress | None = None,
    max_issues: int = 200,
    limits: Limits = DEFAULT_LIMITS,
    early: Callable[[Frame], None] | None = None,
) -> FrameImport:
    """:func:`~sampling.frames.frame.read_frame` read and checked in a child process limited to
    ``limits.max_memory`` bytes and ``limits.max_seconds`` of processor time. ``early``, if given,
    gets the frame once the child has typed the columns, and runs (on this thread) while the
    child finishes its checks: the result says whether the file was accepted."""
    with tempfile.TemporaryDirectory(prefix="frame-") as folder:
        path = _input_path(source, Path(folder))
        output = Path(folder) / "result.pickle"
        request = Path(folder) / "request.pickle"
        request.write_bytes(pickle.dumps((str(path), file_format, encoding, max_issues, limits)))
        handed = queue.SimpleQueue()  # the extra columns once the child hands the columns over
        digest = Future()  # the content hash, computed by the child beside the parent's store
        with ThreadPoolExecutor(1) as pool:
            watch = pool.submit(_run_child, request, limits, progress, handed, digest)
            extra_columns, frame, error = handed.get(), None, None
            if extra_columns is not None:
                try:
                    frame = build_frame(pl.read_ipc(f"{output}.arrow"), extra_columns, digest)
                except Exception as exc:  # columns the child goes on to refuse, e.g. nulls
                    error = exc
                if frame is not None and early is not None:
                    early(frame)
            code, refusal = watch.result()
        if refusal is not None or code != 0 or not output.exists():
            issue = FrameIssue(None, None, "", refusal or _child_failure(code, limits))
            return FrameImport(None, (issue,), 1, file_format or "csv", None, 0)
        # our own child wrote it, into a folder only this process knows
        result, accepted = pickle.loads(output.read_bytes())  # noqa: S301
    if accepted and error is not None:
        raise error
    issues = tuple(FrameIssue(*issue[:3], Message(*issue[3:])) for issue in result.issues)
    if progress is not None:  # the frame is built and hashed
        progress(result.rows)
    return replace(result, frame=frame if accepted else None, issues=issues)


def _input_path(source, folder: Path) -> Path:
    """A path holding the file's bytes: the source itself when it is a path."""
    if isinstance(source, str | Path):
        return Path(source)
    path = folder / "upload"
    if isinstance(source, bytes | bytearray):
        path.write_bytes(source)
    else:  # from its start: a retried request hands in the same upload object again
        source.seek(0)
        with path.open("wb") as out:
            shutil.copyfileobj(source, out)
    return path


#: Times ``limits.max_seconds`` the parent waits for the child (a backstop: its CPU time is capped).
WAIT_FACTOR = 10


def _child_failure(code: int | None, limits: Limits) -> Message:
    if code is None or code == -signal.SIGXCPU:  # waited too long, or used its processor time
        seconds = limits.max_seconds * (WAIT_FACTOR if code is None else 1)
        return Message(
            N_(
                "Reading the file took longer than {limit} seconds and was stopped. "
                "Check the file, or save it as CSV."
            ),
            {"limit": max(1, round(seconds))},
        )
    return Message(
        N_(
            "Reading the file needed more than {limit} MB of memory and was stopped. "
            "Check the file, or save it as CSV."
        ),
        {"limit": limits.max_memory // 2**20},
    )


def _run_child(request: Path, limits: Limits, progress: Progress | None, handed, digest):
    """Run the child: its exit code (negative if killed over its memory limit, None at the
    deadline) and the refusal it told while parsing. The extra columns of the hand-over go to
    ``handed`` (then None when it ends), an accepted file's content hash to ``digest``."""
    env = {**os.environ, "POLARS_MAX_THREADS": "2"}
    command = [sys.executable, "-m", "sampling.frames.isolated", str(request)]
    quiet = {"stderr": subprocess.DEVNULL, "stdin": subprocess.DEVNULL}
    # this interpreter, this module, a path we made
    child = subprocess.Popen(command, stdout=subprocess.PIPE, env=env, **quiet)  # noqa: S603
    deadline = time.monotonic() + WAIT_FACTOR * limits.max_seconds
    refusal = None
    with child, selectors.DefaultSelector() as selector, contextlib.ExitStack() as stack:
        stack.callback(handed.put, None)  # nothing (more) to wait for
        stack.callback(lambda: digest.done() or digest.set_exception(ValueError("refused")))
        selector.register(child.stdout, selectors.EVENT_READ)
        while (left := deadline - time.monotonic()) > 0:
            if _resident(child.pid) > limits.max_memory:
                child.kill()
                return child.wait(), refusal
            if not selector.select(min(left, 0.05)):
                continue
            line = child.stdout.readline()
            if not line:
                break
            if progress is not None and line.startswith(b"progress "):
                progress(int(line.split()[1]))
            if line.startswith(b"columns "):
                handed.put(tuple(json.loads(line.removeprefix(b"columns "))))
                with contextlib.suppress(OSError):  # its checks and hash yield to the store
                    for task in Path(f"/proc/{child.pid}/task").iterdir():  # (nice is per thread)
                        os.setpriority(os.PRIO_PROCESS, int(task.name), 10)
            if line.startswith(b"hash "):
                digest.set_result(line.split()[1].decode())
            if line.startswith(b"refused "):
                msgid, mapping = json.loads(line.removeprefix(b"refused "))
                refusal = Message(msgid, mapping)
                child.kill()  # it ends itself too, but calamine may still be allocating
        try:
            return child.wait(timeout=max(0.0, deadline - time.monotonic())), refusal
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            return None, refusal


def _resident(pid: int) -> int:
    """Resident bytes of process ``pid`` (0 where /proc cannot tell)."""
    try:
        pages = Path(f"/proc/{pid}/statm").read_text().split()[1]
    except (OSError, IndexError):
        return 0
    return int(pages) * os.sysconf("SC_PAGE_SIZE")


def _child(request_path: str) -> int:
    """The child: limit memory, read, check, write the result; never raise to the parent."""
    # the parent wrote it, into a folder only it knows
    request = Path(request_path).read_bytes()
    path, file_format, encoding, max_issues, limits = pickle.loads(request)  # noqa: S301
    output = Path(request_path).with_name("result.pickle")
    # an address-space cap (4×: allocators reserve more than they touch): absurd allocations fail
    import polars  # noqa: F401 - its address space counts in the base

    status = Path("/proc/self/status").read_text() if Path("/proc/self/status").exists() else ""
    base = int(re.search(r"VmSize:\s+(\d+)", status)[1]) * 1024 if "VmSize" in status else 0
    cap = base + 4 * limits.max_memory
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    cpu = max(1, math.ceil(limits.max_seconds))  # all threads' time: SIGXCPU, then SIGKILL
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))

    def hand_over(checked) -> None:  # straight to a file: no copy of the columns in memory
        checked.columns.write_ipc(f"{output}.arrow")
        print("columns", json.dumps(checked.extra_columns), flush=True)

    report = partial(print, "progress", flush=True)  # the path: read_table measures it first
    hooks = (report, _report_refusal, hand_over)
    checked, result = read_and_check(Path(path), file_format, encoding, max_issues, limits, *hooks)
    issues = [
        (i.row, i.column, i.value, i.message.msgid, dict(i.message.mapping)) for i in result.issues
    ]
    if checked is not None:  # beside the parent's store of the columns handed over
        print("hash", content_hash(checked.columns, checked.columns["id_order"]), flush=True)
    Path(output).write_bytes(pickle.dumps((replace(result, issues=issues), checked is not None)))
    return 0


def _report_refusal(message: Message) -> None:
    """Tell the parent a refusal found while calamine still parses, and end at once."""
    print("refused", json.dumps([message.msgid, dict(message.mapping)]), flush=True)
    os._exit(0)


if __name__ == "__main__":
    raise SystemExit(_child(sys.argv[1]))
