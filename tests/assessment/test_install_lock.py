"""The environment the tests run in is exactly the lock: every distribution at its pinned version.

`make test` installs requirements/test.txt and requirements/venv.txt with pip-sync; a package
installed by hand, or a pin the install did not honour, fails here rather than passing by luck.
"""

import re
import sysconfig
from importlib import metadata
from pathlib import Path

from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCKS = [ROOT / "requirements/test.txt", ROOT / "requirements/venv.txt"]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")
PROJECT = "exit-assessment"


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        match = PIN.match(line)
        if match:
            found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def locked() -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in LOCKS:
        for name, version in pins(path).items():
            assert merged.setdefault(name, version) == version, f"{name}: the locks disagree"
    return merged


def installed() -> dict[str, str]:
    """Distributions installed in the venv's site-packages (not the copies setuptools vendors,
    which appear on sys.path once pkg_resources is imported)."""
    site = {Path(sysconfig.get_path(key)).resolve() for key in ("purelib", "platlib")}
    return {
        canonicalize_name(dist.metadata["Name"]): dist.version
        for dist in metadata.distributions()
        if canonicalize_name(dist.metadata["Name"]) != PROJECT
        and Path(dist.locate_file("")).resolve() in site
    }


def test_every_lock_entry_is_an_exact_pin_with_hashes():
    for path in [*LOCKS, ROOT / "requirements/runtime.txt"]:
        # An entry is a line starting in column 0 with its indented continuation lines.
        entries = re.split(r"\n(?=\S)", path.read_text())
        requirements = [e for e in entries if not e.startswith(("#", "-"))]
        assert requirements, f"{path.name} pins nothing"
        for entry in requirements:
            assert PIN.match(entry), f"{path.name}: not an exact pin: {entry.splitlines()[0]}"
            assert "--hash=sha256:" in entry, f"{path.name}: no hash for {entry.splitlines()[0]}"


def test_the_runtime_lock_agrees_with_the_test_lock():
    test = locked()
    for name, version in pins(ROOT / "requirements/runtime.txt").items():
        assert test.get(name) == version, (
            f"{name}=={version} in runtime.txt, {test.get(name)} in test.txt"
        )


def test_every_installed_distribution_is_the_locked_version():
    lock, have = locked(), installed()
    wrong = {
        name: (version, lock.get(name))
        for name, version in have.items()
        if lock.get(name) != version
    }
    missing = sorted(set(lock) - set(have))
    assert wrong == {}, "installed (version, locked version); run `make install-test`"
    assert missing == []
