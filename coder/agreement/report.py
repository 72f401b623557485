"""The agreement table: every coefficient per code, with confidence intervals and bands.

Per code the data are binary (applied / not applied). The overall row is the
mean over codes; for segment units there is also the multi-category version
(each unit's category is the one code a coder gave it, or none), defined when
no coder gave one unit two codes.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from coder.agreement import coefficients as coef
from coder.agreement.bootstrap import per_code_bootstrap_ci
from coder.agreement.units import ReliabilityData

COEFFICIENTS = (
    ("percent_agreement", "Percent"),
    ("cohen_kappa", "Cohen κ"),
    ("fleiss_kappa", "Fleiss κ"),
    ("krippendorff_alpha", "Krippendorff α"),
    ("gwet_ac1", "Gwet AC1"),
    ("brennan_prediger", "Brennan-Prediger"),
)

# Interpretation bands, with their sources, for the methods section.
BANDS = {
    "kappa": (
        "Landis & Koch (1977)",
        [
            (0.0, "poor"),
            (0.2, "slight"),
            (0.4, "fair"),
            (0.6, "moderate"),
            (0.8, "substantial"),
            (1.01, "almost perfect"),
        ],
    ),
    "alpha": (
        "Krippendorff (2004)",
        [(0.667, "discard"), (0.8, "tentative"), (1.01, "reliable")],
    ),
}


def band(name: str, value: float) -> str:
    """The verbal band of a value (alpha: Krippendorff; the others: Landis & Koch)."""
    if value is None or math.isnan(value):
        return ""
    table = BANDS["alpha" if name == "krippendorff_alpha" else "kappa"][1]
    if name != "krippendorff_alpha" and value < 0:
        return "poor"
    return next((label for limit, label in table if value <= limit), table[-1][1])


@dataclass
class Row:
    """One line of the table: a code (or the overall mean) within a group."""

    code: str
    units: int
    prevalence: float
    values: dict[str, float]
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    group: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code}
        if self.group is not None:
            data["group"] = self.group
        data["units"] = self.units
        data["prevalence"] = _clean(self.prevalence)
        for name, value in self.values.items():
            data[name] = _clean(value)
            if name in self.intervals:
                low, high = self.intervals[name]
                data[f"{name}_ci"] = [_clean(low), _clean(high)]
        return data


def _clean(value: float) -> float | None:
    return (
        None
        if value is None or (isinstance(value, float) and math.isnan(value))
        else round(float(value), 4)
    )


@dataclass
class AgreementReport:
    unit: str
    coders: list[str]
    rows: list[Row]
    overall: dict[str, float]
    multi_category: dict[str, float] | None
    multi_category_note: str
    codebook: str
    n_boot: int
    level: float
    seed: int | None
    min_overlap: float = 0.0
    segment_kind: str = "sentence"
    by: str = "code"

    @property
    def coefficient_names(self) -> list[str]:
        return [
            name
            for name, _ in COEFFICIENTS
            if any(name in row.values for row in self.rows)
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "segment_kind": self.segment_kind if self.unit == "segment" else None,
            "min_overlap": self.min_overlap if self.unit == "segment" else None,
            "coders": self.coders,
            "codebook": self.codebook,
            "by": self.by,
            "confidence": {
                "level": self.level,
                "bootstrap_resamples": self.n_boot,
                "seed": self.seed,
            },
            "codes": [row.to_dict() for row in self.rows],
            "overall_mean": {k: _clean(v) for k, v in self.overall.items()},
            "multi_category": (
                {k: _clean(v) for k, v in self.multi_category.items()}
                if self.multi_category
                else None
            ),
            "multi_category_note": self.multi_category_note,
        }


def _per_code_rows(
    data: ReliabilityData,
    n_boot: int,
    level: float,
    seed: int | None,
    group: str | None,
) -> list[Row]:
    values = data.values
    if values.shape[1] == 0:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", coef.AgreementWarning)
        found = coef.per_code_agreement(values)
        intervals = (
            per_code_bootstrap_ci(values, n_boot=n_boot, level=level, seed=seed)
            if n_boot
            else {}
        )
    pairable = (np.sum(~np.isnan(values), axis=2) >= 2).sum(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a code nobody could code: NaN
        prevalence = np.nanmean(values, axis=(1, 2))
    rows = []
    for index, code in enumerate(data.codes):
        rows.append(
            Row(
                code=code,
                units=int(pairable[index]),
                prevalence=float(prevalence[index]),
                values={
                    name: float(found[name][index])
                    for name, _ in COEFFICIENTS
                    if name in found
                },
                intervals={
                    name: (float(ci[index, 0]), float(ci[index, 1]))
                    for name, ci in intervals.items()
                },
                group=group,
            )
        )
    return rows


def _multi_category(data: ReliabilityData) -> tuple[dict[str, float] | None, str]:
    """Coefficients over the codes as one nominal variable, where that is defined."""
    if data.unit != "segment":
        return None, "multi-category agreement is reported for segment units only"
    values = data.values
    applied = np.nan_to_num(values, nan=0.0).sum(axis=0)  # units x coders
    several = int((applied > 1).any(axis=1).sum())
    if several:
        return None, (
            f"not defined: in {several} units a coder applied more than one code"
            " (codes are not mutually exclusive there)"
        )
    missing = np.isnan(values).any(axis=0)
    choice = np.argmax(np.nan_to_num(values, nan=0.0), axis=0)
    categories = np.where(applied > 0, choice, len(data.codes)).astype(object)
    categories[missing] = None
    names = list(range(len(data.codes) + 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", coef.AgreementWarning)
        result = {
            "percent_agreement": coef.percent_agreement(categories, names),
            "fleiss_kappa": coef.fleiss_kappa(categories, names),
            "krippendorff_alpha": coef.krippendorff_alpha(categories, categories=names),
            "gwet_ac1": coef.gwet_ac1(categories, names),
            "brennan_prediger": coef.brennan_prediger(categories, names),
        }
        if len(data.coders) == 2:
            result["cohen_kappa"] = coef.cohen_kappa(categories, names)
    return result, "each unit's category is the one code a coder gave it, or none"


def agreement_report(
    data: ReliabilityData,
    *,
    by: str = "code",
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int | None = 0,
    codebook: str = "",
) -> AgreementReport:
    """Per-code coefficients with bootstrap intervals, grouped as asked."""
    if by == "code":
        rows = _per_code_rows(data, n_boot, level, seed, None)
    elif by in ("case", "document"):
        rows = []
        keys = [
            (u.case or "(no case)") if by == "case" else u.document for u in data.units
        ]
        for group in sorted(set(keys)):
            mask = np.array([key == group for key in keys])
            subset = data.subset(mask)
            # A case or document no two coders coded has nothing to report.
            if (np.sum(~np.isnan(subset.values), axis=2) >= 2).any():
                rows.extend(_per_code_rows(subset, n_boot, level, seed, group))
    else:
        raise ValueError(f"unknown grouping '{by}'")
    names = [name for name, _ in COEFFICIENTS]
    # The mean over codes is over the whole data, whatever the grouping.
    overall_rows = rows if by == "code" else _per_code_rows(data, 0, level, seed, None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        overall = {
            name: float(np.nanmean([row.values[name] for row in overall_rows]))
            for name in names
            if overall_rows and name in overall_rows[0].values
        }
    multi, note = _multi_category(data)
    return AgreementReport(
        unit=data.unit,
        coders=data.coders,
        rows=rows,
        overall=overall,
        multi_category=multi,
        multi_category_note=note,
        codebook=codebook,
        n_boot=n_boot,
        level=level,
        seed=seed,
        min_overlap=data.min_overlap,
        segment_kind=data.segment_kind,
        by=by,
    )
