"""Dependencies point one way (docs/architecture.md): nothing imports a layer above it."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# layer -> the project packages it may import (the LEAVES below are allowed for all)
ALLOWED = {
    "db": {"db"},
    "cypher": {"cypher", "db"},
    "analysis": {"analysis", "cypher", "db"},
    "loaders": {"loaders", "analysis", "cypher", "db"},
    "api": {"api", "loaders", "analysis", "cypher", "db"},
    "chaintrail": {"chaintrail", "api", "loaders", "analysis", "cypher", "db"},
    "bench": {"bench", "chaintrail", "api", "loaders", "analysis", "cypher", "db"},
}
LEAVES = {"chaintrail.settings", "chaintrail.errors", "chaintrail.runtime", "chaintrail"}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_dependencies_point_downward() -> None:
    wrong = []
    for layer, allowed in ALLOWED.items():
        for path in (ROOT / layer).rglob("*.py"):
            for name in imports(path):
                top = name.split(".")[0]
                if top not in ALLOWED or name in LEAVES or top in allowed:
                    continue
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert wrong == []


def module_file(module: str) -> Path:
    path = ROOT.joinpath(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def test_chaintrail_leaves_import_nothing_of_the_project() -> None:
    for leaf in sorted(LEAVES):  # the modules every layer may import, named once above
        project = {n for n in imports(module_file(leaf)) if n.split(".")[0] in ALLOWED}
        assert project == set(), leaf
