"""How the code is laid out: no import cycle, imports pointing the way the layers do, and no
module too long to hold in one's head.

No two of the portal's modules import each other, directly or round a loop.

An import cycle hides a layering mistake (the work importing the queue that runs the work) and
makes import order matter; a lazy import inside a function only hides it. So the graph is built
from every import statement in accounts/, questionnaire/, reports/ and gcmreview/, those inside
functions included (those under `if TYPE_CHECKING:` left out: they never run), and its cycles
(strongly connected components) must be none but the known ones below.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "questionnaire", "reports", "gcmreview", "api")

# Cycles tolerated for now, each the set of its modules. None: reports.compilation and
# reports.public_pdf imported reports.tasks back (lazily), which reports.queue ended; the
# questionnaire's selectors imported its services (lazily), which the split into packages ended
# (services call selectors, never the reverse). Keep it empty.
KNOWN_CYCLES: set[frozenset[str]] = set()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def portal_modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    }


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST):
    """Every Import and ImportFrom node, at any depth, except under `if TYPE_CHECKING:`."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def imported_by(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        for alias in node.names:
            found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return {target for target in found if target in modules and target != name}


def import_graph() -> dict[str, set[str]]:
    modules = portal_modules()
    return {name: imported_by(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> set[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: set[frozenset[str]] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.add(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_sees_imports_inside_functions():
    graph = import_graph()
    # reports/apps.py connects its receiver to the questionnaire's signal inside ready().
    assert "questionnaire.signals" in graph["reports.apps"]
    assert "reports.compilation" in graph["reports.tasks"]


def test_the_cycle_finder_finds_a_loop():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == {frozenset("abc")}


def test_no_new_import_cycle():
    found = cycles(import_graph())
    assert found - KNOWN_CYCLES == set(), "a new import cycle"


def test_the_known_cycles_still_exist():
    """When one goes, take it off KNOWN_CYCLES, so that it cannot come back unseen."""
    assert KNOWN_CYCLES - cycles(import_graph()) == set()


# --- Which way the layers point ------------------------------------------------------------------


def _importers_of(graph: dict[str, set[str]], target_prefix: str, source_prefix: str) -> list[str]:
    return sorted(
        f"{name} imports {target}"
        for name, targets in graph.items()
        if name.startswith(source_prefix)
        for target in targets
        if target.startswith(target_prefix)
    )


def test_selectors_never_call_services():
    """Reads never write: services may call selectors, never the reverse."""
    graph = import_graph()
    assert _importers_of(graph, "questionnaire.services", "questionnaire.selectors") == []


def test_the_questionnaire_never_imports_the_reports_app():
    """The reports app reads the questionnaire (and hears its signals); the questionnaire does
    not know it exists, so it can be tested and run without PDFs."""
    graph = import_graph()
    assert _importers_of(graph, "reports", "questionnaire") == []


# --- Size ----------------------------------------------------------------------------------------

MAX_MODULE_LINES = 800


def test_no_module_is_too_long_to_read():
    """Past some 800 lines a module holds several subjects: split it by subject into a package
    (as selectors, services, models, admin and types are). Migrations are generated: left out."""
    lengths = {
        name: len(path.read_text(encoding="utf-8").splitlines())
        for name, path in portal_modules().items()
    }
    assert {name: n for name, n in lengths.items() if n > MAX_MODULE_LINES} == {}
