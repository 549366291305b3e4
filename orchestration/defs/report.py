"""The annual report as a Dagster asset: publish/report/care_plan_audit_<period>.html and .md
(written into the run's staged release, published by publish/release), downstream of what
the dbt exposure `annual_report` declares, with a preview (Markdown and the age chart) in the
UI."""

import base64

import dagster as dg

from orchestration.defs.progress import report
from orchestration.defs.publish.declare import publish_asset
from orchestration.defs.publish.staging import stage
from orchestration.defs.resources import CareauditResource
from orchestration.lib.report.markdown import render_markdown
from orchestration.lib.report.publish import preview_image, publish_reports

KEY = dg.AssetKey(["publish", "annual_report"])
EXPOSURE = "annual_report"  # the dbt exposure declaring what the report reads
PREVIEW_UNTIL = "about"  # the preview leaves out how the figures were made


def build_annual_report_asset(inputs: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @publish_asset(
        KEY.path[-1],
        deps=inputs,
        kinds={"python", "html", "markdown"},
        exposure=EXPOSURE,
        description=(
            "`publish/report/care_plan_audit_<year>.html` and `.md`: the Annual Care Plan "
            "Audit report of the latest year (`CAREAUDIT_REPORT_PERIODS=all` for every year) "
            "in the wording of `seeds/catalogue/report_sentences.csv`: key messages, what "
            "changed since last year, findings with charts (each with the table of its "
            "numbers), and the team's commentary and recommendations from "
            "`$CAREAUDIT_REPORT_COMMENTARY_DIR/care_plan_audit_<year>.md` (created as a "
            "template when missing). One self-contained HTML page, printable to A4."
        ),
    )
    def annual_report(
        context: dg.AssetExecutionContext, careaudit: CareauditResource
    ) -> dg.MaterializeResult:
        staged = stage(context, careaudit.settings())
        out = staged.directory / "report"
        published = publish_reports(
            staged.settings,
            out,
            staged.data_version,
            progress=lambda line: report(context, line),
            run_id=context.run_id,
        )
        staged.record({path: None for p in published for path in (p.html, p.markdown)})
        if not published:
            report(context, "no period has audits yet: no annual report written")
            return dg.MaterializeResult(metadata={"periods": "none"})
        latest = published[-1]
        # Where the files are once the release is published (the release folders are pruned).
        html, markdown = (staged.published_path(p) for p in (latest.html, latest.markdown))
        metadata: dict[str, dg.RawMetadataValue] = {
            "report_html": dg.MetadataValue.path(str(html)),
            "open_report": dg.MetadataValue.url(html.as_uri()),
            "report_markdown": dg.MetadataValue.path(str(markdown)),
            "directory": dg.MetadataValue.path(str(staged.published_path(out))),
            "data_version": staged.data_version,
            "periods": ", ".join(p.report.time_period for p in published),
            "commentary": dg.MetadataValue.path(str(latest.commentary.path)),
            "commentary_sections": ", ".join(latest.commentary.sections) or "none yet",
            "figures": sum(1 for _ in latest.report.figures),
            "preview": dg.MetadataValue.md(render_markdown(latest.report, until=PREVIEW_UNTIL)),
        }
        image = preview_image(latest.report)
        if image is not None:
            figure, png = image
            encoded = base64.b64encode(png).decode("ascii")
            metadata["chart"] = dg.MetadataValue.md(
                f"**Figure {figure.number}. {figure.title}**\n\n"
                f"![{figure.alt}](data:image/png;base64,{encoded})"
            )
        return dg.MaterializeResult(metadata=metadata)

    return annual_report
