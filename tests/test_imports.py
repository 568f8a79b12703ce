"""The layers hold: lstm_lab's modules import each other without a circle, and the core
never imports the UI. Read from the source (every import, in functions too), not by
importing it."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "lstm_lab"
MODULES = {p.stem for p in PACKAGE.glob("*.py")}


def imports_of(path: Path) -> tuple[set[str], set[str]]:
    """(lstm_lab modules, other top-level packages) that one file imports anywhere."""
    inner, outer = set(), set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "lstm_lab":
                    inner.add(parts[1] if len(parts) > 1 else "__init__")
                else:
                    outer.add(parts[0])
        elif isinstance(node, ast.ImportFrom):
            parts = (node.module or "").split(".") if node.module else []
            if node.level == 0 and parts[0] != "lstm_lab":
                outer.add(parts[0])
                continue
            rest = parts[1:] if node.level == 0 else parts
            if rest:  # from .train import x / from lstm_lab.train import x
                inner.add(rest[0])
            else:  # from . import text, views / from lstm_lab import ExperimentConfig
                names = {a.name for a in node.names}
                inner |= (names & MODULES) or {"__init__"}
    inner.discard(path.stem)
    return inner, outer


GRAPH = {p.stem: imports_of(p)[0] for p in PACKAGE.glob("*.py")}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle as a path (first module repeated at the end), or None."""
    state: dict[str, str] = {}  # "open" while on the current path, "done" after

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt]
            if nxt not in state:
                found = visit(nxt, path + [nxt])
                if found:
                    return found
        state[node] = "done"
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return None


def test_the_reader_sees_function_level_imports():
    # sweep imports the runner inside default_backend(): the graph must hold that edge
    assert "runner" in GRAPH["sweep"] and "cell" in GRAPH["jobs"]


@pytest.mark.parametrize("graph,cycle", [
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, ["a", "b", "c", "a"]),
    ({"a": {"b"}, "b": set()}, None),
    ({"data": {"tabular"}, "tabular": {"data"}}, ["data", "tabular", "data"]),
])
def test_find_cycle_finds_circles(graph, cycle):
    assert find_cycle(graph) == cycle


def test_lstm_lab_has_no_import_circle():
    assert find_cycle(GRAPH) is None


def test_the_core_never_imports_the_ui():
    for path in PACKAGE.glob("*.py"):
        outer = imports_of(path)[1]
        assert not outer & {"streamlit", "ui", "pages", "app"}, path.name
