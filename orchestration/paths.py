"""Where the repository keeps what the pipeline reads: fixed by the layout, not configurable."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "seeds"
CATALOGUE_DIR = SEEDS_DIR / "catalogue"
SAMPLE_EXTRACTS_DIR = SEEDS_DIR / "sample_extracts"
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# The example commentary of the bundled sample (the 2022 report's own), copied into the
# commentary folder when the sample is reported and the team has written none.
SAMPLE_COMMENTARY_DIR = SEEDS_DIR / "sample_commentary"
