"""Which years get a report: the latest by default, every year, or the years named; a
year without audits is refused with the years that have them."""

from datetime import date

import pytest

from orchestration.lib.report.data import Period
from orchestration.lib.report.publish import ReportPeriodError, chosen_periods
from orchestration.settings import Settings, SettingsError

AVAILABLE = [
    Period(year, "Calendar year", date(int(year), 8, 1), None, 10) for year in ("2021", "2022")
]


@pytest.mark.parametrize(
    ("setting", "years"),
    [
        ("latest", ["2022"]),
        ("all", ["2021", "2022"]),
        ("2021", ["2021"]),
        ("2022,2021", ["2022", "2021"]),
    ],
)
def test_the_setting_chooses_the_years(setting, years):
    assert [p.time_period for p in chosen_periods(AVAILABLE, setting)] == years


def test_no_audits_means_no_report_rather_than_an_error():
    assert chosen_periods([], "latest") == []


def test_a_year_without_audits_is_refused_with_the_years_that_have_them():
    with pytest.raises(
        ReportPeriodError, match="names 2019, which has no audits; periods with audits: 2021, 2022"
    ):
        chosen_periods(AVAILABLE, "2019,2022")


@pytest.mark.parametrize(
    ("raw", "parsed"), [(" ALL ", "all"), ("2021, 2022", "2021,2022"), ("202223", "202223")]
)
def test_the_environment_variable_is_read_and_checked(monkeypatch, raw, parsed):
    monkeypatch.setenv("CAREAUDIT_REPORT_PERIODS", raw)
    assert Settings.from_env().report_periods == parsed


def test_a_malformed_setting_is_refused(monkeypatch):
    monkeypatch.setenv("CAREAUDIT_REPORT_PERIODS", "last")
    with pytest.raises(SettingsError, match="CAREAUDIT_REPORT_PERIODS='last'"):
        Settings.from_env()


def test_the_commentary_folder_defaults_to_the_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("CAREAUDIT_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CAREAUDIT_REPORT_COMMENTARY_DIR", raising=False)
    assert Settings.from_env().commentary_dir == tmp_path / "report_commentary"
    monkeypatch.setenv("CAREAUDIT_REPORT_COMMENTARY_DIR", str(tmp_path / "ours"))
    assert Settings.from_env().commentary_dir == tmp_path / "ours"
