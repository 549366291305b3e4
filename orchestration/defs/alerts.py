"""Email a person when a run fails: the run id, the job, each failing step and its error, and
where to look. Configured from CAREAUDIT_ALERT_* / CAREAUDIT_SMTP_*; off unless configured."""

import smtplib
import ssl
from email.message import EmailMessage

import dagster as dg

from orchestration.settings import AlertSettings


def root_cause(error: object) -> str:
    """The innermost error's message: what actually went wrong, not Dagster's wrappers."""
    if error is None:
        return "no error message"
    while getattr(error, "cause", None) is not None:
        error = error.cause  # type: ignore[attr-defined]
    return str(error.message).strip()  # type: ignore[attr-defined]


def failure_email(
    settings: AlertSettings, run_id: str, job_name: str, failures: list[tuple[str, str]]
) -> EmailMessage:
    steps = ", ".join(step for step, _ in failures) or "the run"
    message = EmailMessage()
    message["Subject"] = f"careaudit: run {run_id[:8]} of {job_name} failed at {steps}"
    message["From"] = settings.email_from
    message["To"] = ", ".join(settings.email_to)
    lines = [f"The careaudit run {run_id} of job {job_name} failed.", ""]
    for step, error in failures or [("(no step)", "the run failed before any step ran")]:
        lines += [f"Failing step: {step}", f"Error: {error}", ""]
    lines += [
        f"Run details and logs: {settings.ui_url}/runs/{run_id}",
        "Nothing was published from this run: publishing waits for every upstream step and "
        "blocking check to pass.",
    ]
    message.set_content("\n".join(lines))
    return message


def send_email(settings: AlertSettings, message: EmailMessage) -> None:
    """Send over SMTP with the configured security (STARTTLS, implicit TLS, or none)."""
    host, port = str(settings.smtp_host), settings.port
    if settings.smtp_security == "ssl":
        server: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, context=ssl.create_default_context(), timeout=30
        )
    else:
        server = smtplib.SMTP(host, port, timeout=30)
    with server:
        if settings.smtp_security == "starttls":
            server.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            server.login(settings.smtp_user, settings.smtp_password or "")
        server.send_message(message)


def build_failure_alert_sensor(settings: AlertSettings) -> dg.SensorDefinition:
    @dg.run_failure_sensor(
        name="email_on_run_failure",
        description=(
            f"Emails {', '.join(settings.email_to)} via {settings.smtp_host} when a run fails, "
            "with the run id and the failing step."
        ),
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    def email_on_run_failure(context: dg.RunFailureSensorContext) -> None:
        failures = [
            (event.step_key or "(run)", root_cause(event.step_failure_data.error))
            for event in context.get_step_failure_events()
        ]
        run = context.dagster_run
        send_email(settings, failure_email(settings, run.run_id, run.job_name, failures))

    return email_on_run_failure
