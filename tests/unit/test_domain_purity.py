"""`domain/` stays pure: standard library and itself only, never a framework (domain/__init__.py).

The static check reads every module with `ast`, so it also covers imports inside functions and
`if TYPE_CHECKING:` blocks; the dynamic check imports every module in a fresh interpreter and
looks at what ended up in `sys.modules`, which also catches imports hidden behind `importlib`.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "domain"
FORBIDDEN = ("fastapi", "starlette", "sqlalchemy", "pydantic", "jose", "api", "alembic", "httpx")
MODULE_FILES = sorted(DOMAIN.rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_top_levels(source: str, filename: str = "<source>") -> set[str]:
    tree = ast.parse(source, filename=filename)
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: inside the package
                names.add("domain")
            elif node.module:
                names.add(node.module.split(".")[0])
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value.split(".")[0])
    return names


def test_domain_has_modules() -> None:
    assert DOMAIN / "__init__.py" in MODULE_FILES
    assert DOMAIN / "enrolment.py" in MODULE_FILES


@pytest.mark.parametrize("path", MODULE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_imports_only_the_standard_library(path: Path) -> None:
    imported = _imported_top_levels(path.read_text(encoding="utf-8"), str(path))
    foreign = sorted(n for n in imported if n != "domain" and n not in sys.stdlib_module_names)
    assert not foreign, f"{path.relative_to(ROOT)} imports {foreign}"
    assert not imported & set(FORBIDDEN), f"{path.relative_to(ROOT)} imports a framework"


def test_the_import_collector_sees_what_it_must() -> None:
    """Guard the guard: a framework import in any of its forms is found."""
    source = (
        "import os.path\nfrom fastapi import FastAPI\nimport sqlalchemy.orm as orm\n"
        "from . import errors\nfrom typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from pydantic import BaseModel\n"
        "def f():\n    import jose\n    return importlib.import_module('httpx')\n"
    )
    tree_names = _imported_top_levels(source)
    assert tree_names == {
        "os",
        "fastapi",
        "sqlalchemy",
        "domain",
        "typing",
        "pydantic",
        "jose",
        "httpx",
    }


def test_importing_the_domain_loads_no_framework() -> None:
    modules = [_module_name(p) for p in MODULE_FILES]
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run(  # noqa: S603 - fixed interpreter and script
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        env={"PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert result.returncode == 0, result.stderr
    loaded = set(json.loads(result.stdout))
    assert set(modules) <= loaded
    leaked = sorted(m for m in loaded if m.split(".")[0] in FORBIDDEN)
    assert not leaked, f"importing domain loaded {leaked}"
