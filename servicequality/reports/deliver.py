"""Sending alerts: e-mail over SMTP, a JSON webhook, and the memory of what was sent.

A signal reaches each recipient once: its key is written to the state file after the message
went out (an e-mail refused by the server or a webhook answering with an error is tried again on
the next run). The state file is replaced atomically, so a run killed half-way loses nothing.
Recipients may have a scope (branches or regions): they get the signals of those branches only;
signals about the whole network go to recipients without a scope.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import smtplib
import tempfile
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from servicequality.reports.alerts import AlertConfigError, Signal

WEBHOOK_TIMEOUT_S = 20


@dataclass(frozen=True)
class Recipient:
    email: str
    branches: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()

    def wants(self, signal: Signal, region_of: Mapping[str, str]) -> bool:
        if not self.branches and not self.regions:
            return True
        if signal.branch_id is None:
            return False
        return signal.branch_id in self.branches or region_of.get(signal.branch_id) in self.regions


@dataclass(frozen=True)
class Delivery:
    dashboard_url: str
    state: Path
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password_env: str | None = None
    sender: str = "service-quality@localhost"
    recipients: tuple[Recipient, ...] = ()
    webhook_url: str | None = None


def parse_delivery(config: Mapping[str, Any], config_path: Path) -> Delivery:
    section = config.get("delivery", {})
    email = section.get("email", {})
    webhook = section.get("webhook", {})
    recipients = [Recipient(str(a)) for a in email.get("to", [])]
    for i, entry in enumerate(config.get("recipient", []), start=1):
        if "email" not in entry:
            raise AlertConfigError(f"recipient {i}: needs email = the address to send to.")
        recipients.append(
            Recipient(str(entry["email"]), frozenset(entry.get("branches", [])), frozenset(entry.get("regions", [])))
        )
    if recipients and not email.get("host"):
        raise AlertConfigError("[delivery.email] needs host = the SMTP server to send through.")
    if not recipients and not webhook.get("url"):
        raise AlertConfigError(
            "Nowhere to send alerts: give [delivery.email] with to = [...], or [delivery.webhook] url."
        )
    state = Path(section.get("state", config_path.with_suffix(".sent.json")))
    if not state.is_absolute():
        state = config_path.parent / state
    return Delivery(
        dashboard_url=str(section.get("dashboard_url", "http://127.0.0.1:8501")),
        state=state,
        smtp_host=email.get("host"),
        smtp_port=int(email.get("port", 25)),
        smtp_starttls=bool(email.get("starttls", False)),
        smtp_user=email.get("username"),
        smtp_password_env=email.get("password_env"),
        sender=str(email.get("from", "service-quality@localhost")),
        recipients=tuple(recipients),
        webhook_url=webhook.get("url"),
    )


# --- what was sent ------------------------------------------------------------------------------


def load_state(path: Path) -> dict[str, str]:
    """{channel|recipient|signal key: when it was sent}; empty when nothing was sent yet."""
    if not path.exists():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")).get("sent", {}))


def save_state(path: Path, sent: Mapping[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"sent": dict(sorted(sent.items()))}, f, indent=1)
    os.replace(tmp, path)


# --- the messages -------------------------------------------------------------------------------


def email_text(signals: Sequence[Signal]) -> str:
    lines = [f"{len(signals)} new signal{'s' if len(signals) != 1 else ''} from the service quality dashboard.", ""]
    for s in signals:
        lines += [f"* {s.line()}", f"  Rule: {s.rule}. See: {s.link}", ""]
    lines.append("Each signal is sent once. Signals are special causes (outside limits), not noise.")
    return "\n".join(lines)


def subject(signals: Sequence[Signal]) -> str:
    first = signals[0]
    more = f" and {len(signals) - 1} more" if len(signals) > 1 else ""
    return f"Service quality alert: {first.branch}, {first.measure}{more}"


def send_email(delivery: Delivery, to: str, signals: Sequence[Signal]) -> None:
    message = EmailMessage()
    message["From"] = delivery.sender
    message["To"] = to
    message["Subject"] = subject(signals)
    message.set_content(email_text(signals))
    with smtplib.SMTP(delivery.smtp_host, delivery.smtp_port, timeout=30) as smtp:
        if delivery.smtp_starttls:
            smtp.starttls()
        if delivery.smtp_user:
            smtp.login(delivery.smtp_user, os.environ.get(delivery.smtp_password_env or "", ""))
        smtp.send_message(message)


def send_webhook(url: str, signals: Sequence[Signal], sent_at: str) -> None:
    body = json.dumps({"sent_at": sent_at, "signals": [s.as_json() for s in signals]}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_S) as response:
        response.read()


@dataclass
class Outcome:
    emails: int = 0
    webhooks: int = 0
    signals_sent: int = 0
    failures: list[str] | None = None


def deliver(
    delivery: Delivery, signals: Sequence[Signal], region_of: Mapping[str, str], now: dt.datetime | None = None
) -> Outcome:
    """Send each channel its new signals, then remember them."""
    sent = load_state(delivery.state)
    stamp = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    outcome = Outcome(failures=[])
    new_keys: set[str] = set()
    for recipient in delivery.recipients:
        fresh = [s for s in signals if recipient.wants(s, region_of) and f"email|{recipient.email}|{s.key}" not in sent]
        if not fresh:
            continue
        try:
            send_email(delivery, recipient.email, fresh)
        except (OSError, smtplib.SMTPException) as exc:
            outcome.failures.append(f"e-mail to {recipient.email}: {exc}")
            continue
        outcome.emails += 1
        for s in fresh:
            sent[f"email|{recipient.email}|{s.key}"] = stamp
            new_keys.add(s.key)
    if delivery.webhook_url:
        fresh = [s for s in signals if f"webhook|{delivery.webhook_url}|{s.key}" not in sent]
        if fresh:
            try:
                send_webhook(delivery.webhook_url, fresh, stamp)
            except OSError as exc:
                outcome.failures.append(f"webhook {delivery.webhook_url}: {exc}")
            else:
                outcome.webhooks += 1
                for s in fresh:
                    sent[f"webhook|{delivery.webhook_url}|{s.key}"] = stamp
                    new_keys.add(s.key)
    save_state(delivery.state, sent)
    outcome.signals_sent = len(new_keys)
    return outcome
