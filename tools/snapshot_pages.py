"""Every number the pages show, as JSON, so a refactor can prove it changed none of them.

    python -m tools.snapshot_pages snap --db data/demo.duckdb --out before.json
    python -m tools.snapshot_pages compare before.json after.json

Each page is run under streamlit.testing.v1.AppTest (the same path as a browser's first load) for
a few URL scenarios; the snapshot keeps titles, metrics, captions, markdown, tables and every
plotly trace's data. `compare` prints each difference (floats to 1e-9 relative) and exits 1 when there is one.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS: dict[str, dict[str, list[str]]] = {
    "default": {},
    "year": {"period": ["2024-01-01", "2024-12-31"]},
    "channel": {"channel": ["Phone"]},
    "segment": {"segment": ["Small business"], "component": ["courtesy"]},
    "my_branch": {"my_branch": ["B001"]},
}
TRACE_KEYS = ("name", "x", "y", "z", "text", "customdata", "value", "values", "labels", "r", "theta")


def _trace(trace: dict) -> dict:
    return {k: trace[k] for k in TRACE_KEYS if k in trace}


def _element_values(at) -> dict:
    out: dict = {}
    out["title"] = [t.value for t in at.title]
    out["metrics"] = [[m.label, m.value, m.delta] for m in at.metric]
    out["captions"] = [c.value for c in at.caption]
    out["markdown"] = [m.value for m in at.markdown]
    out["errors"] = [e.value for e in at.error] + [str(e.value) for e in at.exception]
    out["warnings"] = [w.value for w in at.warning]
    out["tables"] = [df.value.to_csv(index=False) for df in at.dataframe]
    charts = []
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        charts.append(
            {
                "title": spec.get("layout", {}).get("title", {}).get("text"),
                "traces": [_trace(t) for t in spec.get("data", [])],
            }
        )
    out["charts"] = charts
    return out


def snap(db: Path) -> dict:
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    from servicequality.ui.navigation import PAGES  # noqa: PLC0415 - after the path is set

    PagesManager.uses_pages_directory = False
    os.environ["SQ_DATABASE"] = str(db)
    result: dict = {}
    for scenario, query in SCENARIOS.items():
        for page in PAGES:
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            for key, value in query.items():
                at.query_params[key] = value
            at.run()
            if page is not PAGES[0]:
                at.switch_page(page.path).run()
            result[f"{scenario}/{page.url_path}"] = _element_values(at)
            print(f"{scenario}/{page.url_path}", file=sys.stderr)
    return result


_NUMBER = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?")


def _decoded(value):
    """Plotly's typed arrays ({'bdata': base64, 'dtype': 'f8', 'shape': ...}) as plain lists."""
    if isinstance(value, dict) and "bdata" in value and "dtype" in value:
        import base64

        import numpy as np

        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if "shape" in value:
            array = array.reshape([int(n) for n in str(value["shape"]).split(",")])
        return array.tolist()
    return value


def same(b, a, rel: float = 1e-9) -> bool:
    """Equal, except floats (also inside text, e.g. a CSV table) may differ by `rel`: the plain
    queries sum in parallel, so the last bits of a float vary from run to run."""
    b, a = _decoded(b), _decoded(a)
    if isinstance(b, float) and isinstance(a, float):
        if math.isnan(b) or math.isnan(a):
            return math.isnan(b) and math.isnan(a)
        return math.isclose(b, a, rel_tol=rel, abs_tol=1e-12)
    if isinstance(b, str) and isinstance(a, str):
        if _NUMBER.sub("#", b) != _NUMBER.sub("#", a):
            return False
        return all(
            math.isclose(float(x), float(y), rel_tol=rel, abs_tol=1e-12)
            for x, y in zip(_NUMBER.findall(b), _NUMBER.findall(a))
        )
    if isinstance(b, list) and isinstance(a, list):
        return len(b) == len(a) and all(same(x, y, rel) for x, y in zip(b, a))
    if isinstance(b, dict) and isinstance(a, dict):
        return b.keys() == a.keys() and all(same(b[k], a[k], rel) for k in b)
    return b == a


def compare(before: dict, after: dict) -> list[str]:
    problems = []
    for view in sorted(set(before) | set(after)):
        if view not in before or view not in after:
            problems.append(f"{view}: only in {'after' if view in after else 'before'}")
            continue
        for part in sorted(set(before[view]) | set(after[view])):
            b, a = before[view].get(part), after[view].get(part)
            if not same(b, a):
                problems.append(f"{view} {part}:\n  before {str(b)[:600]}\n  after  {str(a)[:600]}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("snap")
    s.add_argument("--db", type=Path, required=True)
    s.add_argument("--out", type=Path, required=True)
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "snap":
        sys.path.insert(0, str(ROOT))
        args.out.write_text(json.dumps(snap(args.db), indent=1, sort_keys=True, default=str))
        return 0
    before, after = (json.loads(p.read_text()) for p in (args.before, args.after))
    problems = compare(before, after)
    for line in problems:
        print(line)
    print(f"{len(before)} page views before, {len(after)} after, {len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
