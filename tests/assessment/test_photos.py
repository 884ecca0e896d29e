"""House photos are decoded and re-encoded: no EXIF, no polyglot, no bomb, no truncation."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from assessment.core.photos import MAX_SIDE, PhotoRefused, normalise_photo


def _jpeg(size=(640, 480), exif: Image.Exif | None = None, colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG", exif=exif or Image.Exif())
    return out.getvalue()


def _png(size=(64, 48), mode="RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 200, 10, 128) if mode == "RGBA" else 0).save(out, "PNG")
    return out.getvalue()


def _noise(kind: str) -> bytes:
    out = io.BytesIO()
    Image.effect_noise((400, 300), 80).convert("RGB").save(out, kind)
    assert len(out.getvalue()) > 40_000
    return out.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG signature and header claiming ``width`` x ``height``, with a tiny IDAT."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + _chunk(b"IEND", b"")
    )


def _decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_a_photo_is_stored_as_a_fresh_jpeg_without_exif():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (39.0, 54.0, 0.0)}  # GPS latitude of the house
    exif[0x0112] = 6  # orientation: rotate 90 degrees to show upright
    photo = normalise_photo(_jpeg((640, 480), exif))
    image = _decoded(photo.data)
    assert image.format == "JPEG" and photo.content_type == "image/jpeg"
    assert image.getexif() == {} and "exif" not in image.info
    assert (image.width, image.height) == (480, 640)  # turned upright, then stripped
    r, g, b = image.getpixel((240, 320))
    assert r > 180 and g < 60 and b < 60  # the same picture


def test_png_with_transparency_becomes_jpeg_on_white():
    photo = normalise_photo(_png())
    image = _decoded(photo.data)
    assert image.format == "JPEG" and image.mode == "RGB" and image.size == (64, 48)


def test_large_photos_are_scaled_to_the_long_side_cap():
    photo = normalise_photo(_jpeg((4000, 3000)))
    assert max(photo.width, photo.height) == MAX_SIDE
    assert _decoded(photo.data).size == (photo.width, photo.height)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xd8\xff", "must be a JPEG or PNG"),  # a 3-byte "JPEG"
        (b"GIF89a" + b"\x00" * 20, "must be a JPEG or PNG"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "must be a JPEG or PNG"),
        (_jpeg()[:600], "must be a JPEG or PNG"),  # cut inside the header
        (_noise("JPEG")[:20_000], "damaged or incomplete"),  # cut inside the pixels
        (_noise("PNG")[:20_000], "damaged or incomplete"),
        (_png_header_only(100_000, 100_000), "too many pixels"),
        (_png_header_only(12_001, 10), "too many pixels"),
        (_png_header_only(9_000, 9_000), "too many pixels"),  # 81 MP
        (_png() + b"<html><script>alert(1)</script></html>", "not a plain photo"),
        (_png() + b"trailing bytes", "not a plain photo"),
        (_jpeg() + b"<svg onload=alert(1)>", "not a plain photo"),
    ],
)
def test_refused_uploads_say_why(data, message):
    with pytest.raises(PhotoRefused, match=message):
        normalise_photo(data)


def test_a_png_html_polyglot_in_a_text_chunk_is_refused():
    png = _png()
    text = _chunk(b"tEXt", b"Comment\x00<!DOCTYPE html><script>alert(1)</script>")
    polyglot = png[:33] + text + png[33:]  # after the signature and IHDR
    assert Image.open(io.BytesIO(polyglot)).format == "PNG"  # a valid PNG to Pillow
    with pytest.raises(PhotoRefused, match="not a plain photo"):
        normalise_photo(polyglot)
