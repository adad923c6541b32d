"""Keep only the Babel locale data of the formats Dues offers (a sixth of Babel's size).

Run in the image's build stage: python3 slim_locales.py /opt/dues. The offered
locales are read from localization.py's LOCALES, so adding one there keeps its
data here; their parent locales (en_001 for en_GB, root for all) are kept too.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path


def offered(formats: Path) -> set[str]:
    """The keys of the LOCALES dict in formats.py, read without importing it."""
    for node in ast.walk(ast.parse(formats.read_text())):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "LOCALES":
            assert isinstance(node.value, ast.Dict)
            return {ast.literal_eval(key) for key in node.value.keys if key is not None}
    raise SystemExit("LOCALES not found in localization.py")


def main(venv: Path, formats: Path) -> None:
    languages = {code.split("_")[0] for code in offered(formats)}
    data = next(venv.glob("lib/python3*/site-packages/babel/locale-data"))
    for path in data.glob("*.dat"):
        language = path.stem.split("_")[0]
        if language not in languages and path.stem != "root":
            path.unlink()


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(__file__).with_name("formats.py"))
