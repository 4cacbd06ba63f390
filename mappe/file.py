"""Files handed to people (maps, exports, reports, templates): written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["scrivi_tutto_o_niente"]


def scrivi_tutto_o_niente(percorso: Path | str, scrivi: Callable[[str], None]) -> Path:
    """Call ``scrivi(tmp)`` on a temporary file beside ``percorso``, then put it in place in one step.

    An error or an interruption leaves ``percorso`` as it was (or absent). The file gets the
    usual permissions (mkstemp would make it private: these files are meant to be shared).
    """
    percorso = Path(percorso)
    percorso.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".mappe-", suffix=percorso.suffix, dir=percorso.parent)
    os.close(fd)
    try:
        scrivi(tmp)
        maschera = os.umask(0)
        os.umask(maschera)
        os.chmod(tmp, 0o666 & ~maschera)
        os.replace(tmp, percorso)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return percorso
