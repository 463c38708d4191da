"""The documentation cannot drift: diagrams match the tables, and every Python
example in README.md and docs/ runs."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS))

import make_diagrams  # noqa: E402

PAGES = sorted([ROOT / "README.md", *DOCS.rglob("*.md")])
FENCE = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def test_concepts_diagrams_are_generated_from_the_tables() -> None:
    page = make_diagrams.PAGE.read_text(encoding="utf-8")
    assert make_diagrams.render(page) == page, "run: python docs/make_diagrams.py"


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_python_examples_run(page: Path) -> None:
    blocks = FENCE.findall(page.read_text(encoding="utf-8"))
    namespace: dict[str, object] = {"__name__": f"docs_example_{page.stem}"}
    for number, block in enumerate(blocks, 1):
        code = compile(block, f"{page.name}[python block {number}]", "exec")
        exec(code, namespace)


EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_scripts_run(script: Path, capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, object] = {"__name__": "__main__"}
    exec(compile(script.read_text(encoding="utf-8"), str(script), "exec"), namespace)
    assert capsys.readouterr().out
