"""Packaging rules that keep an installed wheel working (CI also installs and runs the wheel:
infra/check_wheel.sh)."""

import re
import tomllib
from pathlib import Path

from k2batch.schemas import VERSIONS, spec

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_package_of_the_tree_is_in_the_wheel():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for top in ("k2batch", "flows")
        for p in (ROOT / top).rglob("__init__.py")
    }
    assert found <= listed, f"packages missing from pyproject: {sorted(found - listed)}"
    mapped = PYPROJECT["tool"]["setuptools"]["package-dir"]
    assert all((ROOT / d).is_dir() for d in mapped.values())
    for name in VERSIONS:  # the contracts the code reads are the ones that ship
        assert (ROOT / mapped["k2batch.contracts"] / f"{name}.v{VERSIONS[name]}.json").is_file()
        assert spec(name)["name"]


def test_every_install_hint_names_a_real_extra():
    extras = set(PYPROJECT["project"]["optional-dependencies"])
    hints = set()
    for path in [*(ROOT / "k2batch").rglob("*.py"), *(ROOT / "flows").rglob("*.py"), ROOT / "README.md"]:
        for group in re.findall(r"k2batch\[([\w,\s-]+)\]", path.read_text()):
            hints |= {e.strip() for e in group.split(",")}
    assert hints, "no install hints found: the pattern is wrong"
    assert hints <= extras, f"hints name extras that do not exist: {sorted(hints - extras)}"


def test_python_floor_is_the_one_the_code_and_linter_assume():
    floor = re.fullmatch(r">=\s*3\.(\d+)", PYPROJECT["project"]["requires-python"].strip())
    assert floor, "requires-python must be a plain floor"
    assert PYPROJECT["tool"]["ruff"]["target-version"] == f"py3{floor.group(1)}"
    assert int(floor.group(1)) >= 11  # tomllib and datetime.UTC are used throughout
