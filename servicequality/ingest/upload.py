"""An import started from the Data page: the same command line as `python -m servicequality import`,
in a child process, so the dashboard keeps answering while it runs and a crash in the import cannot
take the server down."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from servicequality.store import PROJECT_ROOT

IMPORT_TIMEOUT_S = 30 * 60


def import_in_subprocess(
    target: str, file_path: Path, mapping_path: Path, database: Path, timeout_s: int = IMPORT_TIMEOUT_S
) -> tuple[int, str, str]:
    """Run the import command; returns (exit code, stdout, stderr), each output stripped."""
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
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, cwd=PROJECT_ROOT)
    except subprocess.TimeoutExpired:
        return (
            1,
            "",
            f"The import took longer than {timeout_s // 60} minutes and was stopped; the database is unchanged.",
        )
    return done.returncode, done.stdout.strip(), done.stderr.strip()
