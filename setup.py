"""Build the compiled market core.

Compiler directives live here and only here. MMABM_DEBUG=1 builds a debug core: bounds and
wraparound checks, initialised-memoryview checks, the internal asserts, and line tracing (so
coverage can see the .pyx). MMABM_ANNOTATE=1 also writes Cython's HTML annotation next to each
.pyx (`cython -a`), to see which lines call into Python.
"""
import os
import sys

if sys.version_info < (3, 12):          # say so before pip spends minutes on the dependencies
    sys.exit(f"mmabm needs Python 3.12 or newer; this is Python {sys.version.split()[0]}. "
             f"Use python3.12 (pyenv install 3.12), e.g. make run PYTHON=/path/to/python3.12")

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

DEBUG = os.environ.get("MMABM_DEBUG", "0") not in ("", "0")
ANNOTATE = os.environ.get("MMABM_ANNOTATE", "0") not in ("", "0")

DIRECTIVES = {
    "language_level": 3,
    "boundscheck": DEBUG,
    "wraparound": DEBUG,
    "initializedcheck": DEBUG,
    "cdivision": not DEBUG,
    "linetrace": DEBUG,
    "embedsignature": True,
}
MACROS = [("CYTHON_TRACE_NOGIL", "1")] if DEBUG else [("CYTHON_WITHOUT_ASSERTIONS", "1")]
CFLAGS = ["-O0", "-g"] if DEBUG else ["-O3"]

MODULES = ["mmabm._args", "mmabm._ladder", "mmabm._book_state", "mmabm._core", "mmabm._replay",
           "mmabm._amm", "mmabm.venues._spot_state", "mmabm.venues._spot",
           "mmabm.venues._amm_accounts", "mmabm.agents._retail", "mmabm.agents._arbitrage",
           "mmabm.agents._quoting"]
extensions = [
    Extension(name, [name.replace(".", "/") + ".pyx"], define_macros=MACROS,
              extra_compile_args=CFLAGS)
    for name in MODULES
]
# the retail candidates draw from numpy's own C distributions (its static npyrandom library)
extensions.append(Extension(
    "mmabm.agents._arrivals", ["mmabm/agents/_arrivals.pyx"], define_macros=MACROS,
    extra_compile_args=CFLAGS, include_dirs=[numpy.get_include()],
    library_dirs=[os.path.join(os.path.dirname(numpy.__file__), "random", "lib")],
    libraries=["npyrandom", "m"]))

# both steps on every core: the release build is most of an install's time
setup(
    ext_modules=cythonize(extensions, compiler_directives=DIRECTIVES, annotate=ANNOTATE,
                          force=True, quiet=True, nthreads=os.cpu_count() or 1),
    options={"build_ext": {"parallel": os.cpu_count() or 1}},
)
