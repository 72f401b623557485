"""Suggestions from the command line: suggest, suggestions list/accept/reject, codings import."""

from __future__ import annotations

import re
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

import coder.cli.coding  # noqa: F401  (registers `codings`, which becomes a group below)
from coder.cli.base import (
    cli,
    handle_errors,
    json_option,
    open_existing,
    out,
    print_json,
    project_option,
)
from coder.errors import CoderError, NotFoundError


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _short(text: str, width: int = 60) -> str:
    """One line of at most `width` characters, safe to print as rich markup."""
    text = " ".join(text.split())
    return escape(text if len(text) <= width else text[: width - 1] + "…")


@cli.command()
@click.option(
    "--rules", "use_rules", is_flag=True, help="Only the codebook's patterns."
)
@click.option("--learned", "use_learned", is_flag=True, help="Only the learned model.")
@click.option(
    "--combined",
    "use_combined",
    is_flag=True,
    help="Only the combined model (the default: rules, codings, codebook text and"
    " context in one).",
)
@click.option("--code", "codes", multiple=True, help="Only this code (repeatable).")
@click.option(
    "--doc", "documents", multiple=True, help="Only this document (repeatable)."
)
@click.option(
    "--min-score",
    type=click.FloatRange(0, 1),
    help="Leave out suggestions scoring less (default: all rule matches, learned 0.5).",
)
@click.option(
    "--coder",
    help="Whose codings count as done and train the model (default: CODER_USER or login).",
)
@click.option(
    "--evaluate",
    is_flag=True,
    help="Store nothing: print precision, recall, F1 and Cohen's kappa per code"
    " against the coder's codings, for rules, learned and combined.",
)
@click.option(
    "--curve",
    is_flag=True,
    help="With --evaluate: also the learning curve (trained on the first 1, 2, ..."
    " coded documents, scored on the others).",
)
@click.option(
    "--folds",
    type=click.IntRange(2, 50),
    default=5,
    show_default=True,
    help="With --evaluate: folds of the cross-validation (grouped by document).",
)
@click.option(
    "--char-ngrams",
    is_flag=True,
    help="Learned model: add character 2- to 4-grams to the word n-grams (slower).",
)
@project_option
@json_option
@handle_errors
def suggest(
    use_rules,
    use_learned,
    use_combined,
    codes,
    documents,
    min_score,
    coder,
    evaluate,
    curve,
    folds,
    char_ngrams,
    project_path: Path,
    as_json: bool,
) -> None:
    """Suggest codings from the codebook and a model of your codings.

    Suggestions are stored for review (`coder suggestions`); codings are not
    touched. By default the combined model runs: one suggestion per sentence
    and code from the codebook's patterns and text, your codings and
    decisions, and the context (the question answered, the speaker, the
    neighbouring sentences); before anything is coded, the patterns alone.
    --rules and --learned run the single methods instead. With --evaluate,
    report how well each would have reproduced the coder's codings (on
    documents left out of training) instead; --curve adds the learning curve.

    Example:

        coder suggest --rules --code trust --min-score 0.7

        coder suggest --evaluate --curve --coder gold
    """
    from coder.suggest.features import FeatureConfig

    config = FeatureConfig(char_ngrams=(2, 4) if char_ngrams else None)
    if evaluate:
        from coder.suggest.evaluate import evaluate as run_evaluation

        if documents:
            raise CoderError(
                "--doc does not go with --evaluate: it cross-validates over every"
                " document the coder has coded"
            )
        with open_existing(project_path) as project:
            result = run_evaluation(
                project,
                coder=coder,
                folds=folds,
                min_score=min_score,
                config=config,
                codes=list(codes) or None,
                curve=curve,
            )
        if as_json:
            print_json(result.to_dict())
        else:
            _print_evaluation(result)
        return
    from coder.suggest.engine import suggest as run

    if curve:
        raise CoderError("--curve goes with --evaluate")
    if not use_rules and not use_learned:
        use_combined = True
    with open_existing(project_path) as project:
        reports = run(
            project,
            use_rules=use_rules,
            use_learned=use_learned,
            use_combined=use_combined,
            codes=list(codes) or None,
            documents=list(documents) or None,
            min_score=min_score,
            coder=coder,
            config=config,
        )
    if as_json:
        print_json([r.to_dict() for r in reports])
        return
    for report in reports:
        for message in _grouped(report.messages):
            click.echo(f"{report.method}: {message}", err=True)
        stored = report.stored
        line = (
            f"{report.method}: {report.suggestions:,} suggestions from"
            f" {report.sentences:,} sentences ({stored.added:,} new, {stored.updated:,}"
            f" updated, {stored.removed:,} withdrawn) in {report.seconds:.1f} s"
        )
        if report.method == "learned" and report.details:
            line += (
                f"; {report.details['coder']}'s model, {report.details['model']},"
                f" {report.details['codes_learned']} codes"
            )
        if report.method == "combined" and report.details:
            details = report.details
            line += (
                f"; {details['coder']}'s model {details['version']}, {details['model']},"
                f" {details['codes_learned']} codes learned from"
                f" {details['training_sentences']:,} sentences"
            )
        click.echo(line)


_METHODS = ("rules", "learned", "combined")


def evaluation_table(result) -> str:
    """The evaluation as one plain-text table, one code a line, summaries last
    (for logs and benchmarks; the command pages its columns to the terminal)."""
    width = max([len("median kappa"), *(len(c.code) for c in result.codes)])
    n_width = max(4, len(str(sum(c.support for c in result.codes))))
    group = 4 * 6

    def cells(scores) -> str:
        return (
            f"{scores.precision:6.2f}{scores.recall:6.2f}{scores.f1:6.2f}"
            f"{scores.kappa:6.2f}"
        )

    blank = f"{'—':>6}" * 4
    lines = [
        f"{'':{width}}  {'':>{n_width}}"
        + "".join(f"  {method:^{group}}" for method in _METHODS),
        f"{'code':{width}}  {'n':>{n_width}}"
        + f"  {'P':>6}{'R':>6}{'F1':>6}{'κ':>6}" * len(_METHODS),
    ]
    for code in result.codes:
        rules = cells(code.rules) if code.has_patterns else blank
        lines.append(
            f"{code.code:{width}}  {code.support:>{n_width}}  {rules}"
            f"  {cells(code.learned)}  {cells(code.combined)}"
        )
    total = sum(c.support for c in result.codes)
    lines.append(
        f"{'macro':{width}}  {total:>{n_width}}"
        + "".join(f"  {cells(result.macro(m))}" for m in _METHODS)
    )
    lines.append(
        f"{'median kappa':{width}}  {'':>{n_width}}"
        + "".join(f"  {'':>18}{result.macro(m).median_kappa:6.2f}" for m in _METHODS)
    )
    return "\n".join(lines)


def _print_evaluation(result) -> None:
    """The evaluation as a table that fits the terminal (pages of columns)."""
    from coder.cli.fit import Column, print_fitted

    columns = [Column("code", key=True), Column("n", right=True)]
    columns += [
        Column(f"{method} {measure}", right=True)
        for method in _METHODS
        for measure in ("P", "R", "F1", "κ")
    ]

    def cells(scores) -> list[str]:
        return [
            f"{scores.precision:.2f}",
            f"{scores.recall:.2f}",
            f"{scores.f1:.2f}",
            f"{scores.kappa:.2f}",
        ]

    rows = []
    for code in result.codes:
        rules = cells(code.rules) if code.has_patterns else ["—"] * 4
        rows.append(
            [
                code.code,
                str(code.support),
                *rules,
                *cells(code.learned),
                *cells(code.combined),
            ]
        )
    total = sum(c.support for c in result.codes)
    rows.append(
        ["macro", str(total)]
        + [cell for method in _METHODS for cell in cells(result.macro(method))]
    )
    rows.append(
        ["median kappa", ""]
        + [
            cell
            for method in _METHODS
            for cell in ["", "", "", f"{result.macro(method).median_kappa:.2f}"]
        ]
    )
    caption = (
        f"{result.coder}: {result.documents} documents, {result.sentences:,} sentences,"
        f" {result.folds}-fold cross-validation grouped by document; n = sentences"
        f" coded; κ = Cohen's kappa per sentence; suggested at rules score >="
        f" {result.threshold_rules:g}, learned probability >="
        f" {result.threshold_learned:g}, combined at per-code thresholds chosen"
        f" inside the training documents ({result.seconds:.1f} s)"
    )
    styles = [None] * len(result.codes) + ["bold", "bold"]
    print_fitted(out, columns, rows, caption=caption, row_styles=styles)
    if result.curve:
        curve_columns = [
            Column("documents trained", key=True, right=True),
            Column("tested on", right=True),
        ]
        curve_columns += [
            Column(f"{method} {measure}", right=True)
            for method in _METHODS
            for measure in ("F1", "median κ")
        ]
        curve_rows = [
            [str(point.trained), str(point.tested)]
            + [
                cell
                for method in _METHODS
                for cell in (
                    f"{point.macro(method).f1:.2f}",
                    f"{point.macro(method).median_kappa:.2f}",
                )
            ]
            for point in result.curve
        ]
        out.print()
        print_fitted(
            out,
            curve_columns,
            curve_rows,
            caption="learning curve: trained on the first documents (in document"
            " order), tested on all the others",
        )
    for note in result.notes:
        click.echo(f"note: {note}")


# Reviewing ----------------------------------------------------------------------


@cli.group()
def suggestions() -> None:
    """Review stored suggestions: list, accept, reject.

    Example:

        coder suggestions list --min-score 0.8
    """


_STATUSES = click.Choice(["pending", "accepted", "rejected", "all"])


def _filters(func):
    for decorator in reversed(
        [
            click.option("--code", "code_id", help="Only this code."),
            click.option("--doc", "document", help="Only this document."),
            click.option(
                "--method",
                type=click.Choice(["rules", "learned", "combined"]),
                help="Only suggestions made this way (see `coder suggest`).",
            ),
            click.option(
                "--min-score",
                type=click.FloatRange(0, 1),
                help="Only suggestions scoring at least this.",
            ),
        ]
    ):
        func = decorator(func)
    return func


@suggestions.command(name="list")
@click.option(
    "--status",
    type=_STATUSES,
    default="pending",
    show_default=True,
    help="Which suggestions, by their decision.",
)
@_filters
@project_option
@json_option
@handle_errors
def suggestions_list(
    status, code_id, document, method, min_score, project_path: Path, as_json: bool
) -> None:
    """List suggestions: id, document, span, code, score, method, reason, text.

    Example:

        coder suggestions list --code trust --json
    """
    from coder.suggest.queue import list_suggestions

    with open_existing(project_path) as project:
        found = list_suggestions(
            project,
            status=None if status == "all" else status,
            document=document,
            code=code_id,
            min_score=min_score,
            method=method,
        )
    if as_json:
        print_json([s.to_dict() for s in found])
        return
    table = Table(box=None, header_style="bold")
    for column in (
        "id",
        "document",
        "span",
        "code",
        "score",
        "method",
        "reason",
        "text",
    ):
        table.add_column(
            column, justify="right" if column in ("id", "score") else "left"
        )
    for s in found:
        table.add_row(
            str(s.id),
            s.document,
            f"{s.start}-{s.end}",
            s.code,
            f"{s.score:.2f}",
            s.method + ("" if s.status == "pending" else f" ({s.status})"),
            _short(s.reason, 40),
            _short(s.text),
        )
    out.print(table)


def _chosen(project, ids, code_id, document, method, min_score):
    """The pending suggestions a decision command is about."""
    from coder.suggest.queue import list_suggestions

    if not ids and min_score is None:
        raise CoderError(
            "give suggestion ids, or --min-score to take every pending suggestion"
            " scoring at least that"
        )
    found = list_suggestions(
        project, document=document, code=code_id, min_score=min_score, method=method
    )
    if not ids:
        return found
    by_id = {s.id: s for s in found}
    missing = [i for i in ids if i not in by_id]
    if missing:
        found = list_suggestions(project, status=None, suggestion_id=missing[0])
        if not found:
            raise NotFoundError(f"no suggestion with id {missing[0]}")
        if found[0].status != "pending":
            raise CoderError(f"suggestion {missing[0]} was already {found[0].status}")
        raise CoderError(f"suggestion {missing[0]} does not match the filters given")
    return [by_id[i] for i in dict.fromkeys(ids)]


def _decide(
    verb: str, ids, code_id, document, method, min_score, coder, dry_run, project_path
):
    from coder.suggest.queue import accept_suggestions, reject_suggestions

    with open_existing(project_path) as project:
        chosen = _chosen(project, ids, code_id, document, method, min_score)
        if dry_run:
            for s in chosen:
                click.echo(
                    f"would {verb} {s.id}: {s.code} on {s.document} [{s.start}:{s.end}]"
                    f" {s.score:.2f} {' '.join(s.text.split())[:50]}"
                )
            click.echo(
                f"would {verb} {_count(len(chosen), 'suggestion')}"
                " (dry run: nothing changed)"
            )
            return
        who = coder or project.actor
        if verb == "accept":
            coding_ids = accept_suggestions(
                project, [s.id for s in chosen], coder=coder
            )
            click.echo(
                f"accepted {_count(len(chosen), 'suggestion')}:"
                f" {_count(len(set(coding_ids)), 'coding')} by {who}"
            )
        else:
            count = reject_suggestions(project, [s.id for s in chosen], coder=coder)
            click.echo(f"rejected {_count(count, 'suggestion')} (as {who})")


@suggestions.command(name="accept")
@click.argument("ids", nargs=-1, type=int)
@_filters
@click.option("--coder", help="Who accepts (default: CODER_USER or the login name).")
@click.option(
    "--dry-run", is_flag=True, help="Show what would be accepted; change nothing."
)
@project_option
@handle_errors
def suggestions_accept(
    ids, code_id, document, method, min_score, coder, dry_run, project_path: Path
) -> None:
    """Accept suggestions by id, or all pending ones at or above --min-score.

    Each becomes a coding by the accepting coder, marked as coming from a
    suggestion (source `suggestion:rules`, `suggestion:learned` or
    `suggestion:combined`).

    Example:

        coder suggestions accept --min-score 0.9 --code payment_risk --dry-run
    """
    _decide(
        "accept",
        ids,
        code_id,
        document,
        method,
        min_score,
        coder,
        dry_run,
        project_path,
    )


@suggestions.command(name="reject")
@click.argument("ids", nargs=-1, type=int)
@_filters
@click.option("--coder", help="Who rejects (default: CODER_USER or the login name).")
@click.option(
    "--dry-run", is_flag=True, help="Show what would be rejected; change nothing."
)
@project_option
@handle_errors
def suggestions_reject(
    ids, code_id, document, method, min_score, coder, dry_run, project_path: Path
) -> None:
    """Reject suggestions by id, or all pending ones at or above --min-score.

    The learned model takes a rejection as a negative example of its code.

    Example:

        coder suggestions reject 17 18 21
    """
    _decide(
        "reject",
        ids,
        code_id,
        document,
        method,
        min_score,
        coder,
        dry_run,
        project_path,
    )


_TOO_FEW = re.compile(r"(\S+): \d+ coded sentences?; needs (\d+) more to be learned")


def _grouped(messages: list[str]) -> list[str]:
    """The model's notes, with every code that has too few examples on one line."""
    few = [(m[1], m[2]) for m in map(_TOO_FEW.match, messages) if m]
    rest = [message for message in messages if not _TOO_FEW.match(message)]
    if few:
        listed = ", ".join(f"{code} ({more} more)" for code, more in few)
        rest.insert(
            0,
            f"{len(few)} code{'s' if len(few) != 1 else ''} need more coded sentences"
            f" to be learned (their rules suggest meanwhile): {listed}",
        )
    return rest


# `coder codings import` -----------------------------------------------------------
# `coder codings` (coder/cli/coding.py) lists codings. It becomes a group here,
# listing as before when called without a subcommand, so that importing can be
# `coder codings import`, as `coder attributes` lists and `coder attributes
# import` imports.

_listing = cli.commands["codings"]


def _codings_callback(**kwargs) -> None:
    if click.get_current_context().invoked_subcommand is None:
        _listing.callback(**kwargs)


codings = click.Group(
    name="codings",
    params=list(_listing.params),
    callback=_codings_callback,
    invoke_without_command=True,
    help="""List codings with their id, document, offsets, text, code, coder and time
    (or import them from a YAML file with `coder codings import`).

    Example:

        coder codings --code trust --json
    """,
)
cli.add_command(codings)


@codings.command(name="import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--coder", help="Whose codings they become (default: the file's `coder`)."
)
@project_option
@handle_errors
def codings_import(file: Path, coder, project_path: Path) -> None:
    """Import codings from a YAML file of quotes (all of them, or none on any error).

    Each entry names a document, a code and a quote of the document's text
    (with `occurrence` when the quote occurs more than once, and an
    optional `note`).

    Example:

        coder codings import transcripts/gold/export-clusters-gold.yaml --coder gold
    """
    from coder.coding_import import import_codings

    with open_existing(project_path) as project:
        result = import_codings(project, file, coder=coder)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    line = (
        f"imported {_count(result.added, 'coding')} by {result.coder} from {file.name}"
    )
    if result.existing:
        line += f" ({result.existing} were already there)"
    if result.loose:
        line += f"; {result.loose} quotes matched allowing for spaces and quote marks"
    click.echo(line)
