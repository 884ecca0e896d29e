"""Seeds, the pre-draw commitment and the draw's random generator.

PURE. The generator is documented and platform independent: numpy's PCG64 bit generator,
seeded through ``numpy.random.SeedSequence`` with the seed's 256 bits read as one big-endian
integer, and used **only** through ``Generator.random`` (uniform doubles on [0, 1), 53 bits
per draw). numpy guarantees the PCG64 and SeedSequence streams; selection never calls
``choice``, ``permutation`` or ``shuffle``, whose algorithms numpy may change between
releases. Python's ``hash()`` and the process state are never used.
"""

from __future__ import annotations

import hashlib
import re
import secrets

import numpy as np

SEED_BYTES = 32
GENERATOR = "numpy PCG64 via SeedSequence(int.from_bytes(seed, 'big')), Generator.random only"
COMMITMENT_VERSION = "exit-assessment draw commitment v1"

_SEPARATORS = re.compile(r"[\s:_\-]+")


def new_seed() -> bytes:
    """A fresh 256-bit seed from the operating system's secure random source."""
    return secrets.token_bytes(SEED_BYTES)


def parse_seed(text: str) -> bytes:
    """Parse a 256-bit seed typed as 64 hex digits (spaces, dashes, colons and ``0x`` allowed).

    Raises
    ------
    ValueError
        Naming ``seed`` when the text is not exactly 64 hex digits.
    """
    cleaned = _SEPARATORS.sub("", text.strip())
    if cleaned[:2].lower() == "0x":
        cleaned = cleaned[2:]
    if len(cleaned) != 2 * SEED_BYTES or not re.fullmatch(r"[0-9a-fA-F]+", cleaned):
        raise ValueError(f"seed: expected 64 hexadecimal digits (256 bits), got {text!r}")
    return bytes.fromhex(cleaned)


def seed_hex(seed: bytes) -> str:
    """The seed as 64 lower-case hex digits."""
    _check_seed(seed)
    return seed.hex()


def seed_hash(seed: bytes) -> str:
    """SHA-256 (hex) of the seed bytes: publishable before the seed itself."""
    _check_seed(seed)
    return hashlib.sha256(seed).hexdigest()


def _check_seed(seed: bytes) -> None:
    if not isinstance(seed, bytes) or len(seed) != SEED_BYTES:
        raise ValueError(f"seed: expected {SEED_BYTES} bytes, got {seed!r}")


def commitment(frame_hash: str, design_json: str, seed_sha256: str) -> str:
    """SHA-256 (hex) committing to a draw before it is made.

    The hashed UTF-8 text is four lines: ``exit-assessment draw commitment v1``, the frame's
    content hash, the design's canonical JSON (:func:`sampling.designs.canonical_json`) and
    the seed's SHA-256, each followed by ``\\n``. Record it (with the time and the user)
    before drawing; anyone holding the frame, the design and the seed can recompute it.
    """
    for name, value in (("frame_hash", frame_hash), ("seed_sha256", seed_sha256)):
        if not re.fullmatch(r"[0-9a-f]{64}", value):
            raise ValueError(f"{name}: expected 64 lower-case hex digits, got {value!r}")
    if "\n" in design_json:
        raise ValueError("design_json: canonical JSON has no line breaks")
    text = f"{COMMITMENT_VERSION}\n{frame_hash}\n{design_json}\n{seed_sha256}\n"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def make_generator(seed: bytes) -> np.random.Generator:
    """The draw's generator for ``seed`` (use only its ``random`` method)."""
    _check_seed(seed)
    sequence = np.random.SeedSequence(int.from_bytes(seed, "big"))
    return np.random.Generator(np.random.PCG64(sequence))
