"""Only signcam/ui may import PySide6 (STYLE.md): the core, the trainer and its runner load headless."""

import subprocess
import sys

QT_FREE = (
    "signcam.pipeline.recognizer", "signcam.pipeline.builder", "signcam.models.letter_models", "signcam.predict",
    "signcam.pipeline.smoothing", "signcam.pipeline.sources", "signcam.store.weights", "signcam.pipeline.config",
    "signcam.store.files", "signcam.photo_reader", "signcam.practice",
    "signcam.practice.history", "signcam.practice.controller", "signcam.store.samples", "signcam.store.user_weights",
    "training.train", "training.runner", "training.personal", "training.results", "training.progress", "training.judge",
)


def test_core_and_training_do_not_import_qt() -> None:
    code = f"import sys, {', '.join(QT_FREE)}; " + \
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken'))))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "[]"


def _module_imports(path, modules):
    """signcam modules that `path` imports at module level (TYPE_CHECKING blocks included: an arrow is an arrow)."""
    import ast

    tree = ast.parse(path.read_text())
    found = set()
    nodes = list(tree.body)
    while nodes:
        node = nodes.pop()
        if isinstance(node, ast.If):
            nodes.extend(node.body + node.orelse)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("signcam"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("signcam"):
            found.update(f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                         for a in node.names)
    return found


def test_no_module_imports_in_a_circle() -> None:
    """Data flows one way (STYLE.md): e.g. smoothing must not import recognizer, which imports smoothing."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "signcam"
    modules = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {name: _module_imports(path, modules) & set(modules) - {name} for name, path in modules.items()}
    # Within a package, `from signcam.practice import X` from one of its own modules is the package re-exporting
    # its parts, not a cycle of responsibilities.
    graph = {name: {m for m in deps if not name.startswith(m + ".")} for name, deps in graph.items()}
    state: dict[str, int] = {}

    def visit(name: str, stack: list[str]) -> None:
        state[name] = 1
        for dep in sorted(graph[name]):
            if state.get(dep) == 1:
                raise AssertionError(" -> ".join(stack[stack.index(dep):] + [dep]))
            if dep not in state:
                visit(dep, stack + [dep])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
