"""An import started from the Data page: the same command line as `python -m servicequality import`,
in a child process, so the dashboard keeps answering while it runs and a crash in the import cannot
take the server down. Its progress comes back as `progress` lines on stderr (`--progress lines`)."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from servicequality.store import PROJECT_ROOT

IMPORT_TIMEOUT_S = 30 * 60

Progress = Callable[[str, int, int | None], None]  # (stage, rows done, rows in all or None)


def import_in_subprocess(
    target: str,
    file_path: Path,
    mapping_path: Path,
    database: Path,
    timeout_s: int = IMPORT_TIMEOUT_S,
    on_progress: Progress | None = None,
) -> tuple[int, str, str]:
    """Run the import command; returns (exit code, stdout, stderr without the progress lines), each
    stripped. `on_progress` is called, in this thread, as the child reports."""
    command = [
        sys.executable,
        "-m",
        "servicequality",
        "import",
        target,
        str(file_path),
        "--mapping",
        str(mapping_path),
        "--db",
        str(database),
        "--progress",
        "lines",
    ]
    child = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=PROJECT_ROOT, bufsize=1
    )
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.append(child.stdout.read()), daemon=True)
    reader.start()
    timed_out = threading.Event()
    timer = threading.Timer(timeout_s, lambda: (timed_out.set(), child.kill()))
    timer.start()
    errors = []
    try:
        for line in child.stderr:
            parts = line.rstrip("\n").split("\t")
            if parts[0] == "progress" and len(parts) == 4:
                if on_progress is not None:
                    on_progress(parts[1], int(parts[2]), int(parts[3]) if parts[3] else None)
                continue
            errors.append(line)
        code = child.wait()
    finally:
        timer.cancel()
    reader.join(timeout=10)
    if timed_out.is_set():
        return (
            1,
            "",
            f"The import took longer than {timeout_s // 60} minutes and was stopped; the database is unchanged.",
        )
    return code, "".join(out).strip(), "".join(errors).strip()


def progress_bar(stage: str, done: int, total: int | None) -> tuple[float, str]:
    """What st.progress shows for a progress report: (fraction done, its words)."""
    if stage == "validating":
        if not total:
            return 0.0, f"Checked {done:,} rows…"
        return min(done / total, 1.0), f"Checked {done:,} of about {total:,} rows…"
    return 1.0, f"Writing {done:,} rows and refreshing the summaries…"
