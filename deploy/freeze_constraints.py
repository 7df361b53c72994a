"""Write deploy/constraints.txt: requirements.txt and everything it pulls in, at the installed versions.

    python deploy/freeze_constraints.py    # after changing requirements.txt and passing the tests

Reads the installed packages' metadata (no network), following only the dependencies that
apply here (no extras; markers evaluated for this Python and platform, as in the image).
"""

import re
from importlib.metadata import distribution
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
HEADER = """\
# Every package the app installs (requirements.txt and what it pulls in), at the versions the tests
# passed with: the Dockerfile installs with -c deploy/constraints.txt, so an image built later gets
# the same code. Regenerate after changing requirements.txt: python deploy/freeze_constraints.py
"""


def closure(names: list[str]) -> dict[str, str]:
    """{normalised name: installed version} for ``names`` and their dependencies."""
    pinned, todo = {}, list(names)
    while todo:
        name = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if name in pinned:
            continue
        dist = distribution(name)
        pinned[name] = dist.version
        for line in dist.requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return pinned


def main() -> None:
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    direct = [Requirement(line).name for line in lines if line.strip() and not line.lstrip().startswith("#")]
    pinned = closure(direct)
    (ROOT / "deploy" / "constraints.txt").write_text(HEADER + "".join(f"{n}=={v}\n" for n, v in sorted(pinned.items())))
    print(f"deploy/constraints.txt: {len(pinned)} packages")


if __name__ == "__main__":
    main()
