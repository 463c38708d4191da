"""The notebooks in docs/notebooks run from top to bottom, so they never rot.

They are executed in a Jupyter kernel with nbclient - the kernel is the current
interpreter, through ipykernel's own kernel spec - as a reader would run them.
Where a kernel cannot start (no ZeroMQ sockets in a sandbox, say), the cells run
in this process instead, in order, in one namespace: the code is still checked.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
from pathlib import Path
from typing import Any

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "docs" / "notebooks"
PAGES = sorted(NOTEBOOKS.glob("*.ipynb"))
TIMEOUT = 120  # seconds per cell; the study takes a few seconds in all


def read(path: Path) -> Any:
    return nbformat.read(path, as_version=4)


def run_in_kernel(nb: Any) -> Any:
    """Execute ``nb`` in a fresh ``python3`` kernel (this interpreter: jupyter_client
    starts ``sys.executable`` for the native kernel spec). Raises `KernelUnavailable`
    when no kernel starts, and nbclient's `CellExecutionError` when a cell fails."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    from nbclient import NotebookClient
    from nbclient.exceptions import CellControlSignal

    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        raise KernelUnavailable("no python3 kernel spec (is ipykernel installed?)") from None
    started: list[bool] = []
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=TIMEOUT,
        startup_timeout=60,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
        on_notebook_start=lambda notebook: started.append(True),
    )
    try:
        return client.execute()
    except CellControlSignal:
        raise  # a cell failed or timed out: the notebook's fault
    except Exception as error:
        if started:
            raise
        raise KernelUnavailable(f"the kernel did not start: {error!r}") from error


class KernelUnavailable(RuntimeError):
    """A Jupyter kernel cannot run here (not a failure of the notebook)."""


def run_in_process(nb: Any) -> dict[str, Any]:
    """Execute the code cells of ``nb`` here, in order, in one namespace; each cell's
    last expression is evaluated (and rendered as a notebook would) like the kernel does."""
    namespace: dict[str, Any] = {"__name__": "__notebook__"}
    cwd = Path.cwd()
    os.chdir(NOTEBOOKS)
    try:
        for number, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            tree = ast.parse(cell.source, filename=f"cell {number}")
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(tree, f"cell {number}", "exec"), namespace)
                if last is not None:
                    value = eval(
                        compile(ast.Expression(last.value), f"cell {number}", "eval"), namespace
                    )
                    for render in ("_repr_html_", "__repr__"):
                        if hasattr(value, render):
                            getattr(value, render)()
    finally:
        os.chdir(cwd)
    return namespace


def outputs(nb: Any) -> list[tuple[int, dict[str, Any]]]:
    return [
        (number, output)
        for number, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    ]


def html_of(nb: Any) -> str:
    return "\n".join(
        output.get("data", {}).get("text/html", "")
        for _, output in outputs(nb)
        if output.get("output_type") in ("execute_result", "display_data")
    )


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_notebook_is_stored_clean(path: Path) -> None:
    nb = read(path)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for number, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert not cell.outputs, f"cell {number} has stored outputs: clear them"
            assert cell.execution_count is None


@pytest.mark.parametrize("path", PAGES, ids=[p.name for p in PAGES])
def test_notebook_runs(path: Path) -> None:
    nb = read(path)
    try:
        executed = run_in_kernel(nb)
    except KernelUnavailable:
        run_in_process(read(path))  # still checks every cell
        return
    for number, output in outputs(executed):
        assert output.get("output_type") != "error", f"cell {number}: {output}"
    html = html_of(executed)
    if path.name == "campaign_study.ipynb":
        assert "Simulation (seed 7)" in html
        assert "RetryTable" in html
        assert "Heatmap" in html
        assert "Policy comparison" in html
        text = "".join(o.get("text", "") for _, o in outputs(executed))
        assert "The third retry connects" in text
    if path.name == "fit_and_compare.ipynb":
        assert "Policy comparison" in html
        assert "beyond noise" in html
        images = [o for _, o in outputs(executed) if "image/png" in o.get("data", {})]
        assert len(images) == 5, "the five plots are drawn"


def test_the_study_runs_in_process_too() -> None:
    namespace = run_in_process(read(NOTEBOOKS / "campaign_study.ipynb"))
    rows = {row["policy"]: row for row in namespace["table"].to_records()}
    assert set(rows) == {"2 retries", "3 retries"}
    assert rows["3 retries"]["connect_rate"] > rows["2 retries"]["connect_rate"]
    assert namespace["runs"]["3 retries"].finished


def test_the_fitting_story_runs_in_process_too() -> None:
    import matplotlib

    matplotlib.use("Agg")  # headless
    namespace = run_in_process(read(NOTEBOOKS / "fit_and_compare.ipynb"))
    model, truth = namespace["model"], namespace["truth"]
    # The fit sees only the exported calls, yet finds the true first-attempt rate.
    assert abs(model.base_probability(1) - truth.base_probability(1)) < 0.03
    table = namespace["table"]
    assert table.policies == ("1 retry", "2 retries", "3 retries")
    assert table.difference("3 retries", "1 retry").within_noise is False
