"""Inter-coder agreement coefficients for coded interview data."""

from coder.agreement.bootstrap import bootstrap_ci, per_code_bootstrap_ci
from coder.agreement.coefficients import (
    LEVELS,
    AgreementWarning,
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    per_code_agreement,
    percent_agreement,
)

__all__ = [
    "LEVELS",
    "AgreementWarning",
    "bootstrap_ci",
    "brennan_prediger",
    "cohen_kappa",
    "fleiss_kappa",
    "gwet_ac1",
    "krippendorff_alpha",
    "per_code_agreement",
    "per_code_bootstrap_ci",
    "percent_agreement",
]
