"""The Dagster UI works the way an engineer uses it: `dagster dev` loads the code location,
a refresh launched through the GraphQL API materialises everything with passing checks, the
asset graph has the lineage landing file -> raw -> staging -> intermediate -> marts -> publish,
and a real (headless) browser shows it."""

import time

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from orchestration.definitions import REFRESH_JOB
from orchestration.defs.partitions import RANGE_END_TAG, RANGE_START_TAG
from orchestration.paths import SAMPLE_EXTRACTS_DIR
from tests.e2e.dagster_ui import DagsterUI, chromium, dagster_dev, screenshot

pytestmark = [pytest.mark.slow, pytest.mark.browser]

LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
  }
}"""

ADD_PARTITION = """
mutation Add($selector: RepositorySelector!, $key: String!) {
  addDynamicPartition(
    repositorySelector: $selector, partitionsDefName: "landed_files", partitionKey: $key
  ) { __typename }
}"""

RUN_STATUS = """
query Status($runId: ID!) { runOrError(runId: $runId) { ... on Run { status } } }"""

ASSET_NODES = """
{ assetNodes {
    assetKey { path }
    dependencyKeys { path }
    groupName
    assetChecksOrError {
      ... on AssetChecks { checks { name executionForLatestMaterialization { status } } }
    }
} }"""

PUBLISHED = "publish/internal_files"


REPOSITORY = {"repositoryLocationName": "careaudit", "repositoryName": "__repository__"}


def run_refresh(ui: DagsterUI, timeout: float = 420) -> str:
    """Register a partition per landed file and launch one run over all of them, as the
    sensor and the schedule do."""
    files = sorted(p.name for p in SAMPLE_EXTRACTS_DIR.iterdir() if p.suffix in (".csv", ".xlsx"))
    for name in files:
        added = ui.graphql(ADD_PARTITION, {"selector": REPOSITORY, "key": name})
        assert added["addDynamicPartition"]["__typename"] == "AddDynamicPartitionSuccess", added
    params = {
        "selector": {**REPOSITORY, "jobName": REFRESH_JOB},
        "runConfigData": {},
        "executionMetadata": {
            "tags": [
                {"key": RANGE_START_TAG, "value": files[0]},
                {"key": RANGE_END_TAG, "value": files[-1]},
            ]
        },
    }
    launched = ui.graphql(LAUNCH, {"params": params})["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = ui.graphql(RUN_STATUS, {"runId": run_id})["runOrError"]["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            return status
        time.sleep(2)
    raise TimeoutError(f"run {run_id} did not finish")


@pytest.fixture(scope="module")
def materialised_ui(tmp_path_factory: pytest.TempPathFactory):
    tmp_path = tmp_path_factory.mktemp("dagster_ui")
    with dagster_dev(tmp_path) as ui:
        assert run_refresh(ui) == "SUCCESS"
        nodes = {"/".join(n["assetKey"]["path"]): n for n in ui.graphql(ASSET_NODES)["assetNodes"]}
        yield ui, nodes, tmp_path


@pytest.mark.parametrize(
    ("asset", "parent"),
    [
        ("raw/audit_answers", "landing/audit_extracts"),
        ("staging/stg_audit__answers", "raw/audit_answers"),
        ("intermediate/int_answers_rolled_up", "staging/stg_audit__answers"),
        ("marts/fct_care_plan", "intermediate/int_question_responses_classified"),
        ("marts/fct_metrics", "intermediate/int_metric_values_computed"),
        ("intermediate/int_metric_values_computed", "intermediate/int_metric_counts_by_file"),
        ("reporting/rpt_metrics", "marts/fct_metrics"),
        (PUBLISHED, "reporting/rpt_metrics"),
    ],
)
def test_the_asset_graph_has_the_lineage_edges(materialised_ui, asset, parent):
    _, nodes, _ = materialised_ui
    assert parent in {"/".join(d["path"]) for d in nodes[asset]["dependencyKeys"]}


def test_every_check_passed_on_the_latest_materialisation(materialised_ui):
    _, nodes, _ = materialised_ui
    executions = {
        (key, check["name"]): (check["executionForLatestMaterialization"] or {}).get("status")
        for key, node in nodes.items()
        for check in (node["assetChecksOrError"] or {}).get("checks", [])
    }
    assert len(executions) > 100
    assert {k: v for k, v in executions.items() if v != "SUCCEEDED"} == {}


def page_text(driver) -> str:
    return driver.find_element(By.TAG_NAME, "body").text


def click_button(driver, label: str) -> None:
    driver.find_element(By.XPATH, f"//button[normalize-space()='{label}']").click()


def dismiss_welcome(driver) -> None:
    """A fresh instance greets the first visit with a community sign-up dialog."""
    try:
        WebDriverWait(driver, 10).until(lambda d: "Join the Dagster community" in page_text(d))
    except TimeoutException:
        return
    click_button(driver, "Skip")
    WebDriverWait(driver, 10).until(lambda d: "Join the Dagster community" not in page_text(d))


def wait_for_text(driver, text: str, seconds: int = 60) -> None:
    WebDriverWait(driver, seconds).until(lambda d: text in page_text(d))


def open_page(driver, url: str, showing: str) -> None:
    """Open a page of the UI (past the welcome dialog) once it shows the given text."""
    driver.get(url)
    dismiss_welcome(driver)
    wait_for_text(driver, showing)


def test_a_browser_shows_the_lineage_of_the_published_metrics(materialised_ui):
    ui, _, tmp_path = materialised_ui
    with chromium(tmp_path) as driver:
        open_page(
            driver, f"{ui.url}/assets/{PUBLISHED}?view=lineage&lineageScope=upstream", "rpt_metrics"
        )
        # Two levels up: the reporting models and the marts they read.
        driver.find_element(By.XPATH, "//button[.//div[@aria-label='add']]").click()
        zoom_out = driver.find_element(By.XPATH, "//button[.//div[@aria-label='zoom_out']]")
        for _ in range(3):  # the graph draws only the assets in view: see all of it
            zoom_out.click()
        wait_for_text(driver, "fct_metrics")
        time.sleep(2)  # let the graph finish laying out before the screenshot
        screenshot(driver, "dagster_ui_lineage")
        text = page_text(driver)
        for shown in ("internal_files", "rpt_metrics", "rpt_metric_trends", "fct_metrics"):
            assert shown in text


def test_a_browser_shows_the_published_metrics_asset_page(materialised_ui):
    ui, _, tmp_path = materialised_ui
    with chromium(tmp_path) as driver:
        open_page(driver, f"{ui.url}/assets/{PUBLISHED}", "metrics.csv")
        time.sleep(1)
        screenshot(driver, "dagster_ui_published_metrics")
        text = page_text(driver)
        assert "Latest materialization" in text
        assert "rows_metrics" in text and "careaudit_refresh" in text


REPORT = "publish/annual_report"

IMAGES = """
return [...document.querySelectorAll('img')]
  .filter(img => img.src.startsWith('data:image/png'))
  .map(img => ({alt: img.alt, width: img.naturalWidth, complete: img.complete}));
"""


def show_markdown(driver, key: str) -> None:
    """Open the dialog the asset page shows a Markdown metadata value in."""
    driver.find_element(
        By.XPATH,
        f"//tr[td[normalize-space()='{key}']]//*[normalize-space(text())='[Show Markdown]']",
    ).click()


def test_a_browser_shows_the_annual_reports_preview_and_chart(materialised_ui):
    ui, _, tmp_path = materialised_ui
    with chromium(tmp_path) as driver:
        open_page(driver, f"{ui.url}/assets/{REPORT}", "care_plan_audit_2022.html")
        show_markdown(driver, "chart")
        WebDriverWait(driver, 30).until(lambda d: d.execute_script(IMAGES))
        time.sleep(1)
        screenshot(driver, "dagster_ui_annual_report_chart")
        [image] = driver.execute_script(IMAGES)
        assert image["complete"] and image["width"] > 200  # the age chart, drawn
        assert image["alt"].startswith("Bar chart: audits by age band, 2022")
        click_button(driver, "Close")
        show_markdown(driver, "preview")
        WebDriverWait(driver, 30).until(
            lambda d: "209 (87%) children feel their life has improved" in page_text(d)
        )
