"""When a run fails, the failure sensor emails the configured address with the run id and the
failing step, over SMTP; without configuration there is no alert sensor at all."""

import socket
from dataclasses import replace
from email import message_from_bytes, policy
from email.message import EmailMessage

import dagster as dg
import pytest
from aiosmtpd.controller import Controller

from orchestration.definitions import REFRESH_JOB, build_definitions
from orchestration.defs.alerts import build_failure_alert_sensor
from orchestration.defs.partitions import range_tags, register_landed_files
from orchestration.lib.ingest.changes import landing_file_names
from orchestration.settings import AlertSettings, AutomationSettings, Settings


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def alert_settings(port: int) -> AlertSettings:
    return AlertSettings(
        email_to=("data-team@example.org",),
        email_from="careaudit@example.org",
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        smtp_user=None,
        smtp_password=None,
        ui_url="http://127.0.0.1:3000",
    )


def failing_run(tmp_path) -> tuple[dg.DagsterInstance, dg.ExecuteInProcessResult]:
    """A real refresh that fails at ingest: the warehouse path is a directory."""
    settings = replace(Settings.from_env(), data_dir=tmp_path, pseudonymisation_key="test-key")
    settings.warehouse_path.mkdir(parents=True)
    defs = build_definitions(settings, AutomationSettings.from_env(), alert_settings(25))
    instance = dg.DagsterInstance.ephemeral()
    files = landing_file_names(settings)
    register_landed_files(instance, files)
    result = defs.resolve_job_def(REFRESH_JOB).execute_in_process(
        instance=instance, tags=range_tags(instance, files), raise_on_error=False
    )
    assert not result.success
    return instance, result


def test_a_failed_run_emails_its_run_id_and_failing_step(tmp_path, smtp_server):
    controller, inbox = smtp_server
    instance, result = failing_run(tmp_path)
    failure = result.get_run_failure_event()
    context = dg.build_run_status_sensor_context(
        sensor_name="email_on_run_failure",
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=failure,
    ).for_run_failure()

    build_failure_alert_sensor(alert_settings(controller.port))(context)

    assert len(inbox.messages) == 1
    email = inbox.messages[0]
    body = email.get_content()
    assert email["To"] == "data-team@example.org"
    assert result.run_id[:8] in email["Subject"]
    assert "ingest_audit_extracts" in email["Subject"]
    assert result.run_id in body
    assert "Failing step: ingest_audit_extracts" in body
    assert "warehouse.duckdb" in body  # the error itself, not Dagster's wrapper
    assert f"http://127.0.0.1:3000/runs/{result.run_id}" in body


def test_alerts_are_off_unless_a_recipient_and_a_server_are_configured(monkeypatch):
    for name in ("CAREAUDIT_ALERT_EMAIL_TO", "CAREAUDIT_SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    assert not AlertSettings.from_env().enabled
    defs = build_definitions(Settings.from_env())
    assert [s.name for s in defs.sensors] == ["landing_folder_sensor"]

    monkeypatch.setenv("CAREAUDIT_ALERT_EMAIL_TO", "a@example.org, b@example.org")
    monkeypatch.setenv("CAREAUDIT_SMTP_HOST", "smtp.example.org")
    alerts = AlertSettings.from_env()
    assert alerts.enabled and alerts.email_to == ("a@example.org", "b@example.org")
    assert (alerts.port, alerts.smtp_security) == (587, "starttls")
    defs = build_definitions(Settings.from_env())
    assert "email_on_run_failure" in [s.name for s in defs.sensors]
