"""Hostile and broken documents for attachment tests, built in memory on demand.

Each builder returns the file's bytes and is cached, so a test session pays for
each at most once. None of them is ever held decompressed: the zip bomb's
deflate stream is assembled from one repeated, independently-decodable block.
"""

from __future__ import annotations

import functools
import struct
import zipfile
import zlib
from io import BytesIO

from api.attachments.samples import make_pdf

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" '
    b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    b"</Types>"
)
RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
DOCUMENT_HEAD = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<w:document xmlns:w="{W_NS}"><w:body>'
).encode()
DOCUMENT_TAIL = b"</w:body></w:document>"

GiB = 1 << 30
PDF_PASSWORD = "s3cret"
MiB = 1 << 20


def docx_xml(*paragraphs: str) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    return DOCUMENT_HEAD + body.encode() + DOCUMENT_TAIL


def minimal_docx(document_xml: bytes, *extra: tuple[str, bytes]) -> bytes:
    """A DOCX-shaped package: content types, package rels, document, then `extra` parts."""
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", RELS)
        zf.writestr("word/document.xml", document_xml)
        for name, data in extra:
            zf.writestr(name, data)
    return buf.getvalue()


# ------------------------------------------------------------------ zip bombs


def _raw_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A deflate zip from (name, raw deflate data, crc32, uncompressed size) records.

    Written by hand because the bomb's sizes are given, not computed: `zipfile`
    would insist on compressing the gigabyte itself (~4 s), and could not be made
    to declare a size that differs from the data.
    """
    out = bytearray()
    directory = bytearray()
    for name, data, crc, size in members:
        encoded = name.encode()
        offset = len(out)
        fields = struct.pack(
            "<HHHHHLLLHH", 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0
        )
        out += b"PK\x03\x04" + fields + encoded + data
        directory += (
            b"PK\x01\x02"
            + struct.pack("<H", 20)
            + fields
            + struct.pack("<HHHLL", 0, 0, 0, 0, offset)
            + encoded
        )
    end = struct.pack(
        "<4sHHHHLLH", b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), len(out), 0
    )
    return bytes(out + directory + end)


def _deflated(data: bytes) -> tuple[bytes, int, int]:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)


@functools.cache
def _space_bomb(size: int) -> tuple[bytes, int]:
    """(raw deflate stream, crc32) of DOCUMENT_HEAD + `size` spaces + DOCUMENT_TAIL.

    A full flush resets the compressor's history, so compressing the same 1 MiB
    of spaces after one always yields the same bytes: the stream is that block
    repeated, bracketed by the head and an empty final block (~1 KiB per MiB).
    """
    chunk = b" " * MiB
    assert size % MiB == 0
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(DOCUMENT_HEAD) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.compress(DOCUMENT_TAIL) + compressor.flush(zlib.Z_FINISH)
    crc = zlib.crc32(DOCUMENT_HEAD)
    for _ in range(size // MiB):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(DOCUMENT_TAIL, crc)
    return head + block * (size // MiB) + tail, crc


def _bomb_package(declared_size: int | None) -> bytes:
    data, crc = _space_bomb(GiB)
    real_size = len(DOCUMENT_HEAD) + GiB + len(DOCUMENT_TAIL)
    return _raw_zip(
        [
            ("[Content_Types].xml", *_deflated(CONTENT_TYPES)),
            ("_rels/.rels", *_deflated(RELS)),
            ("word/document.xml", data, crc, declared_size or real_size),
        ]
    )


@functools.cache
def docx_zip_bomb() -> bytes:
    """~1 MiB DOCX whose word/document.xml honestly declares and inflates to 1 GiB."""
    return _bomb_package(None)


@functools.cache
def docx_zip_bomb_lying_sizes() -> bytes:
    """The same bomb, but the directory claims document.xml is exactly 1 MiB.

    That passes every check made on declared sizes (total, ratio), so only a
    reader that counts the bytes it actually inflates can stop it.
    """
    return _bomb_package(MiB)


@functools.cache
def docx_many_members(count: int = 1500) -> bytes:
    """A valid small DOCX padded with `count` tiny extra parts."""
    extra = [(f"customXml/item{i}.xml", b"<x/>") for i in range(count)]
    return minimal_docx(docx_xml("padding"), *extra)


@functools.cache
def docx_xml_entity_bomb() -> bytes:
    """Billion laughs: ten levels of ten-fold entity expansion inside w:t (~3 GB)."""
    entities = ['<!ENTITY lol0 "lollollollollollollollollollol">']
    for level in range(1, 10):
        entities.append(f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">')
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<!DOCTYPE w:document [\n{chr(10).join(entities)}\n]>\n"
        f'<w:document xmlns:w="{W_NS}"><w:body>'
        "<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>"
        "</w:body></w:document>"
    )
    return minimal_docx(document.encode())


@functools.cache
def docx_internal_entity() -> bytes:
    """A harmless DTD with one small entity: still refused (OPC parts may not have DTDs)."""
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE w:document [<!ENTITY who "world">]>\n'
        f'<w:document xmlns:w="{W_NS}"><w:body>'
        "<w:p><w:r><w:t>hello &who;</w:t></w:r></w:p>"
        "</w:body></w:document>"
    )
    return minimal_docx(document.encode())


def xlsx_like() -> bytes:
    """A zip with [Content_Types].xml but a spreadsheet, not word/document.xml."""
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("xl/workbook.xml", b"<workbook/>")
    return buf.getvalue()


# ------------------------------------------------------------------------ PDF


def _pdf(objects: list[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@functools.cache
def pdf_spinning(pages: int = 500, operators: int = 100_000) -> bytes:
    """~80 KB PDF that keeps pypdf's text extraction busy for minutes.

    Every page shares one Flate content stream of 100k empty `() Tj` operators
    (~600 KB inflated, ~1 KB deflated). pypdf re-interprets it per page, at about
    1 s/page on a current CPU, while producing no text (so max_chars never stops
    it) and keeping memory flat (so only a clock stops it). Measured unguarded:
    1.2 s per page, i.e. ~10 minutes for the document.
    """
    content = zlib.compress(b"BT /F1 1 Tf\n" + b"() Tj\n" * operators + b"ET\n", 9)
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    objects += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
    ] * pages
    return _pdf(objects)


@functools.cache
def pdf_memory_hog(inflated_bytes: int = 60_000_000) -> bytes:
    """One page whose content stream inflates to 60 MB of blanks before one `Tj`.

    Under pypdf's own 75 MB inflation cap, so only the worker's address-space
    limit stops it: inflating plus tokenizing needs a few times its size. Built
    with zlib level 1 in ~0.2 s (the blanks exist briefly in the test process).
    """
    content = zlib.compress(b"BT /F1 1 Tf\n" + b" " * inflated_bytes + b"(x) Tj ET\n", 1)
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream"
            % (len(content), content),
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>",
        ]
    )


@functools.cache
def pdf_truncated() -> bytes:
    """A valid multi-page sample PDF cut off in the middle (no xref, no trailer)."""
    whole = make_pdf(
        [f"Paragraph {i} of a document that never finished uploading." for i in range(80)]
    )
    return whole[: len(whole) // 2]


@functools.cache
def pdf_encrypted(user_password: str = PDF_PASSWORD) -> bytes:
    """A sample PDF encrypted (RC4-128, no extra dependency) with a user password."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(BytesIO(make_pdf(["confidential text"]))))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


@functools.cache
def pdf_encrypted_empty_password() -> bytes:
    """Encrypted with an empty user password: opens without asking, so it is readable."""
    return pdf_encrypted("")


# ---------------------------------------------------------------- not documents

ELF_HEADER = (
    b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00\x01\x00\x00\x00" + b"\x00" * 40
)
PE_HEADER = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44
PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"


def not_a_document(kind: str = "elf") -> bytes:
    """The start of an executable or image: "elf" (Linux), "pe" (Windows) or "png"."""
    headers = {"elf": ELF_HEADER, "pe": PE_HEADER, "png": PNG_HEADER}
    return headers[kind] + bytes(range(256)) * 16


# ------------------------------------------------------------ identifying metadata

# Names and places that only the metadata of the files below carries: none is in
# their text, so finding one in a stored file means metadata survived.
AUTHOR = "Amadou Diallo"
REVIEWER = "Fatou Sow"
COMPANY = "Hidden Member NGO"
SECRET_PATH = "C:\\Users\\adiallo\\Templates\\Case notes.dotm"
XMP = f"""<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:creator><rdf:Seq><rdf:li>{AUTHOR}</rdf:li></rdf:Seq></dc:creator>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>""".encode()


@functools.cache
def pdf_with_metadata() -> bytes:
    """A sample PDF with author, creator, producer, a custom key, XMP and an annotation author."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        StreamObject,
        TextStringObject,
    )

    writer = PdfWriter(clone_from=PdfReader(BytesIO(make_pdf(["Findings of the pilot."]))))
    writer.add_metadata(
        {
            "/Author": AUTHOR,
            "/Creator": f"Microsoft Word - interview {AUTHOR}.docx",
            "/Producer": "Acme PDF Printer 9.1",
            "/Title": f"Interview {AUTHOR}",
            "/Company": COMPANY,
            "/CreationDate": "D:20240301101500+03'00'",
        }
    )
    xmp = StreamObject()
    xmp.set_data(XMP)
    xmp.update(
        {NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")}
    )
    writer.root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    note = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Text"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (72, 700, 92, 720)]),
            NameObject("/T"): TextStringObject(REVIEWER),
            NameObject("/Contents"): TextStringObject("check the figures"),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(note)])
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


@functools.cache
def docx_with_metadata() -> bytes:
    """A DOCX with core people fields, company/manager/template, a comment and a tracked change."""
    import docx

    document = docx.Document()
    props = document.core_properties
    props.author = AUTHOR
    props.last_modified_by = REVIEWER
    props.comments = f"Draft by {AUTHOR}"
    props.revision = 7
    props.title = "Lessons from the pilot"
    paragraph = document.add_paragraph("Lessons from the pilot.")
    document.add_comment(
        paragraph.runs, text="Check with the family", author=REVIEWER, initials="FS"
    )
    changed = document.add_paragraph("Mentoring ")
    changed._p.append(
        changed._p.makeelement(
            f"{{{W_NS}}}ins",
            {
                f"{{{W_NS}}}id": "91",
                f"{{{W_NS}}}author": REVIEWER,
                f"{{{W_NS}}}date": "2024-03-01T10:00:00Z",
            },
        )
    )
    run = changed._p[-1].makeelement(f"{{{W_NS}}}r", {})
    text = run.makeelement(f"{{{W_NS}}}t", {})
    text.text = "works"
    run.append(text)
    changed._p[-1].append(run)
    raw = BytesIO()
    document.save(raw)

    out = BytesIO()
    with (
        zipfile.ZipFile(BytesIO(raw.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "docProps/app.xml":
                data = (
                    data.replace(b"<Company/>", f"<Company>{COMPANY}</Company>".encode())
                    .replace(b"<Manager/>", f"<Manager>{REVIEWER}</Manager>".encode())
                    .replace(
                        b"<Template>Normal.dotm</Template>",
                        f"<Template>{SECRET_PATH}</Template>".encode(),
                    )
                )
            target.writestr(member, data)
    return out.getvalue()


@functools.cache
def pdf_without_metadata() -> bytes:
    """A sample PDF with no document information dictionary and no XMP."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(BytesIO(make_pdf(["Findings of the pilot."]))))
    writer.metadata = None
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
