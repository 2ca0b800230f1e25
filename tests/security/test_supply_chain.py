"""What is tested is what is deployed: requirements.lock pins every package, with hashes, for
every requirement of pyproject.toml; `make install` installs exactly it (hash-checked), the
image the same versions, and the environment running these tests is that lock."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements.lock"
# One entry: "name==version[ ; marker]" then its "--hash=sha256:" lines.
ENTRY = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)"
                   r"(?:\s*;\s*(?P<marker>[^\\\n]+?))?\s*\\?$")


def locked() -> dict[str, tuple[str, Marker | None, int]]:
    """Package -> (version, marker, number of hashes)."""
    entries: dict[str, tuple[str, Marker | None, int]] = {}
    current = ""
    for line in LOCK.read_text().splitlines():
        if match := ENTRY.match(line):
            current = canonicalize_name(match["name"])
            marker = Marker(match["marker"]) if match["marker"] else None
            entries[current] = (match["version"], marker, 0)
        elif line.strip().startswith("--hash=sha256:") and current:
            version, marker, hashes = entries[current]
            entries[current] = (version, marker, hashes + 1)
        elif line.strip() and not line.lstrip().startswith("#"):
            raise AssertionError(f"a line requirements.lock should not have: {line!r}")
    return entries


def requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [*project["dependencies"],
                *(r for extra in project["optional-dependencies"].values() for r in extra)]
    return [Requirement(r) for r in declared]


def test_every_requirement_of_pyproject_is_pinned_in_the_lock() -> None:
    lock = locked()
    stale = [f"{r} (locked: {lock.get(canonicalize_name(r.name), ('none',))[0]})"
             for r in requirements()
             if canonicalize_name(r.name) not in lock
             or not r.specifier.contains(lock[canonicalize_name(r.name)][0], prereleases=True)]
    assert not stale, f"requirements.lock is stale, run `make lock`: {stale}"


def test_every_locked_package_carries_the_hashes_of_its_files() -> None:
    lock = locked()
    assert len(lock) > 100
    assert not [name for name, (_, _, hashes) in lock.items() if hashes == 0]


def test_this_environment_is_the_lock() -> None:
    """Run after `make install`: every locked package for this platform at its version."""
    installed: dict[str, str] = {canonicalize_name(d.metadata["Name"]): d.version
                                 for d in metadata.distributions()}
    wrong = [f"{name}=={version} (installed: {installed.get(name, 'none')})"
             for name, (version, marker, _) in locked().items()
             if (marker is None or marker.evaluate()) and installed.get(name) != version]
    assert not wrong, f"not what requirements.lock pins (run `make install`): {wrong}"


def test_make_install_and_the_image_install_from_the_lock() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet --require-hashes -r $(LOCK)" in makefile
    assert "pip install --quiet --no-deps --no-build-isolation -e ." in makefile
    assert re.search(r"^lock: .*\n\t\$\(VENV\)/bin/uv pip compile --quiet", makefile, re.M)
    assert re.search(r"^audit: .*\n\t\$\(VENV\)/bin/pip-audit .*-r \$\(LOCK\)", makefile, re.M)
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "requirements.lock" in dockerfile
    assert 'pip install -c /tmp/pins.txt ".[ml]"' in dockerfile
