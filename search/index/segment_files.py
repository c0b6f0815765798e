"""Files saved beside a Whoosh segment (its columns, its term arrays), named for it."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import BinaryIO, Callable


def save_beside(folder: Path, prefix: str, name: str, write: Callable[[BinaryIO], object]) -> None:
    """Write the file ``name`` of the segment ``prefix`` (its id) in ``folder`` whole or not at all:
    into a temporary file, then renamed. The temporary name is one of the segment's, so that Whoosh
    removes it with the segment if a killed run leaves it behind."""
    temporary = folder / f"{prefix}.tmp{secrets.token_hex(4)}"
    try:
        with open(temporary, "wb") as out:
            write(out)
        os.replace(temporary, folder / name)
    finally:
        temporary.unlink(missing_ok=True)
