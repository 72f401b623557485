"""Fuzz the readers of codebooks (YAML and REFI-QDA) and of codings files."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from coder.codebook import read_codebook
from coder.coding_import import read_codings_file
from coder.refi.codebook import read_qdc

from .strategies import (
    DATA,
    byte_edits,
    fuzz,
    outcome,
    xml_edits,
    yaml_documents,
    zip_edits,
    zip_members,
)

MINI = (DATA / "codebooks" / "mini.yaml").read_text("utf-8")
CODINGS = """\
coder: gold
codebook: export-clusters.yaml
codings:
  - document: pe-01-farahani
    code: payment_risk
    quote: "Payment comes first."
    note: "Ranks payment first."
  - document: og-01-karimi
    code: payment_risk
    quote: "Payment, payment, and then payment."
    occurrence: 2
"""
QDC = [
    (DATA / "refi" / name).read_text("utf-8")
    for name in ("taguette_codebook.qdc", "tricky_codebook.qdc")
]
QDPX = zip_members((DATA / "refi" / "nvivo_mac15_project.qdpx").read_bytes())
REFI_FRAGMENTS = [
    '<Code guid="x" name="" isCodable="false" color="nope"/>',
    '<Code name="&lt;b&gt;"><Description>Include: a</Description></Code>',
    '<Code guid="1ff58b12-6f6f-4b0c-8be5-bbdc91f55294" name="Twin"/>',
    "<Codes/>",
    "<Sets><Set/></Sets>",
    "<NoteRef/>",
    "<Description>Exclude:</Description>",
    '<CodeBook xmlns="urn:QDA-XML:codebook:1.0">',
    '<Project xmlns="urn:QDA-XML:project:1.0">',
]


def encoded(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def yaml_files(base: str):
    return st.one_of(
        yaml_documents(base).map(encoded),
        yaml_documents(base).map(encoded).flatmap(byte_edits),
        st.binary(max_size=300),
    )


@fuzz()
@given(yaml_files(MINI))
def test_codebook_yaml(scratch, data):
    path = scratch("codebook.yaml")
    path.write_bytes(data)
    outcome(lambda: read_codebook(path), path)


@fuzz()
@given(yaml_files(CODINGS))
def test_codings_yaml(scratch, data):
    path = scratch("codings.yaml")
    path.write_bytes(data)
    outcome(lambda: read_codings_file(path), path)


def qdc_files():
    return st.one_of(
        st.sampled_from(QDC)
        .flatmap(lambda xml: xml_edits(xml, REFI_FRAGMENTS))
        .map(encoded),
        st.sampled_from(QDC).map(encoded).flatmap(byte_edits),
        st.sampled_from(QDC).map(lambda xml: xml.encode("utf-16")).flatmap(byte_edits),
        st.binary(max_size=300),
    )


@fuzz()
@given(qdc_files())
def test_qdc(scratch, data):
    path = scratch("codebook.qdc")
    path.write_bytes(data)
    outcome(lambda: read_qdc(path), path)


def qde_edit(name: str, data: bytes):
    if name.lower().endswith(".qde"):
        try:
            return xml_edits(data.decode("utf-8"), REFI_FRAGMENTS).map(encoded)
        except UnicodeDecodeError:  # junk an earlier edit added
            pass
    return byte_edits(data)


@fuzz()
@given(st.data())
def test_qdpx(scratch, data):
    path = scratch("project.qdpx")
    path.write_bytes(data.draw(zip_edits(QDPX, qde_edit)))
    outcome(lambda: read_qdc(path), path)
