"""Fitted models stored as arrays and JSON, used again only while they still fit."""

from __future__ import annotations

import numpy as np

from coder.suggest.model_store import store_model, stored_model


def _store(project, fingerprint="f1", model_format=2, coef=(1.0, 2.0)):
    store_model(
        project,
        "learned:ana",
        fingerprint=fingerprint,
        trained_at="2026-12-07T00:00:00",
        meta={"format": model_format, "codes": ["trust"]},
        arrays={"coef": np.array(coef)},
    )


def test_a_stored_model_comes_back_while_it_fits(project):
    _store(project)
    meta, arrays, version = stored_model(project, "learned:ana", "f1", 2)
    assert meta == {"format": 2, "codes": ["trust"]}
    assert arrays["coef"].tolist() == [1.0, 2.0]
    assert version
    # Fitted on other data, or in another format: fit again.
    assert stored_model(project, "learned:ana", "f2", 2) is None
    assert stored_model(project, "learned:ana", "f1", 3) is None
    assert stored_model(project, "combined:ana", "f1", 2) is None


def test_storing_again_replaces_the_model(project):
    _store(project)
    _store(project, fingerprint="f2", coef=(3.0,))
    assert stored_model(project, "learned:ana", "f1", 2) is None
    _, arrays, _ = stored_model(project, "learned:ana", "f2", 2)
    assert arrays["coef"].tolist() == [3.0]
    rows = project.db.execute("SELECT COUNT(*) FROM suggestion_models").fetchone()
    assert rows == (1,)
