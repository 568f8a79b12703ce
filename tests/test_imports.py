"""The layers hold: lstm_lab's modules import each other without a circle, the doctor's
modules import only downward, and the core never imports the UI. Read from the source
(every import, in functions too), not by importing it."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "lstm_lab"


def module_name(path: Path) -> str:
    """'train', 'doctor' (a package's __init__), 'doctor.rules': dotted, below lstm_lab."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1] or ["__init__"]
    return ".".join(parts)


FILES = {module_name(p): p for p in PACKAGE.rglob("*.py") if "datasets" not in p.parts}
MODULES = set(FILES)


def _with_parents(name: str) -> set[str]:
    """Importing 'doctor.rules' runs the package 'doctor' first: both are edges."""
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts) + 1)}


def imports_of(path: Path) -> tuple[set[str], set[str]]:
    """(lstm_lab modules, other top-level packages) that one file imports anywhere."""
    me = module_name(path)
    # the package a relative import starts from: a module's own, or a package's __init__'s
    here = me.split(".") if path.name == "__init__.py" and me != "__init__" else \
        me.split(".")[:-1]
    inner, outer = set(), set()

    def add(dotted: list[str], names=()):
        full = ".".join(dotted)
        subs = {f"{full}.{n}" if full else n for n in names} & MODULES
        if subs:  # from . import text, views / from .doctor import rules
            for sub in subs:
                inner.update(_with_parents(sub))
            if full:
                inner.update(_with_parents(full))
        elif full:  # from .train import x / from lstm_lab.doctor.rules import x
            inner.update(_with_parents(full))
        else:  # from lstm_lab import ExperimentConfig
            inner.add("__init__")

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "lstm_lab":
                    add(parts[1:])
                else:
                    outer.add(parts[0])
        elif isinstance(node, ast.ImportFrom):
            parts = (node.module or "").split(".") if node.module else []
            if node.level == 0 and parts[0] != "lstm_lab":
                outer.add(parts[0])
                continue
            base = parts[1:] if node.level == 0 else \
                here[:len(here) - (node.level - 1)] + parts
            add(base, [a.name for a in node.names])
    # a module's own packages are already running when it runs: no edge to them
    inner -= _with_parents(me)
    return inner, outer


GRAPH = {name: imports_of(path)[0] for name, path in FILES.items()}

# The doctor's modules, bottom first: each may import only modules of an earlier layer
# (and anything outside the doctor). Its __init__ names the public ones, on top.
DOCTOR_LAYERS = [
    {"doctor.problems", "doctor.measures"},
    {"doctor.rules"},
    {"doctor.lab", "doctor.fit_data", "doctor.report"},
    {"doctor.trials"},
    {"doctor.keras_fit"},
    {"doctor"},
]


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


def test_the_reader_resolves_the_doctor_package():
    # relative imports from inside the package, a package's own __init__, a lazy import
    assert {"signals", "doctor.measures", "doctor.problems"} <= GRAPH["doctor.fit_data"]
    assert {"doctor.rules", "doctor.lab"} <= GRAPH["doctor"]
    assert "doctor.keras_fit" in GRAPH["doctor"]  # inside its __getattr__
    assert {"doctor", "doctor.keras_fit", "doctor.problems"} <= GRAPH["keras"]
    assert "doctor" in GRAPH["cli"] and "tabular" in GRAPH["doctor.rules"]


def test_every_doctor_module_has_a_layer():
    assert {m for m in MODULES if m.split(".")[0] == "doctor"} <= set().union(*DOCTOR_LAYERS)


def test_the_doctor_imports_only_downward():
    layer = {m: i for i, group in enumerate(DOCTOR_LAYERS) for m in group}
    for module, deps in GRAPH.items():
        if module not in layer:
            continue
        for dep in deps:
            if dep in layer:
                assert layer[dep] < layer[module], f"{module} imports {dep}"


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
    for path in FILES.values():
        outer = imports_of(path)[1]
        assert not outer & {"streamlit", "ui", "pages", "app"}, path
