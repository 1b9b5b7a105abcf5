"""The shape of the house: no package grows into a room that holds everything."""

from __future__ import annotations

from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "netruimte"


def _lines_per_package() -> dict[str, int]:
    """Lines of Python per package: a folder with its own modules (sub-packages apart)."""
    lines: dict[str, int] = {}
    for path in SRC.rglob("*.py"):
        package = ".".join(path.parent.relative_to(SRC.parent).parts)
        lines[package] = lines.get(package, 0) + len(path.read_text().splitlines())
    return lines


def test_the_largest_package_holds_under_15_percent_of_the_code() -> None:
    lines = _lines_per_package()
    total = sum(lines.values())
    largest = max(lines, key=lambda name: lines[name])
    assert total > 10_000  # the whole source was read, not a stray folder
    assert lines[largest] / total < 0.15, f"{largest}: {lines[largest]} of {total} lines"


def test_the_largest_top_level_package_with_its_sub_packages_holds_under_15_percent() -> None:
    lines = _lines_per_package()
    total = sum(lines.values())
    top: dict[str, int] = {}
    for package, count in lines.items():
        parts = package.split(".")
        if len(parts) > 1:  # modules directly in netruimte/ are no package of their own
            top[parts[1]] = top.get(parts[1], 0) + count
    largest = max(top, key=lambda name: top[name])
    assert {"planner", "waitlist", "register", "web"} <= set(top)
    assert top[largest] / total < 0.15, f"{largest}: {top[largest]} of {total} lines"


def test_the_use_cases_are_split_by_what_they_serve() -> None:
    assert not (SRC / "services").exists()
    for package in ("access", "register", "sites", "demo", "jobs"):
        assert (SRC / package / "__init__.py").is_file(), package
