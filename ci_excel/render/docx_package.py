"""The .docx package on disk: python-docx's parts, with the body streamed in as text.

The body of a report is built as XML text (`ReportDoc.parts`); parsing a big report's body into a
tree took several times its size, so `word/document.xml` is written as the document's frame with the
parts streamed between. Every other part is written as python-docx would (its content types, package
relationships, each part's relationships), in one pass: each part is compressed once, and parts that
are compressed already (pictures) are stored as they are.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

from docx.document import Document as DocumentObject
from docx.opc.packuri import PACKAGE_URI, PackURI
from docx.opc.pkgwriter import _ContentTypesItem  # the [Content_Types].xml python-docx's own writer makes
from docx.oxml.ns import nsmap
from lxml import etree

from ci_excel.render.docx_xml import escaped

BODY_NS = {k: nsmap[k] for k in ("w", "r", "wp", "a", "pic")}
_DECLARATION = b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
_STORED = (".png", ".jpeg", ".jpg", ".gif")  # compressed already: deflating them again costs time, saves nothing
_BATCH_CHARS = 1 << 20
_LEVEL = 1  # zlib's fastest: 40 % less time than its default for a fifth more XML bytes (pictures dominate a report)


def document_frame(doc: DocumentObject) -> tuple[str, str]:
    """w:document up to the body's content and after it, with the template's root attributes and section."""
    root = doc.element
    namespaces = {**root.nsmap, **BODY_NS}
    declared = " ".join(f'xmlns:{k}="{v}"' for k, v in namespaces.items() if k)
    attributes = " ".join(f'{_qname(k, namespaces)}="{escaped(v)}"' for k, v in root.attrib.items())
    sect = etree.tostring(root.body.sectPr, encoding="unicode")
    return f"<w:document {declared} {attributes}><w:body>", f"{sect}</w:body></w:document>"


def write_package(doc: DocumentObject, path: Path, head: str, body: Iterable[str], tail: str) -> None:
    """The document's package at `path`, word/document.xml being `head`, the `body` parts and `tail`."""
    package = doc.part.package
    parts = list(package.iter_parts())
    for part in parts:
        part.before_marshal()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=_LEVEL) as out:
        _put(out, "[Content_Types].xml", _ContentTypesItem.from_parts(parts).blob)  # type: ignore[no-untyped-call]
        _put(out, PACKAGE_URI.rels_uri.membername, package.rels.xml)
        for part in parts:
            if part is doc.part:
                _stream(out, part.partname, head, body, tail)
            else:
                _put(out, part.partname.membername, part.blob)
            if len(part.rels):
                _put(out, part.partname.rels_uri.membername, part.rels.xml)


def _put(out: zipfile.ZipFile, name: str, blob: bytes) -> None:
    stored = name.lower().endswith(_STORED)
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    out.writestr(name, blob, method, _LEVEL)


def _stream(out: zipfile.ZipFile, partname: PackURI, head: str, body: Iterable[str], tail: str) -> None:
    """word/document.xml written in batches of about a megabyte of text: large deflates, and no
    copy of the whole body (a portfolio of 1,200 departments made three)."""
    with out.open(partname.membername, "w") as stream:  # the package's method and level
        stream.write(_DECLARATION)
        batch, size = [head], len(head)
        for part in body:
            batch.append(part)
            size += len(part)
            if size >= _BATCH_CHARS:
                stream.write("".join(batch).encode())
                batch, size = [], 0
        batch.append(tail)
        stream.write("".join(batch).encode())


def _qname(clark: str, namespaces: dict[str, str]) -> str:
    """'{uri}local' as 'prefix:local' for one of the declared namespaces."""
    if not clark.startswith("{"):
        return clark
    uri, local = clark[1:].split("}", 1)
    prefix = next(k for k, v in namespaces.items() if v == uri and k)
    return f"{prefix}:{local}"
