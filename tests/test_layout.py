"""The house's layout: data flows one way, floor by floor, with no import circles and no big rooms.

The import graph is read from the source (every ``import`` statement, at module level or inside a
function), so a deferred import that runs upwards fails here as surely as a top-level one.
"""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "numformat"
MAX_LINES = 420  # "< ~400 lines": a little slack, no more

# The floors of CONTRIBUTING.md's table, lowest first.  A module may import from its own floor or lower ones.
FLOORS = [
    {"checks", "palette"},
    {"rounding"},
    {"integers"},
    {"floats", "fixed", "blocks", "adc", "quant"},
    {"audio", "nn"},
    {"compress"},
    {"html_repr", "plots", "widgets", "cli", "course"},
]
ENTRY_POINTS = {"numformat", "numformat.__main__"}  # the package's face re-exports every floor


def module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def floor_of(module):
    top = module.split(".")[1]
    return next(index for index, names in enumerate(FLOORS) if top in names)


def imported_modules(module, path):
    """The numformat modules ``module`` imports, resolved to names in MODULES."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            # ``from package import module`` imports the module; ``from module import name`` the module
            names = [f"{stem}.{alias.name}" if f"{stem}.{alias.name}" in MODULES else stem for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in MODULES:
                name = name.rpartition(".")[0]
            if name.startswith("numformat") and name != module and name not in ENTRY_POINTS:
                found.add(name)
    return found


GRAPH = {module: imported_modules(module, path) for module, path in MODULES.items()}


def test_every_module_has_a_floor():
    for module in MODULES:
        if module not in ENTRY_POINTS:
            floor_of(module)  # StopIteration here means a new top-level module needs a floor


@pytest.mark.parametrize("module", [m for m in MODULES if m not in ENTRY_POINTS])
def test_no_import_runs_upwards(module):
    upward = {other: floor_of(other) for other in GRAPH[module] if floor_of(other) > floor_of(module)}
    assert not upward, f"{module} (floor {floor_of(module)}) imports from higher floors: {upward}"


def test_no_import_circles():
    """No module reaches itself through its imports (Tarjan's strongly connected components)."""
    index, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in GRAPH[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in GRAPH:
        if module not in index and module not in ENTRY_POINTS:
            visit(module)
    assert not circles, f"import circles: {circles}"


def test_packages_do_not_reach_into_private_names_of_other_modules():
    """``from .x import _private`` across modules couples them by an implementation detail."""
    offenders = []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("numformat")):
                private = [alias.name for alias in node.names if alias.name.startswith("_")]
                if private:
                    offenders.append(f"{module}: {node.module} {private}")
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize("module", list(MODULES))
def test_modules_stay_small(module):
    lines = len(MODULES[module].read_text().splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines; split it along its concepts (limit ~400)"


def test_no_module_getattr_outside_the_package_face():
    """Only ``numformat/__init__.py`` loads names lazily (PEP 562); elsewhere every name is defined."""
    for module, path in MODULES.items():
        if module == "numformat":
            continue
        tree = ast.parse(path.read_text())
        assert not any(isinstance(node, ast.FunctionDef) and node.name == "__getattr__" for node in tree.body), module


MAX_FUNCTION_LINES = 60  # body lines, docstring excluded


def long_functions(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            has_docstring = isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
            first = body[1] if has_docstring and len(body) > 1 else body[0]
            length = node.end_lineno - first.lineno + 1
            if length > MAX_FUNCTION_LINES:
                yield f"{node.name} ({length} lines)"


@pytest.mark.parametrize("module", list(MODULES))
def test_functions_stay_short(module):
    """A function a student reads in one screen: split longer ones along the steps they describe."""
    assert not list(long_functions(MODULES[module])), f"{module}: {list(long_functions(MODULES[module]))}"
