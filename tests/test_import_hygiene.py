"""The core and the headless commands never import Textual."""

import subprocess
import sys

import pytest

CORE_MODULES = ["nqpf_tutor.core", "nqpf_tutor.core.model", "nqpf_tutor.locations", "nqpf_tutor.cli"]


@pytest.mark.parametrize("module", CORE_MODULES)
def test_module_does_not_import_textual(module):
    code = f"import sys, {module}; print('textual' in sys.modules or any(m.startswith('textual.') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_core_module_is_textual_free():
    import pkgutil

    import nqpf_tutor.core as core

    names = [f"nqpf_tutor.core.{m.name}" for m in pkgutil.iter_modules(core.__path__)]
    assert "nqpf_tutor.core.model" in names
    code = "import sys\n" + "".join(f"import {n}\n" for n in names) + "print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
