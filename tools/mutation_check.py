"""Mutation check of the statistics: plant one named formula mistake at a time and expect the tests
to fail. A mutation the tests do not notice ("survived") means a wrong formula would ship.

Each mutation replaces one exact piece of source text in a copy of the package (the checkout is
never touched) and runs the statistics and metrics tests against that copy. The text must occur
exactly once: a refactor that moves a formula makes the check fail loudly instead of silently
testing nothing.

    python -m tools.mutation_check            # every mutation; exit 1 if more than --allowed survive
    python -m tools.mutation_check --list     # the mutations, without running them
    python -m tools.mutation_check -k laney   # those whose name contains "laney"
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The tests that guard the formulas: pure statistics and the metrics that call them.
TESTS = ("tests/stats", "tests/metrics/test_servqual_words.py", "tests/charts")


@dataclass(frozen=True)
class Mutation:
    name: str
    path: str  # relative to the project root
    original: str
    mutated: str


MUTATIONS: tuple[Mutation, ...] = (
    Mutation(
        "t -> z in the mean interval",
        "servicequality/stats/estimates.py",
        "half = _scipy_stats.t.ppf(0.5 + level / 2, n - 1) * sd / math.sqrt(n)",
        "half = _scipy_stats.norm.ppf(0.5 + level / 2) * sd / math.sqrt(n)",
    ),
    Mutation(
        "NPS interval z = 1.645",
        "servicequality/stats/estimates.py",
        "half = _scipy_stats.norm.ppf(0.5 + level / 2) * math.sqrt(max(pp + pd - d * d, 0.0) / n)",
        "half = 1.645 * math.sqrt(max(pp + pd - d * d, 0.0) / n)",
    ),
    Mutation(
        "SD divisor n (coefficient of variation)",
        "servicequality/stats/consistency.py",
        "return float(np.std(v, ddof=1) / abs(v.mean()))",
        "return float(np.std(v, ddof=0) / abs(v.mean()))",
    ),
    Mutation(
        "XmR limits 3 instead of 2.66 moving ranges",
        "servicequality/stats/control.py",
        '"lcl": centre - 2.66 * mr_bar, "ucl": centre + 2.66 * mr_bar',
        '"lcl": centre - 3 * mr_bar, "ucl": centre + 3 * mr_bar',
    ),
    Mutation(
        "shrinkage variance without the uncertainty of the mean",
        "servicequality/stats/consistency.py",
        "var = (1 - b) * se2 + b * b / w.sum()",
        "var = (1 - b) * se2",
    ),
    Mutation(
        "chi-squared on I instead of I - 1 degrees of freedom",
        "servicequality/stats/consistency.py",
        "return Heterogeneity(q, int(z.size - 1), float(_st.chi2.sf(q, z.size - 1)))",
        "return Heterogeneity(q, int(z.size), float(_st.chi2.sf(q, z.size)))",
    ),
    Mutation(
        "adequacy sign (A - P)",
        "servicequality/stats/servqual.py",
        "return mean_perception - mean_adequate",
        "return mean_adequate - mean_perception",
    ),
    Mutation(
        "Laney sigma-z from the median moving range",
        "servicequality/stats/control.py",
        "sigma_z = float(np.mean(mr) / 1.128) if mr.size else 1.0",
        "sigma_z = float(np.median(mr) / 1.128) if mr.size else 1.0",
    ),
    Mutation(
        "ranking on raw values instead of shrunk ones",
        "servicequality/metrics/consistency.py",
        'eligible["rank"] = eligible["shrunk"].rank(',
        'eligible["rank"] = eligible["raw"].rank(',
    ),
    Mutation(
        "Poisson funnel limits without interpolation",
        "servicequality/stats/consistency.py",
        "    low = _interpolated_quantile(_st.poisson(mu), p) / safe_e\n"
        "    high = _interpolated_quantile(_st.poisson(mu), 1 - p) / safe_e",
        "    low = _st.poisson(mu).ppf(p) / safe_e\n    high = _st.poisson(mu).ppf(1 - p) / safe_e",
    ),
    Mutation(
        "25 % winsorising",
        "servicequality/stats/consistency.py",
        "def winsorised_overdispersion(z: Sequence[float] | np.ndarray, fraction: float = 0.1) -> float:",
        "def winsorised_overdispersion(z: Sequence[float] | np.ndarray, fraction: float = 0.25) -> float:",
    ),
    Mutation(
        "unweighted mean in shrinkage",
        "servicequality/stats/consistency.py",
        "mu = (w * y).sum() / w.sum()",
        "mu = y.mean()",
    ),
    Mutation(
        "epsilon-squared = H / N",
        "servicequality/stats/consistency.py",
        "float(h / (total - 1))",
        "float(h / total)",
    ),
    Mutation(
        "pooled SD divisor n",
        "servicequality/stats/consistency.py",
        "dof = np.clip(n - 1, 0, None)",
        "dof = np.clip(n, 0, None)",
    ),
    Mutation(
        "Shapley weights all equal (not |S|!(p-|S|-1)!/p!)",
        "servicequality/stats/drivers.py",
        "weight = np.array([math.factorial(k) * math.factorial(p - k - 1) / math.factorial(p) for k in range(p)])",
        "weight = np.full(p, 1 / 2 ** (p - 1))",
    ),
    Mutation(
        "derived importance from the first entry only",
        "servicequality/stats/drivers.py",
        "shares[j] = np.sum(weight[sizes[without]] * (table[without | (1 << j)] - table[without]))",
        "shares[j] = table[1 << j]",
    ),
)


def _copy_project(target: Path) -> None:
    """The package and the tests, as they are in the checkout (no data, no virtualenv)."""
    for name in ("servicequality", "tests", "tools", "queries"):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "app.py"):
        shutil.copy(ROOT / name, target / name)


def run(mutation: Mutation, workdir: Path) -> bool:
    """True when the tests fail with the mutation in place (the mutation is killed)."""
    source = workdir / mutation.path
    text = (ROOT / mutation.path).read_text()
    count = text.count(mutation.original)
    if count != 1:
        raise SystemExit(
            f"mutation {mutation.name!r}: its original text occurs {count} times in {mutation.path}; "
            "update tools/mutation_check.py to the formula's current text"
        )
    source.write_text(text.replace(mutation.original, mutation.mutated))
    try:
        env = dict(os.environ, PYTHONPATH=str(workdir), PYTHONDONTWRITEBYTECODE="1")
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *TESTS],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
        )
        return done.returncode != 0
    finally:
        source.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-k", default="", help="only mutations whose name contains this")
    parser.add_argument("--list", action="store_true", help="list the mutations and stop")
    parser.add_argument("--allowed", type=int, default=1, help="survivors allowed before the check fails")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTATIONS if args.k.lower() in m.name.lower()]
    if args.list:
        for m in chosen:
            print(f"{m.name}  ({m.path})")
        return 0
    survivors = []
    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        workdir = Path(tmp)
        _copy_project(workdir)
        for m in chosen:
            started = time.perf_counter()
            killed = run(m, workdir)
            print(
                f"{'killed  ' if killed else 'SURVIVED'} {m.name}  ({time.perf_counter() - started:.1f} s)", flush=True
            )
            if not killed:
                survivors.append(m.name)
    print(f"{len(chosen) - len(survivors)} of {len(chosen)} mutations killed")
    return 1 if len(survivors) > args.allowed else 0


if __name__ == "__main__":
    sys.exit(main())
