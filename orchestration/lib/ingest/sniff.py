"""What a file really is, from its first bytes: so that a PDF named .csv, an encrypted workbook
or an old .xls renamed .xlsx is refused with a message that says so, not a parser's error."""

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97-2003 files, encrypted OOXML
ZIP_SIGNATURE = b"PK\x03\x04"  # XLSX, DOCX and any zip archive
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# An encrypted XLSX is an OLE2 container holding these streams (MS-OFFCRYPTO), named in UTF-16.
ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")

BINARY_SIGNATURES = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (ZIP_SIGNATURE, "a zip archive (an XLSX workbook or Word document saved with a .csv name?)"),
    (OLE2_SIGNATURE, "an Excel 97-2003 workbook or other Office document"),
)


def is_encrypted_office_file(data: bytes) -> bool:
    return data.startswith(OLE2_SIGNATURE) and ENCRYPTION_STREAM in data


def binary_kind(data: bytes) -> str | None:
    """What a binary file looks like ("a PDF document"), "binary data" for an unknown binary,
    or None when the bytes may be text."""
    for signature, kind in BINARY_SIGNATURES:
        if data.startswith(signature):
            return kind
    if data.startswith(UTF16_BOMS):
        return None  # text, in an encoding the caller refuses by name
    return "binary data" if b"\x00" in data[:4096] else None


def looks_like_text(data: bytes) -> bool:
    """True when the start of the file decodes as text with no control characters."""
    sample = data[:4096]
    if b"\x00" in sample:
        return False
    text = sample.decode("cp1252", errors="replace")
    return all(ch.isprintable() or ch in "\r\n\t" for ch in text)
