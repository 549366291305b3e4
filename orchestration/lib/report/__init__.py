"""The annual report: data, wording, commentary, document, pages, charts, HTML and Markdown."""
