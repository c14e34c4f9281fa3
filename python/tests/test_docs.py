"""docs/python.md shows python/examples/pareto.py as it is (CI runs the file)."""

import re


def test_the_example_in_the_docs_is_the_file(root):
    doc = (root / "docs" / "python.md").read_text()
    example = (root / "python" / "examples" / "pareto.py").read_text()
    blocks = re.findall(r"```python\n(.*?)```", doc, flags=re.S)
    assert example in blocks


def test_the_readme_says_how_to_install(root):
    assert "pip install ./python" in (root / "README.md").read_text()
