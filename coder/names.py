"""One-line messages for a name that is not there: the closest names that are.

``no code 'trsut'; did you mean 'trust'?`` when something is close; else the
few names there are, or how many and which command lists them, so a message
stays one line in a project with hundreds of codes.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# With this many names or fewer, a message lists them all.
FEW = 6
# At most this many suggestions, best first.
SUGGESTIONS = 3
# difflib's similarity ratio for a suggestion: 0.7 takes one slip in a
# five-letter name (trsut, alpah) but not delta for beta (0.6, its default).
CUTOFF = 0.7
# Similar names this far below the best one are left out.
NEAR = 0.1

# The command that lists each kind of name, named when there are too many to show.
LISTED_BY = {
    "code": "coder codebook show",
    "document": "coder docs",
    "case": "coder cases",
    "attribute": "coder attributes",
}


def closest(name: str, known: Iterable[str], n: int = SUGGESTIONS) -> list[str]:
    """The known names most like ``name``, best first.

    Ranked: the same name in another case (then nothing else); names starting with it (shortest
    first); difflib's similar names (ratio at least CUTOFF, compared
    case-insensitively); names it starts with (``trust`` for ``trust_all``).

    Args:
        name: The name that was given.
        known: The names there are.
        n: How many to return at most.
    """
    names = sorted(set(known))
    folded = name.casefold()
    ranked: list[str] = []

    def add(found: Iterable[str]) -> None:
        for item in found:
            if item not in ranked and item != name:
                ranked.append(item)

    add(k for k in names if k.casefold() == folded)
    if ranked:
        # Only the case differs: that is the one meant.
        return ranked[:n]
    if folded:
        add(
            sorted(
                (k for k in names if k.casefold().startswith(folded)),
                key=lambda k: (len(k), k),
            )
        )
    by_folded: dict[str, list[str]] = {}
    for k in names:
        by_folded.setdefault(k.casefold(), []).append(k)
    similar = difflib.get_close_matches(folded, list(by_folded), n=n, cutoff=CUTOFF)
    matcher = difflib.SequenceMatcher(b=folded)
    scores = []
    for match in similar:
        matcher.set_seq1(match)
        scores.append(matcher.ratio())
    for match, score in zip(similar, scores, strict=True):
        # Not a far second to a near miss: pe-01-farahni is pe-01-farahani,
        # and re-01-jafari (also above the cutoff) would only add noise.
        if score >= scores[0] - NEAR:
            add(by_folded[match])
    # Last, a name it starts with (``trust`` for ``trust_all``), not a
    # one- or two-letter one, which would match too much.
    add(
        sorted(
            (k for k in names if len(k) > 2 and folded.startswith(k.casefold())),
            key=lambda k: (-len(k), k),
        )
    )
    return ranked[:n]


def _quoted(names: list[str], joiner: str) -> str:
    quoted = [f"'{n}'" for n in names]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + f" {joiner} " + quoted[-1]


def unknown_name(
    kind: str,
    name: str,
    known: Iterable[str],
    *,
    plural: str | None = None,
    none: str | None = None,
) -> str:
    """The message for a ``kind`` named ``name`` that is not among ``known``.

    Args:
        kind: What the name names: ``code``, ``document``, ``coder``...
        name: The name that was given.
        known: The names there are.
        plural: ``kind`` in the plural (default: ``kind`` + "s").
        none: What to say when there are no names at all (default:
            ``no codes yet``).

    Returns:
        One line: ``no code 'trsut'; did you mean 'trust'?``,
        ``no coder 'zoe' (coders: ana, ben)`` or
        ``no code 'xyz' (42 codes: coder codebook show lists them)``.
    """
    names = sorted(set(known))
    plural = plural or f"{kind}s"
    head = f"no {kind} '{name}'"
    close = closest(name, names)
    if close:
        return f"{head}; did you mean {_quoted(close, 'or')}?"
    if not names:
        return f"{head} ({none or f'no {plural} yet'})"
    if len(names) <= FEW:
        return f"{head} ({plural}: {', '.join(names)})"
    command = LISTED_BY.get(kind)
    listed = f": {command} lists them" if command else ""
    return f"{head} ({len(names)} {plural}{listed})"
