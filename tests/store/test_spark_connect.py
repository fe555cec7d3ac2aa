"""The Spark engine as a Spark Connect client (SQ_SPARK_REMOTE), against a real Connect server.

A Spark Connect server (pyspark's own spark-submit, `SparkConnectServer`, local[2]) is started on a
free port; the engine connects over gRPC as it would to a cluster's, builds every rollup from the
tiny store's Parquet history and answers the queries that exercise each rewrite and the shared
steps; the rows equal DuckDB's at 1e-9 (the same comparison as test_spark.py).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

from servicequality import store
from servicequality.demo import generator
from servicequality.metrics import drilldown
from servicequality.store import history, spark
from tests.store.test_spark import _parameter_sets, _spark_or_skip, differences

pytestmark = pytest.mark.slow

# Each rewrite of store.spark.to_spark and the shared steps, on both parameter sets' worth of
# selections: typed lists and DOUBLE division (handling_summary, whose percentile steps are
# materialised), HUGEINT sums (component_gaps), to_days (alert_backlog), the rewritten two.
QUERIES = (
    "complaint_summary",
    "handling_summary",
    "handling_targets",
    "survey_overall",
    "component_gaps",
    "alert_backlog",
    # the rows a rollups-only snapshot leaves to Spark (store.engine)
    "drill_tickets",
    "drill_responses",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def connect_server(tmp_path_factory):
    _spark_or_skip()
    import pyspark

    home = Path(pyspark.__file__).parent
    port = _free_port()
    log = tmp_path_factory.mktemp("connect") / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                str(home / "bin" / "spark-submit"),
                "--class",
                "org.apache.spark.sql.connect.service.SparkConnectServer",
                "--master",
                "local[2]",
                "--conf",
                "spark.driver.memory=2g",
                "--conf",
                "spark.ui.enabled=false",
                "--conf",
                f"spark.connect.grpc.binding.port={port}",
                "spark-internal",
            ],
            env={**os.environ, "SPARK_HOME": str(home)},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, f"the Connect server stopped: {log.read_text()[-2000:]}"
                assert time.monotonic() < deadline, "the Connect server did not listen within 2 minutes"
                time.sleep(0.5)
        yield f"sc://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_a_connect_client_builds_the_rollups_and_answers_as_duckdb(connect_server, monkeypatch, tmp_path):
    tiny = generator.build(tmp_path / "tiny.duckdb", scale="tiny")
    con = store.connect_read_only(tiny)
    try:
        history.export(con, tmp_path / "history")
        monkeypatch.setenv("SQ_SPARK_REMOTE", connect_server)
        engine = spark.SparkEngine.local()
        try:
            assert type(engine.spark).__module__.startswith("pyspark.sql.connect"), "a Connect client, not local mode"
            engine.open_history(tmp_path / "history")
            engine.build_rollups()
            failures = []
            for label, params in _parameter_sets(con):
                for name in QUERIES:
                    why = differences(store.run_query(con, name, params), engine.run_query(name, params))
                    if why:
                        failures.append(f"{name} [{label}]: {why}")
            # a CSV download's rows, in batches over the Connect client (toLocalIterator)
            params = {**_parameter_sets(con)[0][1], "limit": drilldown.EXPORT_LIMIT}
            whole = store.run_query(con, "drill_tickets", params)
            batches = list(engine.stream_query("drill_tickets", params, batch_rows=500))
            assert len(whole) > 1_000 and len(batches) == -(-len(whole) // 500)
            why = differences(whole, pd.concat(batches, ignore_index=True))
            if why:
                failures.append(f"drill_tickets streamed: {why}")
        finally:
            engine.stop()
    finally:
        con.close()
    assert not failures, "\n".join(failures)
