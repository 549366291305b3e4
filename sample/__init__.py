"""Synthetic sample audit exports, generated reproducibly from designs kept as data.

No real personal data exists in this project: the bundled sample extracts in
``seeds/sample_extracts/`` are written by ``write_sample`` from ``designs/*.yaml``.
"""

from sample.generator import write_sample

__all__ = ["write_sample"]
