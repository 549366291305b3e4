"""`careaudit` run in this process, which stops itself (SIGSTOP) the moment a file or folder
whose path matches one of the named patterns is renamed into place, after writing that name
to MARKER. Every published file, staged output, manifest and the release switch itself is put
in place by os.replace, so a pattern names one exact step of a refresh, with no timing
involved. The test that started it then looks at what is on disk, exactly what a kill at that
moment would leave (a stopped process writes nothing more), and continues it (SIGCONT) or
kills it (SIGKILL).

usage: python stop_at.py MARKER NAME=REGEX... -- careaudit-arguments...
"""

import os
import re
import signal
import sys
from pathlib import Path

from orchestration.cli.commands import main


def stop_when_renamed_into_place(marker: Path, points: dict[str, re.Pattern[str]]) -> None:
    rename = os.replace

    def replace(source, target, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        rename(source, target, *args, **kwargs)
        for name, pattern in points.items():
            if pattern.search(os.fspath(target)):
                marker.write_text(name, encoding="utf-8")
                os.kill(os.getpid(), signal.SIGSTOP)

    os.replace = replace


if __name__ == "__main__":
    separator = sys.argv.index("--")
    named = (point.split("=", 1) for point in sys.argv[2:separator])
    points = {name: re.compile(pattern) for name, pattern in named}
    stop_when_renamed_into_place(Path(sys.argv[1]), points)
    sys.exit(main(sys.argv[separator + 1 :]))
