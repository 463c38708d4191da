"""The tree shows the architecture (issue 18): no module reaches into another module's
private names, and private modules are only used inside their own package (or are the
shared private infrastructure every layer uses: field validators, frozen maps, frames).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "campaignkit"
SHARED = {
    "campaignkit._fields",
    "campaignkit._frozen",
    "campaignkit._frames",
    "campaignkit._render",
}
"""Private modules of the package root that every layer may use: field validators,
frozen maps, typed data frames, text and HTML tables."""
MOVED = {
    "campaignkit.analyses",
    "campaignkit.billing",
    "campaignkit.conversion",
    "campaignkit.goals",
    "campaignkit.lifecycle",
    "campaignkit.whatsapp",
    "campaignkit._policy_data",
    "campaignkit.engine.state",
}
"""Old paths kept one release as aliases of their new modules; the package itself
imports only the new homes."""


def _modules() -> list[tuple[str, Path, bool]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        found.append((".".join(parts), path, is_package))
    return found


def _absolute(module: str, is_package: bool, level: int, name: str | None) -> str:
    if level == 0:
        return name or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    if level > 1:
        base = base[: -(level - 1)]
    return ".".join([*base, *([name] if name else [])])


def _package_of(module: str, is_package: bool) -> str:
    return module if is_package else module.rpartition(".")[0]


def _violations() -> list[str]:
    found = []
    for module, path, is_package in _modules():
        if path.read_text(encoding="utf-8").startswith('"""Moved to `'):
            continue  # an alias of a moved module
        tree = ast.parse(path.read_text(encoding="utf-8"))
        home = _package_of(module, is_package)
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or node.module == "__future__":
                continue
            source = _absolute(module, is_package, node.level, node.module)
            if not source.startswith("campaignkit"):
                continue
            where = f"{path.relative_to(SRC)}:{node.lineno}"
            if source in MOVED:
                found.append(f"{where}: imports the old path {source}")
            for alias in node.names:
                target = f"{source}.{alias.name}"
                private_module = any(p.startswith("_") for p in source.split(".")[1:])
                if alias.name.startswith("__"):
                    continue  # __all__, __version__: module metadata
                if alias.name.startswith("_"):
                    # a private module of its own package, a private helper module's
                    # names within its package, or the shared infrastructure
                    sibling = source.rpartition(".")[0] == home
                    helper = source.rpartition(".")[2].startswith("_") and sibling
                    if target in SHARED or source == home or helper:
                        continue
                    found.append(f"{where}: imports the private name {target}")
                elif private_module and source not in SHARED and source.rpartition(".")[0] != home:
                    found.append(f"{where}: imports from the private module {source}")
    return found


def test_no_module_imports_another_modules_private_names() -> None:
    assert _violations() == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("campaignkit.whatsapp", "campaignkit.policies.messaging"),
        ("campaignkit.conversion", "campaignkit.policies.conversion"),
        ("campaignkit.billing", "campaignkit.policies.billing"),
        ("campaignkit.goals", "campaignkit.models.goals"),
        ("campaignkit.analyses", "campaignkit.models.analyses"),
        ("campaignkit.lifecycle", "campaignkit.engine.lifecycle"),
        ("campaignkit.engine.state", "campaignkit.models.state"),
    ],
)
def test_moved_modules_keep_their_old_path_for_one_release(old: str, new: str) -> None:
    code = (
        "import importlib, warnings\n"
        "with warnings.catch_warnings(record=True) as seen:\n"
        "    warnings.simplefilter('always')\n"
        f"    old = importlib.import_module({old!r})\n"
        f"assert old is importlib.import_module({new!r}), old\n"
        "assert any(issubclass(w.category, DeprecationWarning) for w in seen), seen\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
