"""The lock files (issue 13): `make`, CI and the Dockerfile install pinned, hashed versions, and the pins
satisfy pyproject.toml's bounds, so a fresh machine gets the versions the tests passed with."""

from __future__ import annotations

import re
import sys
from collections import defaultdict

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pytest's own dependency on Python 3.10
    import tomli as tomllib

PIN = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def pins(name: str) -> dict[str, list[tuple[str, str]]]:
    """Package → [(version, environment marker)] of one lock file."""
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for line in (ROOT / "requirements" / name).read_text().splitlines():
        match = PIN.match(line)
        if match:
            found[canonicalize_name(match[1])].append((match[2], (match[3] or "").strip()))
    return found


def test_every_pin_has_a_hash():
    for name in ("base.txt", "dev.txt"):
        text = (ROOT / "requirements" / name).read_text()
        blocks = [b for b in re.split(r"\n(?=[A-Za-z0-9])", text) if not b.startswith("#")]
        assert blocks
        for block in blocks:
            assert "==" in block.splitlines()[0] and "--hash=sha256:" in block, block[:80]


def test_pins_satisfy_the_bounds_of_pyproject_and_runtime_matches_development():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    base, dev = pins("base.txt"), pins("dev.txt")
    sets = ((project["dependencies"], base), (project["optional-dependencies"]["dev"], dev))
    for requirements, lock in sets:
        for line in requirements:
            requirement = Requirement(line)
            versions = lock.get(canonicalize_name(requirement.name))
            assert versions, f"{requirement.name} is not in the lock: run `make lock`"
            for version, _marker in versions:
                assert requirement.specifier.contains(version, prereleases=True), (line, version)
    # The image runs what the tests ran: wherever the runtime lock installs a package, the development lock
    # installs the same version. The development lock may install it in more environments (its markers are
    # wider when a development tool needs the package too: Locust's gevent needs cffi on PyPy), never fewer.
    for package, versions in base.items():
        for environment in ENVIRONMENTS:
            assert _installed(versions, environment) == _installed(dev[package], environment) or (
                _installed(versions, environment) is None
            ), (package, environment)
        assert {v for v, _m in versions} <= {v for v, _m in dev[package]}, package


# The environments the universal lock serves (`make lock`: Python 3.10–3.13), on CPython and PyPy, on the
# platforms a developer or the image runs.
ENVIRONMENTS = [
    {
        "python_version": f"3.{minor}",
        "python_full_version": f"3.{minor}.0",
        "implementation_name": implementation,
        "platform_python_implementation": {"cpython": "CPython", "pypy": "PyPy"}[implementation],
        "sys_platform": platform,
        "platform_system": {"linux": "Linux", "darwin": "Darwin", "win32": "Windows"}[platform],
        "os_name": "nt" if platform == "win32" else "posix",
        "platform_machine": "x86_64",
    }
    for minor in (10, 11, 12, 13)
    for implementation in ("cpython", "pypy")
    for platform in ("linux", "darwin", "win32")
]


def _installed(versions: list[tuple[str, str]], environment: dict[str, str]) -> str | None:
    """The version a lock's lines for one package install in an environment (None: not installed)."""
    from packaging.markers import Marker

    chosen = [v for v, marker in versions if not marker or Marker(marker).evaluate(environment)]
    assert len(chosen) <= 1, (versions, environment)
    return chosen[0] if chosen else None


def test_make_and_the_image_install_from_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    assert "LOCK := requirements/dev.txt" in makefile
    assert re.search(r"^\$\(STAMP\): pyproject.toml \$\(LOCK\)$", makefile, re.M)
    assert "--require-hashes -r $(LOCK)" in makefile and "--no-deps -e ." in makefile
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes -r requirements/base.txt" in dockerfile
    assert re.search(r"pip install --no-deps -e \.", dockerfile)
    assert not re.search(r"pip install (?!--require-hashes|--no-deps)", dockerfile)
