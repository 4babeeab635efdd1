"""The build's one step beyond pyproject.toml: the stages compiled to C by mypyc.

`streams/core/native.py` names the modules and explains the fall-back to their source. Building a
wheel (`pip install .`) compiles them; `make compile` compiles them in place for a working tree
(the editable install of `make` skips them: LIVEBLOG_NATIVE=0). Without a C compiler or with
LIVEBLOG_NATIVE=0, the package installs as pure Python and runs the same, slower.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location(
    "_liveblog_native", ROOT / "streams" / "core" / "native.py"
)
assert _spec is not None and _spec.loader is not None
native = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = native
_spec.loader.exec_module(native)


def ext_modules() -> list[object]:
    if os.environ.get(native.ENV, "").strip() == "0":
        return []
    from mypyc.build import mypycify

    paths = [str(p.relative_to(ROOT)) for p in native.sources(ROOT)]
    return list(mypycify(paths, group_name=native.GROUP, opt_level="3", debug_level="1"))


class BuildExt(build_ext):
    """Compiles the extensions, then records the hash of each source compiled."""

    def run(self) -> None:
        super().run()
        if not self.extensions:
            return
        import mypy.version

        into = ROOT if self.inplace else Path(self.build_lib)
        native.write_manifest(
            ROOT, into / "streams" / "core" / native.MANIFEST, f"mypyc {mypy.version.__version__}"
        )


setup(ext_modules=ext_modules(), cmdclass={"build_ext": BuildExt})
