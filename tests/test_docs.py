"""The documentation a newcomer reads: the README is a front door of at most 10 KB, the rest is
in docs/ by topic, and every link between them lands on a file and a heading that exist."""

import re
from pathlib import Path

import pytest

from orchestration.paths import REPO_ROOT

DOCS = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives the headings: lower case, punctuation dropped, spaces as
    hyphens, a repeated heading numbered."""
    seen: dict[str, int] = {}
    found = set()
    for heading in re.findall(r"^#{1,6} (.+)$", FENCE.sub("", markdown), re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(f"{slug}-{seen[slug]}" if slug in seen else slug)
        seen[slug] = seen.get(slug, 0) + 1
    return found


def relative_links(document: Path) -> list[str]:
    text = FENCE.sub("", document.read_text())
    return [t for t in LINK.findall(text) if not re.match(r"[a-z]+:", t)]


def test_the_readme_is_a_front_door_of_at_most_10_kb() -> None:
    readme = (REPO_ROOT / "README.md").read_text()

    assert len(readme.encode()) <= 10_000
    for topic in ("operating", "ingest", "methodology", "publishing", "annual-report"):
        assert f"(docs/{topic}.md)" in readme
    assert "(docs/development.md)" in readme


@pytest.mark.parametrize("document", DOCS, ids=lambda p: p.name)
def test_every_link_lands_on_a_file_and_a_heading_that_exist(document: Path) -> None:
    broken = []
    for target in relative_links(document):
        path, _, anchor = target.partition("#")
        linked = (document.parent / path).resolve() if path else document
        if not linked.exists() or (anchor and anchor not in anchors(linked.read_text())):
            broken.append(target)
    assert broken == []


def test_each_long_document_opens_with_contents_listing_every_section() -> None:
    long_docs = [d for d in DOCS[1:] if len(d.read_text().encode()) > 6_000]

    assert long_docs
    for document in long_docs:
        text = document.read_text()
        contents = text[: text.index("\n## ")]
        sections = anchors("\n".join(re.findall(r"^## .+$", FENCE.sub("", text), re.MULTILINE)))
        assert "Contents" in contents, document.name
        assert {a for a in sections if f"(#{a})" not in contents} == set(), document.name


CODE_PATH = re.compile(r"`((?:orchestration|dbt_project|seeds|sample|benchmarks|tests)/[\w./-]+)`")


@pytest.mark.parametrize("document", DOCS, ids=lambda p: p.name)
def test_every_repository_path_the_docs_name_exists(document: Path) -> None:
    named = CODE_PATH.findall(document.read_text())

    assert [path for path in named if not (REPO_ROOT / path.rstrip("/")).exists()] == []
