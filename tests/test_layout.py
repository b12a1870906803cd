"""The house rules that import-linter does not check (docs/architecture.md):

- an import of our own code inside a function says why, in a comment on the line above (or
  above the block of imports it opens); anything else belongs at the top of the module;
- no `except ImportError` around our own modules; no module named by a layer suffix
  (`services_import.py`, `views_office.py`): a room that grows becomes a package by concept.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    path
    for path in sorted((ROOT / "luoshi").rglob("*.py"))
    if "tests" not in path.parts and "migrations" not in path.parts
]
LAYERS = ("services", "selectors", "views", "api", "forms", "exports", "permissions")
SUFFIXED = re.compile(rf"^({'|'.join(LAYERS)})_\w+\.py$|^\w+_({'|'.join(LAYERS)})\.py$")


def _own(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").startswith("luoshi")
    return any(alias.name.startswith("luoshi") for alias in node.names)


def _uncommented_function_imports(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    tree = ast.parse("\n".join(lines))
    found = []
    for func in ast.walk(tree):
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(func):
            if not isinstance(node, (ast.Import, ast.ImportFrom)) or not _own(node):
                continue
            # Walk up over the imports (and blank lines) of the same block to its comment.
            index = node.lineno - 2
            while index >= 0 and (
                not lines[index].strip() or lines[index].lstrip().startswith(("from ", "import "))
            ):
                index -= 1
            if index < 0 or not lines[index].lstrip().startswith("#"):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_imports_inside_functions_say_why() -> None:
    offenders = [hit for path in SOURCES for hit in _uncommented_function_imports(path)]
    assert offenders == []


def test_no_import_error_guards_around_our_modules() -> None:
    guarded = [
        str(path.relative_to(ROOT))
        for path in SOURCES
        if re.search(r"except\s+\(?\s*(ImportError|ModuleNotFoundError)", path.read_text("utf-8"))
    ]
    assert guarded == []


def test_no_module_is_named_by_a_layer_suffix() -> None:
    suffixed = [str(p.relative_to(ROOT)) for p in SOURCES if SUFFIXED.match(p.name)]
    assert suffixed == []
