"""The build's one step beyond pyproject.toml: the stages compiled to C by mypyc.

`streams/core/native.py` names the modules and explains the fall-back to their source.
`make compile` compiles them in place for a working tree (the editable install of `make` skips
them: LIVEBLOG_NATIVE=0); `pip wheel --no-build-isolation .`, in an environment with the dev
extras, builds a wheel with them (mypyc type-checks the modules against the installed packages).
Without mypy or those packages, or with LIVEBLOG_NATIVE=0, the package builds as pure Python and
runs the same, slower.
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
    """The compiled modules' extensions; none (a pure-Python build, said on stderr) when asked
    or when mypyc cannot type-check the modules against the packages installed."""
    if os.environ.get(native.ENV, "").strip() == "0":
        return []
    paths = [str(p.relative_to(ROOT)) for p in native.sources(ROOT)]
    try:
        from mypyc.build import mypycify

        return list(mypycify(paths, group_name=native.GROUP, opt_level="3", debug_level="1"))
    except (ImportError, SystemExit) as exc:
        print(
            f"liveblog: the stages are not compiled ({exc!r}): mypyc needs mypy and the"
            " project's dependencies installed (make compile, or pip wheel --no-build-isolation"
            " in an environment with '.[dev]'); building pure Python",
            file=sys.stderr,
        )
        return []


class BuildExt(build_ext):
    """Compiles the extensions, then records the hash of each source compiled."""

    def run(self) -> None:
        super().run()
        if not self.extensions:
            return
        import mypy.version

        into = ROOT if self.inplace else Path(self.build_lib)
        native.write_manifest(ROOT, into, f"mypyc {mypy.version.__version__}")


setup(ext_modules=ext_modules(), cmdclass={"build_ext": BuildExt})
