"""The layers hold: handlers → bot → storage, imports one way, no cycles, SQL only under storage/.

Read from the source with the standard library's `ast` (nothing is imported), so a broken layer is named
with its file and line. Every import counts for cycles and for storage's independence: one inside a function
or under `if TYPE_CHECKING:` still ties two modules together, it only hides the knot from the interpreter.
Bot may load a platform's adapter late (the CLI starts the platform it is told to), so for bot → handlers and
bot → a chat platform's library only imports at module level count.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("bot", "storage", "handlers")
PLATFORM_LIBRARIES = ("telegram", "slack_bolt", "slack_sdk", "dingtalk_stream")
SQL_CONSTRUCTS = frozenset({"select", "insert", "update", "delete", "text"})
#: Cycles another change is breaking; each must still be a cycle, or it goes from here.
@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    """The module imported, resolved to one of ours where it is one (`from a import b` → `a.b` for a module b)."""
    path: Path
    line: int
    at_module_level: bool


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def our_modules() -> dict[str, Path]:
    return {module_name(path): path for layer in LAYERS for path in sorted((ROOT / layer).rglob("*.py"))}


MODULES = our_modules()


def _package_of(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _absolute(node: ast.ImportFrom, module: str, path: Path) -> str:
    if not node.level:
        return node.module or ""
    base = _package_of(module, path).split(".")
    base = base[:len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _walk(node: ast.AST, at_module_level: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, at_module_level
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield from _walk(child, False)
        else:
            yield from _walk(child, at_module_level)


def imports_of(module: str, path: Path) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node, at_module_level in _walk(tree, True):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, path, node.lineno, at_module_level)
            continue
        source = _absolute(node, module, path)
        names = tuple(alias.name for alias in node.names)
        submodules = [f"{source}.{name}" for name in names if f"{source}.{name}" in MODULES]
        for submodule in submodules:
            yield Import(module, submodule, path, node.lineno, at_module_level)
        if len(submodules) < len(names):
            yield Import(module, source, path, node.lineno, at_module_level)


ALL_IMPORTS = [found for module, path in MODULES.items() for found in imports_of(module, path)]


def _where(found: Import) -> str:
    return f"{found.path.relative_to(ROOT)}:{found.line} imports {found.imported}"


def _in(module: str, *packages: str) -> bool:
    return any(module == package or module.startswith(package + ".") for package in packages)


def cycles(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module, or of one that imports itself (Tarjan)."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(start: str) -> None:
        # Iterative, so that a deep chain of imports cannot hit the recursion limit.
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = lowest[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = lowest[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(edges.get(successor, ())))))
                    break
                if successor in on_stack:
                    lowest[node] = min(lowest[node], index[successor])
            else:
                work.pop()
                if work:
                    lowest[work[-1][0]] = min(lowest[work[-1][0]], lowest[node])
                if lowest[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in edges.get(node, ()):
                        found.append(frozenset(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def import_edges(imports: list[Import]) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for found in imports:
        if found.imported in MODULES and found.imported != found.importer:
            edges.setdefault(found.importer, set()).add(found.imported)
    return edges


def test_the_graph_is_read_from_every_layer():
    assert {"bot.people.membership", "storage.db", "handlers.telegram.platform"} <= set(MODULES)
    assert any(f.importer == "bot.people.membership" and f.imported == "bot.people.profile_cache"
               for f in ALL_IMPORTS)


def test_a_cycle_is_found_however_long_it_is():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [frozenset({"a", "b", "c"})]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_one_that_imports_it_back():
    found = set(cycles(import_edges(ALL_IMPORTS)))
    assert found == set(), "import cycles: " + "; ".join(" ↔ ".join(sorted(cycle)) for cycle in found)


def test_storage_imports_neither_bot_nor_handlers_anywhere():
    wrong = [_where(f) for f in ALL_IMPORTS if _in(f.importer, "storage") and _in(f.imported, "bot", "handlers")]
    assert wrong == []


def test_bot_imports_no_handler_and_no_chat_platform_library_when_loaded():
    wrong = [_where(f) for f in ALL_IMPORTS if _in(f.importer, "bot") and f.at_module_level
             and _in(f.imported, "handlers", *PLATFORM_LIBRARIES)]
    assert wrong == []


def _sql_constructs(source: str, name: str) -> Iterator[str]:
    """Where a module takes SQLAlchemy's statement builders: imported by name, or used from the imported module."""
    tree = ast.parse(source, name)
    aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and _in(node.module, "sqlalchemy"):
            for alias in node.names:
                if alias.name in SQL_CONSTRUCTS:
                    yield f"{name}:{node.lineno} imports {alias.name} from {node.module}"
        elif isinstance(node, ast.Import):
            aliases |= {alias.asname or alias.name for alias in node.names if _in(alias.name, "sqlalchemy")}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in SQL_CONSTRUCTS and isinstance(node.value, ast.Name) \
                and node.value.id in aliases:
            yield f"{name}:{node.lineno} uses {node.value.id}.{node.attr}"


def test_bot_builds_no_sql():
    wrong = [place for module, path in MODULES.items() if _in(module, "bot")
             for place in _sql_constructs(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))]
    assert wrong == []


def test_a_statement_builder_is_noticed_however_it_is_imported():
    source = ("import sqlalchemy as sa\nfrom sqlalchemy.sql import text\nfrom sqlalchemy.exc import IntegrityError\n"
              "\n\ndef query():\n    return sa.select(1), text('SELECT 1')\n")
    assert list(_sql_constructs(source, "sample.py")) == ["sample.py:2 imports text from sqlalchemy.sql",
                                                         "sample.py:7 uses sa.select"]


def test_the_application_builds_its_database_with_the_summaries_tracking():
    """A Database built directly has sessions without the report summaries' change tracking (bot/database.py)."""
    wrong = []
    for module, path in MODULES.items():
        if not _in(module, "bot", "handlers") or module == "bot.database":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            called = node.func if isinstance(node, ast.Call) else None
            if isinstance(called, ast.Name) and called.id == "Database" \
                    or isinstance(called, ast.Attribute) and called.attr == "Database":
                wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} builds a Database, not app_database(…)")
    assert wrong == []
