"""The Annual Care Plan Audit report, written from the warehouse: data (what it reads),
wording (sentence templates and comparisons), commentary (the team's text), document (the
report's structure), charts, and the Markdown and HTML renderers."""
