"""The package layout: imports go one way, and the pure code imports no Kafka client.

`schemas` <- `streams.core` <- pure code (`streams.attribution` <- `streams.pipeline` <-
`streams.alerts`) <- `connectors` <- runtimes (`streams.runtime`) <- `streams.web` <- `streams.cli`.
Every import statement of every module counts, the lazy ones inside functions and the ones under
`TYPE_CHECKING` too: an import that points up the list is a wrong direction.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("schemas", "streams", "connectors")

#: lower layers first; a module may import its own layer and the layers before it
LAYERS = (
    "schemas",
    "streams.core",
    "streams.attribution",
    "streams.pipeline",
    "streams.alerts",
    "connectors",
    "streams.runtime",
    "streams.web",
    "streams.cli",
)
#: the layers that hold pure code: no broker client, no stream framework
PURE = LAYERS[: LAYERS.index("connectors")]
KAFKA_CLIENTS = ("faust", "mode", "aiokafka")


def layer(module: str) -> int | None:
    """Index in LAYERS of the layer `module` belongs to (the longest matching prefix)."""
    best: int | None = None
    for i, prefix in enumerate(LAYERS):
        inside = module == prefix or module.startswith(prefix + ".")
        if inside and (best is None or len(prefix) > len(LAYERS[best])):
            best = i
    return best


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) of every import in the file, however deep in it."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: use absolute imports"
            assert node.module is not None
            found.append((node.lineno, node.module))
            # `from streams.web import live` imports the module streams.web.live
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return found


def modules() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def _is_module(name: str) -> bool:
    base = ROOT / Path(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


class TestLayout:
    def test_every_module_has_a_layer(self) -> None:
        """Each module of the three packages sits in one of the layers (but `streams` itself)."""
        loose = [
            module_name(p)
            for p in modules()
            if module_name(p) != "streams" and layer(module_name(p)) is None
        ]
        assert loose == []

    def test_imports_point_down(self) -> None:
        """No module imports a module of a higher layer."""
        wrong = []
        for path in modules():
            here = layer(module_name(path))
            if here is None:
                continue
            for line, target in imports(path):
                there = layer(target)
                if there is not None and there > here and _is_module_or_package(target):
                    wrong.append(f"{module_name(path)}:{line} imports {target}")
        assert wrong == []

    @pytest.mark.parametrize("client", KAFKA_CLIENTS)
    def test_pure_code_imports_no_kafka_client(self, client: str) -> None:
        """schemas, streams.core, streams.attribution, streams.pipeline and streams.alerts never
        import Faust, mode or aiokafka."""
        wrong = [
            f"{module_name(path)}:{line} imports {target}"
            for path in modules()
            if (layer(module_name(path)) or 0) < len(PURE) and module_name(path) != "streams"
            for line, target in imports(path)
            if target == client or target.startswith(client + ".")
        ]
        assert wrong == []

    def test_embedded_runtime_imports_no_kafka(self) -> None:
        """The embedded runtime runs without a broker: no Kafka client, no Kafka runtime."""
        wrong = [
            f"{module_name(path)}:{line} imports {target}"
            for path in (ROOT / "streams" / "runtime" / "embedded").rglob("*.py")
            for line, target in imports(path)
            if target.split(".")[0] in KAFKA_CLIENTS or target.startswith("streams.runtime.kafka")
        ]
        assert wrong == []

    def test_the_checker_sees_a_wrong_direction(self) -> None:
        """The layer ranking itself: connectors above the pure code, the CLI on top."""
        assert layer("streams.core.settings") == LAYERS.index("streams.core")
        assert LAYERS.index("connectors") == layer("connectors.sinks.sqlite")
        assert LAYERS.index("streams.runtime") == layer("streams.runtime.kafka.app")
        assert LAYERS.index("streams.alerts") == layer("streams.alerts.filters.parser")
        assert layer("faust") is None

    def test_cli_imports_commands_lazily(self) -> None:
        """Importing the CLI (as `liveblog --help` does) loads no Kafka client, no connector and
        no stage: each command imports what it needs when it runs."""
        code = (
            "import sys, streams.cli; "
            "print(sorted({m.split('.')[0] if m.split('.')[0] != 'streams' else m "
            "for m in sys.modules if m.split('.')[0] in "
            "('faust', 'aiokafka', 'mode', 'connectors', 'httpx', 'aiohttp', 'apprise') "
            "or m.startswith(('streams.runtime', 'streams.pipeline', 'streams.attribution', "
            "'streams.alerts', 'streams.web'))}))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
        )
        assert out.stdout.strip() == "[]"


def _is_module_or_package(name: str) -> bool:
    """Whether `name` is one of our modules (an imported name, `streams.web.running`, is not)."""
    return name.split(".")[0] in PACKAGES and _is_module(name)
