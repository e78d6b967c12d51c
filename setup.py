"""Build of fastw2v's compiled extensions.

Flags: -O3 for speed, but no -march=native: a wheel must run on any CPU of
its architecture. -fwrapv is stated here, not left to Python's own CFLAGS
(which carry it, but which a CFLAGS in the environment replaces): without it
GCC 12 made the kernels 2-12% slower on one thread (skip-gram + hs the most;
benchmarks/RESULTS.md, eleventh session). Faster instruction sets are compiled per file
(csrc/kernels_avx2.c) and picked at run time. FASTW2V_SANITIZE=1 builds with
AddressSanitizer/UBSan and assertions for the memory-safety job.
"""
import os
import sys

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

CSRC = "csrc"
if sys.platform == "win32":
    compile_args = ["/O2"]
    link_args = []
else:
    compile_args = ["-O3", "-fwrapv", "-std=c99", "-fno-strict-aliasing"]
    link_args = []
    if os.environ.get("FASTW2V_SANITIZE") == "1":
        compile_args = ["-O1", "-g", "-std=c99", "-fsanitize=address,undefined", "-fno-omit-frame-pointer"]
        link_args = ["-fsanitize=address,undefined"]

define_macros = [("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")]
if os.environ.get("FASTW2V_SANITIZE") != "1":
    define_macros.append(("NDEBUG", "1"))


# Every C header: an edit to one (kernels_impl.h is only ever #included) must
# rebuild the extensions, which setuptools does not work out by itself.
HEADERS = sorted(os.path.join(CSRC, f) for f in os.listdir(CSRC) if f.endswith(".h"))


def extension(name, sources):
    return Extension(
        f"fastw2v.{name}",
        [f"fastw2v/{name}.pyx"] + [os.path.join(CSRC, s) for s in sources],
        include_dirs=[CSRC, np.get_include()],
        define_macros=define_macros,
        extra_compile_args=compile_args,
        extra_link_args=link_args,
        depends=HEADERS,
    )


extensions = [
    extension("_vocab", ["token_table.c", "scan.c"]),
    extension("_sampling", ["sampling.c"]),
    extension("_kernels", ["kernels.c", "kernels_generic.c", "kernels_avx2.c", "kernels_avx512.c"]),
    extension("_phrases", ["phrases.c", "token_table.c", "scan.c"]),
    extension("_sequences", ["token_table.c"]),
    extension("_int_keys", ["int_keys.c"]),
    extension("_walks", ["walks.c", "sampling.c"]),
    extension("_allreduce", ["allreduce.c"]),
    extension("_formats", []),
]

setup(
    ext_modules=cythonize(
        extensions,
        compiler_directives={"language_level": "3", "boundscheck": False, "wraparound": False},
    ),
)
