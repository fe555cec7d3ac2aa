"""Alerts: rules read and checked, the network-relative control chart by hand, and the whole loop
against a real local SMTP server (aiosmtpd) and a real local webhook receiver: a special cause
planted in a generated store reaches both once, and steady branches are never named."""

import datetime as dt
import email
import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pandas as pd
import pytest

from servicequality import store
from servicequality.__main__ import main
from servicequality.metrics import control_charts
from servicequality.reports import alerts
from servicequality.store import rollups
from tools import browser


@pytest.mark.parametrize(
    ("as_of", "start", "end"),
    [
        (dt.date(2025, 12, 31), dt.date(2025, 12, 1), dt.date(2025, 12, 31)),
        (dt.date(2025, 12, 30), dt.date(2025, 11, 1), dt.date(2025, 11, 30)),
        (dt.date(2024, 2, 29), dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        (dt.date(2024, 3, 1), dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
    ],
)
def test_the_month_evaluated_is_the_last_whole_one(as_of, start, end):
    assert alerts.last_whole_month(as_of) == (start, end)


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        ({"kind": "threshold"}, "kind 'threshold' is not one of"),
        ({"kind": "target"}, "needs goal"),
        ({"kind": "target", "goal": 180}, "needs goal"),
        ({"kind": "funnel", "measure": "nps"}, "measure 'nps' is not one of"),
        ({"kind": "funnel", "colour": "red"}, "unknown setting(s) colour"),
        ({"kind": "control_chart", "against": "peers"}, "against must be"),
    ],
)
def test_bad_rules_say_what_is_wrong(rule, says):
    with pytest.raises(alerts.AlertConfigError, match=says.replace("(", r"\(").replace(")", r"\)")):
        alerts.parse_rules({"rule": [rule]})
    with pytest.raises(alerts.AlertConfigError, match="two rules are named"):
        alerts.parse_rules({"rule": [{"kind": "funnel"}, {"kind": "funnel"}]})


def test_control_chart_against_the_network_by_hand():
    # Two branches, three months, 1,000 customers each month.
    # A: 10, 10, 30 complaints; B: 10, 30, 10. Network rate: 20/2000 = 0.01, 40/2000 = 0.02, 0.02.
    # A expected = 1000 x rate = 10, 20, 20; observed / expected = 1.0, 0.5, 1.5; centre 50/50 = 1.0.
    # Plain u chart limits: 1 +- 3 sqrt(1/E): E = 10 -> +-0.9487; E = 20 -> +-0.6708.
    months = pd.DataFrame(
        {
            "branch_id": ["A", "A", "A", "B", "B", "B"],
            "month": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"] * 2),
            "customers_served": [1000.0] * 6,
            "complaints": [10.0, 10.0, 30.0, 10.0, 30.0, 10.0],
            "branch_name": ["A", "A", "A", "B", "B", "B"],
        }
    )
    chart = control_charts.control_chart_against_network(months, "A", "complaint_rate", laney=False)
    np.testing.assert_allclose(chart.chart["value"], [1.0, 0.5, 1.5])
    np.testing.assert_allclose(chart.chart["expected"], [10.0, 20.0, 20.0])
    assert chart.chart["centre"].iloc[0] == pytest.approx(1.0)
    np.testing.assert_allclose(chart.chart["ucl"], [1.9487, 1.6708, 1.6708], atol=1e-4)
    np.testing.assert_allclose(chart.chart["lcl"], [0.0513, 0.3292, 0.3292], atol=1e-4)
    assert not chart.chart["beyond_limits"].any()


# --- the whole loop -----------------------------------------------------------------------------


class _Webhook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 (the http.server name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture()
def webhook():
    _Webhook.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Webhook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", _Webhook.received
    server.shutdown()


@pytest.fixture()
def smtp():
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
            self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
            return "250 OK"

    inbox = Inbox()
    port = browser.free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox.messages
    controller.stop()


def _planted_store(tmp_path):
    """The tiny demo with a surge planted in one steady branch's December 2025: its complaints
    that month copied three times over (x8: each copy also copies the earlier copies)."""
    from servicequality import demo

    path = demo.build(tmp_path / "tiny.duckdb", scale="tiny")
    con = store.connect_read_write(path)
    steady = [
        r[0] for r in con.execute("select branch_id from demo_branch_profiles where profile = 'steady'").fetchall()
    ]
    planted = sorted(steady)[0]
    for copy in (1, 2, 3):
        con.execute(
            """insert into tickets
            select ticket_id || '-P' || $copy, branch_id, channel, kind, category, priority,
                opened_at, first_response_at, resolved_at, status,
                reopened_count, escalated, satisfaction, segment, resolution_target_at
            from tickets
            where branch_id = $branch and kind = 'complaint'
                and opened_at >= timestamp '2025-12-01' and opened_at < timestamp '2025-12-31'""",
            {"branch": planted, "copy": copy},
        )
    rollups.refresh(con)
    region = con.execute("select region from branches where branch_id = $b", {"b": planted}).fetchone()[0]
    other = con.execute("select min(region) from branches where region <> $r", {"r": region}).fetchone()[0]
    con.close()
    return path, planted, sorted(set(steady) - {planted}), region, other


CONFIG = """
[delivery]
dashboard_url = "http://dashboard.example"
state = "sent.json"

[delivery.email]
host = "127.0.0.1"
port = {port}
from = "alerts@example.com"
to = ["ops@example.com"]

[delivery.webhook]
url = "{hook}"

[[recipient]]
email = "region.manager@example.com"
regions = ["{region}"]

[[recipient]]
email = "other.manager@example.com"
regions = ["{other}"]

[[rule]]
name = "Complaint rate outside the funnel"
kind = "funnel"
measure = "complaint_rate"

[[rule]]
name = "Complaint rate out of control"
kind = "control_chart"
measure = "complaint_rate"
"""


@pytest.mark.slow
def test_a_planted_signal_is_sent_once_by_email_and_webhook(tmp_path, smtp, webhook, capsys):
    db, planted, steady, region, other = _planted_store(tmp_path)
    port, inbox = smtp
    hook, calls = webhook
    config = tmp_path / "alerts.toml"
    config.write_text(CONFIG.format(port=port, hook=hook, region=region, other=other))
    args = ["alerts", "--config", str(config), "--db", str(db), "--as-of", "2025-12-31"]

    assert main(args) == 0, capsys.readouterr().err
    by_recipient = {tuple(to): message for to, message in inbox}
    assert set(by_recipient) == {("ops@example.com",), ("region.manager@example.com",)}, list(by_recipient)
    for message in by_recipient.values():
        body = message.get_payload(decode=True).decode()
        assert f"({planted})" in body and "Complaints per 1,000 customers served" in body
        assert "out of control" in body  # the control chart rule found it too
        assert not [b for b in steady if f"({b})" in body], f"steady branches named: {body}"
        assert "http://dashboard.example/consistency?period=2025-12-01&period=2025-12-31" in body
    assert len(calls) == 1
    named = {s["branch_id"] for s in calls[0]["signals"]}
    assert planted in named and not named & set(steady)
    assert {s["measure"] for s in calls[0]["signals"] if s["branch_id"] == planted} == {
        "Complaints per 1,000 customers served"
    }

    # The same signals a second time: nothing is sent again.
    assert main(args) == 0
    assert len(inbox) == 2 and len(calls) == 1
    assert "sent 0 new signal(s) in 0 e-mail(s) and 0 webhook call(s)" in capsys.readouterr().out
    sent = json.loads((tmp_path / "sent.json").read_text())["sent"]
    assert any(k.startswith(f"webhook|{hook}|") and f"|{planted}|2025-12|" in k for k in sent)


@pytest.mark.slow
def test_a_refused_webhook_is_tried_again_next_run(tmp_path, smtp, capsys):
    db = tmp_path / "copy.duckdb"
    path, _, _, region, other = _planted_store(tmp_path)
    shutil.copy(path, db)
    port, inbox = smtp
    config = tmp_path / "alerts.toml"
    config.write_text(CONFIG.format(port=port, hook="http://127.0.0.1:9/nothing-listens", region=region, other=other))
    args = ["alerts", "--config", str(config), "--db", str(db), "--as-of", "2025-12-31"]
    assert main(args) == 1
    assert "not sent, tried again next run: webhook" in capsys.readouterr().err
    assert len(inbox) == 2  # ops@ and the region's manager got their e-mails, remembered
    assert main(args) == 1  # the webhook still fails; the e-mails are not sent twice
    assert len(inbox) == 2
