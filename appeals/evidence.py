"""Evidence files of an appeal: PDF, JPEG or PNG, checked before they are stored (PURE).

Photos go through :func:`assessment.core.photos.normalise_photo` (decoded and re-encoded by
Pillow, metadata dropped), so a photo of evidence is stored exactly as a house photo is. A PDF
is stored as sent, after checks that need no parsing: its size, the ``%PDF-`` signature at the
start and the ``%%EOF`` marker in its last kilobyte (a truncated upload has none). It is
never opened by the server; it is served as a download (``attachment``, ``nosniff``).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from assessment.core.i18n import N_, Message
from assessment.core.photos import PhotoRefused, normalise_photo

MAX_BYTES = 5 * 1024 * 1024  # one evidence file (a request body is at most 16 MB)
MAX_FILES = 3  # files per answer
PDF_TYPE = "application/pdf"
_PDF_MAGIC = b"%PDF-"
_PDF_EOF = b"%%EOF"
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")

MSG_TYPE = N_("An evidence file must be a PDF, JPEG or PNG file.")
MSG_SIZE = N_("An evidence file may be at most {max} MB.")
MSG_EMPTY = N_("An evidence file is empty.")
MSG_PDF_BROKEN = N_("The PDF file is incomplete or damaged.")
MSG_TOO_MANY = N_("At most {max} evidence files may be sent at once.")


class EvidenceRefused(ValueError):
    """A file that is not stored as evidence; ``message`` says why."""

    def __init__(self, message: Message):
        super().__init__(message.render("en"))
        self.message = message


@dataclass(frozen=True)
class Evidence:
    """A checked evidence file, ready to store."""

    file_name: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def safe_file_name(name: str, extension: str) -> str:
    """A display name without paths, controls or quotes, ending with ``extension``."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f\"';<>]", "", name).strip()
    stem = name.rsplit(".", 1)[0][:80] if "." in name else name[:80]
    return f"{stem or 'evidence'}.{extension}"


def check_evidence(file_name: str, data: bytes, *, max_bytes: int = MAX_BYTES) -> Evidence:
    """Check one uploaded evidence file.

    Parameters
    ----------
    file_name : str
        The name the browser sent (only its last part is kept, for display).
    data : bytes
        The file; the caller reads at most ``max_bytes + 1`` bytes of it.
    max_bytes : int
        Largest file accepted.

    Returns
    -------
    Evidence
        A PDF as sent, or a photo re-encoded as JPEG.

    Raises
    ------
    EvidenceRefused
        Empty, too large, neither PDF nor JPEG/PNG, an incomplete PDF, or a refused photo.
    """
    if max_bytes <= 0:
        raise ValueError(f"max_bytes must be positive, got {max_bytes!r}")
    if not data:
        raise EvidenceRefused(Message(MSG_EMPTY))
    if len(data) > max_bytes:
        raise EvidenceRefused(Message(MSG_SIZE, {"max": max_bytes // (1024 * 1024)}))
    if data.startswith(_PDF_MAGIC):
        if _PDF_EOF not in data[-1024:]:
            raise EvidenceRefused(Message(MSG_PDF_BROKEN))
        return Evidence(safe_file_name(file_name, "pdf"), PDF_TYPE, data)
    if data.startswith(_IMAGE_MAGIC):
        try:
            photo = normalise_photo(data)
        except PhotoRefused as exc:
            raise EvidenceRefused(exc.message) from None
        return Evidence(safe_file_name(file_name, "jpg"), photo.content_type, photo.data)
    raise EvidenceRefused(Message(MSG_TYPE))
