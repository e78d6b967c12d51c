"""Packaging: a missing compiled extension is an ImportError that says how to fix it."""
import subprocess
import sys

from conftest import PACKAGE_PARENT


def test_missing_extension_raises_helpful_import_error():
    script = ("import sys\n"
              "sys.path.insert(0, %r)\n"
              "sys.modules['fastw2v._kernels'] = None  # as if the .so were missing\n"
              "try:\n"
              "    import fastw2v\n"
              "except ImportError as exc:\n"
              "    print('IMPORTERROR', exc)\n") % PACKAGE_PARENT
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.startswith("IMPORTERROR")
    assert "compiled extension" in out and "pip install" in out


def test_kernel_variants_report_their_names():
    from fastw2v import _kernels
    names = [_kernels.ISA_NAMES[i] for i in _kernels.supported_isas()]
    assert names[0] == "generic"
