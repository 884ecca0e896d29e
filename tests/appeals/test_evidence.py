"""Evidence files: PDF by signature and size, photos through Pillow (issue 19)."""

import hashlib
import io

import pytest
from PIL import Image

from appeals.evidence import EvidenceRefused, check_evidence, safe_file_name

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def png(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(out, "PNG")
    return out.getvalue()


def test_a_pdf_is_kept_as_sent():
    found = check_evidence("C:\\docs\\工资单.PDF", PDF)
    assert (found.content_type, found.file_name, found.data) == (
        "application/pdf",
        "工资单.pdf",
        PDF,
    )
    assert found.sha256 == hashlib.sha256(PDF).hexdigest()


def test_a_photo_is_re_encoded_as_jpeg():
    found = check_evidence("house.png", png())
    assert found.content_type == "image/jpeg" and found.file_name == "house.jpg"
    assert found.data.startswith(b"\xff\xd8\xff")
    assert Image.open(io.BytesIO(found.data)).size == (40, 30)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<html><script>alert(1)</script></html>", "must be a PDF, JPEG or PNG"),
        (b"PK\x03\x04 a zip file", "must be a PDF, JPEG or PNG"),
        (PDF[:-7], "incomplete or damaged"),  # cut before %%EOF
        (png()[:-20], "damaged|not a plain photo"),  # truncated: no IEND at its end
        (png() + b"<script>", "not a plain photo"),
    ],
)
def test_other_files_are_refused_with_a_reason(data, message):
    with pytest.raises(EvidenceRefused, match=message):
        check_evidence("x", data)


def test_size_is_capped():
    with pytest.raises(EvidenceRefused, match="at most 1 MB"):
        check_evidence("big.pdf", PDF + b"0" * (1024 * 1024), max_bytes=1024 * 1024)
    assert check_evidence("ok.pdf", PDF, max_bytes=len(PDF)).data == PDF


def test_file_names_lose_paths_and_quotes():
    assert safe_file_name('../../etc/"passwd".pdf', "pdf") == "passwd.pdf"
    assert safe_file_name("", "jpg") == "evidence.jpg"
