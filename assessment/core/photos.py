"""House photos: decoded, checked and re-encoded with Pillow before they are stored (PURE).

An upload is never stored as sent. It must be a JPEG or PNG that Pillow decodes completely;
its header's dimensions are checked before any pixel is decoded (a 100,000 x 100,000 PNG
header is refused without allocating 40 GB), and a file that also carries markup (an
HTML/PNG polyglot) or bytes after the PNG's end is refused. What is stored is a fresh JPEG
of the decoded pixels: orientation applied, every metadata block (EXIF with its GPS
position, ICC, comments) dropped, the long side at most :data:`MAX_SIDE` pixels. The
browser may resize before upload (the offline app does); the server checks everything
again regardless.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from assessment.core.i18n import N_, Message

FORMATS = ("JPEG", "PNG")
MAX_SIDE = 2560  # pixels of the stored photo's long side
MAX_HEADER_SIDE = 12_000  # pixels of an upload's side (a 100 MP camera is below)
MAX_HEADER_PIXELS = 60_000_000  # decoded pixels of an upload (about 180 MB as RGB)
JPEG_QUALITY = 85
CONTENT_TYPE = "image/jpeg"

MSG_NOT_IMAGE = N_("The photo must be a JPEG or PNG image.")
MSG_BROKEN = N_("The photo is damaged or incomplete; take it again.")
MSG_TOO_LARGE = N_("The photo has too many pixels: at most {max} pixels a side.")
MSG_NOT_PLAIN = N_("The file is not a plain photo (it carries other content); take it again.")

# Markup a browser would sniff as a page or script, anywhere in the file.
_MARKUP = re.compile(rb"<(?:!doctype|html|head|body|script|svg|iframe|object|embed|\?xml)", re.I)
_PNG_END = b"IEND\xaeB`\x82"
_BROKEN_ERRORS = (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError)


class PhotoRefused(ValueError):
    """An upload that is not a photo the platform stores; ``message`` says why."""

    def __init__(self, message: Message):
        super().__init__(message.render("en"))
        self.message = message


@dataclass(frozen=True)
class Photo:
    """A photo ready to store: JPEG bytes and their size in pixels."""

    data: bytes
    width: int
    height: int
    content_type: str = CONTENT_TYPE


def normalise_photo(data: bytes) -> Photo:
    """Check ``data`` and re-encode it as a metadata-free JPEG.

    Parameters
    ----------
    data : bytes
        The uploaded file (its size is capped by the caller).

    Returns
    -------
    Photo

    Raises
    ------
    PhotoRefused
        Not a JPEG or PNG, damaged or truncated, too many pixels, or carrying other content.
    """
    if _MARKUP.search(data):
        raise PhotoRefused(Message(MSG_NOT_PLAIN))
    with warnings.catch_warnings():
        # Pillow's own bomb guard only warns below twice its limit: an error here, whatever
        # the process's warning filters.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = _open(data)
        width, height = image.size
        if max(width, height) > MAX_HEADER_SIDE or width * height > MAX_HEADER_PIXELS:
            raise PhotoRefused(Message(MSG_TOO_LARGE, {"max": MAX_HEADER_SIDE}))
        try:
            if image.format == "JPEG":
                image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # decode at a reduced scale
            image.load()
            pixels = _plain_pixels(image)
        except _BROKEN_ERRORS:
            raise PhotoRefused(Message(MSG_BROKEN)) from None
        if image.format == "PNG" and not data.endswith(_PNG_END):
            raise PhotoRefused(Message(MSG_NOT_PLAIN))  # bytes after the image's end
    out = io.BytesIO()
    pixels.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return Photo(out.getvalue(), pixels.width, pixels.height)


def _open(data: bytes) -> Image.Image:
    try:
        return Image.open(io.BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRefused(Message(MSG_TOO_LARGE, {"max": MAX_HEADER_SIDE})) from None
    except (UnidentifiedImageError, *_BROKEN_ERRORS):
        raise PhotoRefused(Message(MSG_NOT_IMAGE)) from None


def _plain_pixels(image: Image.Image) -> Image.Image:
    """The pixels upright, in RGB (transparency on white), at most MAX_SIDE a side."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return image


THUMB_SIDE = 320  # pixels of a thumbnail's long side (the review page)


def thumbnail(data: bytes, side: int = THUMB_SIDE) -> bytes:
    """A small JPEG of a stored photo (stored photos were checked when they came in)."""
    with Image.open(io.BytesIO(data), formats=FORMATS) as image:
        if image.format == "JPEG":
            image.draft("RGB", (side, side))  # decode at a reduced scale
        small = image.convert("RGB")
        small.thumbnail((side, side), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        small.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()
