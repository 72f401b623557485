"""Fitted suggestion models in the project file: plain arrays and JSON, never pickle.

A model is one row of ``suggestion_models`` under a key (``learned:alice``,
``combined:alice``): the fingerprint of what it was fitted on, the versions of
scikit-learn and coder that fitted it, its settings as JSON and its arrays as
a compressed ``.npz``. A stored model is used again only when its
fingerprint, scikit-learn version and format all match.
"""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import sklearn

from coder import __version__
from coder.store import Project


def store_model(
    project: Project,
    key: str,
    *,
    fingerprint: str,
    trained_at: str,
    meta: dict[str, Any],
    arrays: dict[str, np.ndarray],
    sklearn_version: str | None = None,
) -> None:
    """Store a model under `key`, replacing the one there (one transaction)."""
    packed = io.BytesIO()
    np.savez_compressed(packed, **arrays)
    with project.atomic():
        project.execute(
            "INSERT INTO suggestion_models (key, fingerprint, sklearn_version,"
            " coder_version, created_at, meta, arrays) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(key) DO UPDATE SET fingerprint = excluded.fingerprint,"
            " sklearn_version = excluded.sklearn_version,"
            " coder_version = excluded.coder_version, created_at = excluded.created_at,"
            " meta = excluded.meta, arrays = excluded.arrays",
            [
                key,
                fingerprint,
                sklearn_version or sklearn.__version__,
                __version__,
                trained_at,
                json.dumps(meta, ensure_ascii=False),
                packed.getvalue(),
            ],
        )


def stored_model(
    project: Project, key: str, fingerprint: str, model_format: int
) -> tuple[dict[str, Any], dict[str, np.ndarray], str] | None:
    """The model under `key` as (meta, arrays, sklearn version), if it still fits.

    None when there is none, or it was fitted on other data, by another
    scikit-learn or in another format.
    """
    row = project.execute(
        "SELECT fingerprint, sklearn_version, meta, arrays FROM suggestion_models"
        " WHERE key = ?",
        [key],
    ).fetchone()
    if row is None or row[0] != fingerprint or row[1] != sklearn.__version__:
        return None
    meta = json.loads(row[2])
    if meta.get("format") != model_format:
        return None
    with np.load(io.BytesIO(row[3]), allow_pickle=False) as packed:
        arrays = {name: packed[name] for name in packed.files}
    return meta, arrays, row[1]
