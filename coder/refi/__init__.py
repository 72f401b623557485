"""REFI-QDA (QDA-XML 1.0) exchange: codebooks as .qdc, whole projects as .qdpx.

Codebooks: :mod:`coder.refi.codebook`. Projects: :mod:`coder.refi.project_export`
and :mod:`coder.refi.project_import`, reading packages safely with
:mod:`coder.refi.package` and converting selection positions between the
tools' conventions with :mod:`coder.refi.positions` (docs/refi-qda.md).

The standard is the Rotterdam Exchange Format Initiative's, www.qdasoftware.org;
the schemas it publishes are Codebook.xsd (``urn:QDA-XML:codebook:1.0``) and
Project.xsd (``urn:QDA-XML:project:1.0``).
"""

from __future__ import annotations

from coder.refi.codebook import (
    CODE_GUID_NAMESPACE,
    CODEBOOK_NAMESPACE,
    PROJECT_NAMESPACE,
    code_guid,
    codebook_from_element,
    codebook_to_qdc,
    codes_element,
    read_qdc,
)

__all__ = [
    "CODEBOOK_NAMESPACE",
    "CODE_GUID_NAMESPACE",
    "PROJECT_NAMESPACE",
    "code_guid",
    "codebook_from_element",
    "codebook_to_qdc",
    "codes_element",
    "read_qdc",
]
