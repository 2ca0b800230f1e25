"""Layers point one way: `infra` never imports a service, and no service imports another's
package (they talk through events). Only the modules that run several services together
(`services/catalog.py`, `services/all_in_one.py`, `services/cli.py`, and the sandbox profile
they name, `services/sandbox_profile.py`) import them all."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMPOSITION = {"catalog", "all_in_one", "cli", "sandbox_profile"}  # above every service


def imported_modules(path: Path) -> Iterator[str]:
    """Every module a file imports, at any depth (function-level imports included)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_infra_never_imports_a_service() -> None:
    offenders = [f"{path.relative_to(ROOT)}: {module}"
                 for path in python_files("infra") for module in imported_modules(path)
                 if module == "services" or module.startswith("services.")]
    assert offenders == []


def test_no_service_imports_another_services_package() -> None:
    offenders = []
    for path in python_files("services"):
        parts = path.relative_to(ROOT / "services").parts
        if len(parts) == 1:  # services/<module>.py: composition, not a service
            assert path.stem in COMPOSITION | {"__init__"}, f"unexpected {path}"
            continue
        own = parts[0]
        for module in imported_modules(path):
            names = module.split(".")
            if names[0] == "services" and len(names) > 1 and names[1] != own:
                offenders.append(f"{path.relative_to(ROOT)}: {module}")
    assert offenders == []


def test_the_checks_see_imports_inside_functions(tmp_path: Path) -> None:
    source = tmp_path / "module.py"
    source.write_text("def f():\n    from services.gateway import app\n    import services.x\n")
    assert sorted(imported_modules(source)) == ["services.gateway", "services.x"]
