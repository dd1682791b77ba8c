"""Where the bundled files (weights, word list, reference hands) live: inside the package, as package data.

Keeping them in the package means `pip install .`, a wheel and `pipx install` carry them, not only an
editable checkout. Found through importlib.resources so the lookup does not depend on the working folder.
"""

from importlib.resources import files
from pathlib import Path

ASSETS_DIR = Path(str(files("signcam") / "assets"))
BUNDLED_WEIGHTS = ASSETS_DIR / "signnet.safetensors"  # the CNN; signcam.store.weights loads it when none is named
REFERENCE_DIR = ASSETS_DIR / "reference"  # one colour photo per static letter, A.png .. Y.png
