"""The README's quick start runs as written."""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_readme_quick_start_runs():
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    quick_start = re.findall(r"```python\n(.*?)```", text, re.S)[0]
    namespace = {}
    exec(compile(quick_start, "README.md", "exec"), namespace)
    assert namespace["loss"].item() > 0
    assert repr(namespace["net"]).startswith("Net(\n  (conv1): Conv2d(3, 6, kernel_size=(5, 5)")
