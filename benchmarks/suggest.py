"""Suggestion speed on the large synthetic study, and quality on the demo's gold coding.

Speed (``synthetic.py``'s large study, 1,000 interviews x ~8,000 words,
imported once; pass ``--project`` to reuse an imported one):

- rule suggestions over every sentence, as sentences per second, beside the
  spaCy tokenizer alone on the same text (the ceiling for anything that
  parses again; the target is at least 1.0x it), and beside the reference
  matcher (a spaCy ``Doc`` per sentence with ``PhraseMatcher(attr="LEMMA")``
  and ``Matcher``) on a sample;
- the learned model: the n-gram counts of the corpus (built once, then
  cached), a fit on about 10,000 coded sentences and prediction on every
  sentence (target: fit + predict under 20 s on 2 cores);
- the combined model on the same codings: context and word vectors (once
  per corpus), rules and seeds (once per codebook), then fit + predict
  (same target).

Quality: the demo project with the gold coding
(``transcripts/gold/export-clusters-gold.yaml``), evaluated as ``coder
suggest --evaluate --coder gold`` does.

    python benchmarks/suggest.py                       # all of it
    python benchmarks/suggest.py --project large.db    # reuse an imported study
    python benchmarks/suggest.py --skip-speed          # only the demo evaluation

Prints figures only; asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from coder.codebook import parse_codebook
from coder.codes import current_codebook, load_codebook
from coder.documents import import_transcripts
from coder.pipeline import load_pipeline
from coder.store import create_project, open_project
from coder.store.project import now
from coder.suggest import combined, features, learned
from coder.suggest import signals as sentence_signals
from coder.suggest.corpus import load_sentences
from coder.suggest.rules import match_sentences, suggest_rules

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import write_study

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "transcripts" / "gold" / "export-clusters-gold.yaml"
RULE_TARGET = 1.0
LEARNED_TARGET_S = 20.0
TRAINING_SENTENCES = 10_000
SPACY_SAMPLE = 50_000

# Codes for the synthetic study's vocabulary: lemma lists, phrases, and token
# patterns with operators.
CODEBOOK = """\
name: Synthetic benchmark codebook
codes:
  - id: payment
    name: Payment
    patterns:
      lemmas: [payment, invoice]
      phrases: [bank transfer, pay late]
      tokens:
        - [{"LOWER": {"IN": ["pay", "paid", "paying"]}}, {"IS_PUNCT": false, "OP": "?"}, {"LOWER": "late"}]
  - id: trust
    name: Trust
    patterns:
      lemmas: [trust, honest]
      phrases: [rely on]
  - id: risk
    name: Risk
    patterns:
      lemmas: [insurance, visa]
  - id: logistics
    name: Logistics
    patterns:
      lemmas: [container, shipment, truck]
      phrases: [at the border]
      scope: turn
  - id: state
    name: Government
    patterns:
      lemmas: [government, license]
  - id: quality
    name: Quality
    patterns:
      lemmas: [quality, standard]
  - id: network
    name: Network
    patterns:
      lemmas: [friend, neighbour]
  - id: learning
    name: Learning
    patterns:
      lemmas: [training, consultant]
      phrases: [trade fair]
      tokens:
        - [{"LOWER": "learn"}, {"OP": "?"}, {"LOWER": {"IN": ["lot", "something", "nothing"]}}]
  - id: contract
    name: Contract
    patterns:
      lemmas: [tender]
      tokens:
        - [{"LOWER": {"IN": ["lost", "lose", "losing"]}}, {"IS_PUNCT": false, "OP": "?"}, {"LOWER": {"IN": ["contract", "tender", "order"]}}]
  - id: market
    name: Market
    patterns:
      lemmas: [market, buyer]
      phrases: [new customer, good price]
"""

# What the synthetic coder codes with: words of about 0.5-2% of sentences
# each (2-4% per code), some of them the patterns' too, so the model has
# something to learn beyond the patterns.
CUES = {
    "payment": {"payment", "invoice", "pay"},
    "trust": {"trust", "honest", "partner"},
    "risk": {"insurance", "visa", "problem"},
    "logistics": {"container", "shipment", "truck", "route"},
    "state": {"government", "license", "rule"},
    "quality": {"quality", "standard", "certificate"},
    "network": {"friend", "neighbour", "colleague"},
    "learning": {"training", "learn", "consultant"},
    "contract": {"tender", "sign"},
    "market": {"market", "buyer", "seller", "customer"},
}
# The synthetic coder misses some cues and codes a few sentences without one.
MISSED = 0.1
STRAY = 0.003


def _seconds(work):
    gc.collect()
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def _study_project(work: Path, project_path: Path | None) -> Path:
    if project_path is not None:
        return project_path
    folder = work / "large"
    print("writing the large synthetic study ...", flush=True)
    write_study(folder, "large")
    path = work / "large.db"
    print("importing it (once) ...", flush=True)
    with create_project(path, actor="bench") as project:
        import_transcripts(project, [folder])
    return path


def _paragraphs(project) -> list[str]:
    """The text the segmenter tokenized at import: each paragraph of each turn."""
    pieces = []
    for (text,) in project.db.execute("SELECT text FROM documents ORDER BY id"):
        pieces.extend(p for p in text.split("\n") if p.strip())
    return pieces


def bench_rules(project, sample: int | None) -> None:
    load_codebook(
        project, parse_codebook(CODEBOOK, "bench.yaml"), source="bench.yaml", force=True
    )
    codebook = current_codebook(project)
    load_s, sentences = _seconds(lambda: load_sentences(project))
    n = len(sentences)
    words = project.db.execute("SELECT SUM(words) FROM documents").fetchone()[0]
    nlp = load_pipeline("en").nlp
    pieces = _paragraphs(project)
    if sample:
        pieces = pieces[:sample]

    def tokenize():
        tokens = 0
        for doc in nlp.tokenizer.pipe(pieces, batch_size=1000):
            tokens += len(doc)
        return tokens

    # Compile once outside the clock (the patterns are lemmatised then).
    match_sentences(project, sentences.take(np.arange(min(n, 10))), codebook)
    tokenizer_s, _ = _seconds(tokenize)
    share = len(pieces) / max(1, len(_paragraphs(project))) if sample else 1.0
    tokenizer_rate = n * share / tokenizer_s
    match_s, (_, pairs, _) = _seconds(
        lambda: match_sentences(project, sentences, codebook)
    )
    subset = sentences.take(np.arange(min(n, SPACY_SAMPLE)))
    spacy_s, (_, spacy_pairs, _) = _seconds(
        lambda: match_sentences(project, subset, codebook, engine="spacy")
    )
    fast_subset = [p for p in pairs if p[0] < len(subset)]
    agree = "identical" if fast_subset == spacy_pairs else "DIFFERENT"
    end_s, run = _seconds(lambda: suggest_rules(project, coder="bench"))
    rate = n / match_s
    verdict = "meets" if rate / tokenizer_rate >= RULE_TARGET else "below"
    print(
        f"\n== rules: {n:,} sentences, {words:,} words, {len(codebook.by_id())} codes\n"
        "                                 sentences/s     wall s   vs tokenizer\n"
        f"  tokenizer alone (ceiling)      {tokenizer_rate:>11,.0f} {tokenizer_s / share:>10.2f}"
        f"   1.00x{'  (from a sample)' if sample else ''}\n"
        f"  rules, fast matcher            {rate:>11,.0f} {match_s:>10.2f}"
        f"   {rate / tokenizer_rate:.2f}x\n"
        f"  rules, spaCy Doc + matchers    {len(subset) / spacy_s:>11,.0f}"
        f" {spacy_s * n / len(subset):>10.2f}   {len(subset) / spacy_s / tokenizer_rate:.2f}x"
        f"  (first {len(subset):,} sentences; matches {agree})\n"
        f"  reading the sentences          {n / load_s:>11,.0f} {load_s:>10.2f}\n"
        f"  suggest_rules end to end       {n / end_s:>11,.0f} {end_s:>10.2f}"
        f"   {n / end_s / tokenizer_rate:.2f}x  (read, match, spans, scores:"
        f" {len(run.suggestions):,} suggestions)\n"
        f"  target: rules at least {RULE_TARGET:.1f}x the tokenizer's rate: {verdict}"
        f" ({rate / tokenizer_rate:.2f}x matching, {n / end_s / tokenizer_rate:.2f}x end to end)",
        flush=True,
    )


def _code_synthetically(project, sentences, coder: str) -> tuple[int, int]:
    """Code whole documents, in order, until about TRAINING_SENTENCES are read."""
    rng = random.Random(0)
    coder_id = project.coder_id(coder)
    project.db.execute("DELETE FROM codings WHERE coder_id = ?", [coder_id])
    docs = sentences.document_ids
    rows = []
    read = 0
    for doc in dict.fromkeys(docs.tolist()):
        if read >= TRAINING_SENTENCES:
            break
        positions = np.flatnonzero(docs == doc)
        read += len(positions)
        for position in positions.tolist():
            words = set(sentences.lemmas[position].split())
            for code, cues in CUES.items():
                chance = 1 - MISSED if words & cues else STRAY
                if rng.random() < chance:
                    rows.append(
                        (
                            code,
                            doc,
                            int(sentences.starts[position]),
                            int(sentences.ends[position]),
                            coder_id,
                            now(),
                            "bench",
                        )
                    )
    with project.atomic():
        project.db.conn.executemany(
            'INSERT INTO codings (code_id, document_id, start, "end", coder_id,'
            " created_at, source) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return read, len(rows)


def bench_learned(project) -> None:
    features.clear_cache()
    counts_s, counts = _seconds(lambda: features.corpus_counts(project))
    warm_s, _ = _seconds(lambda: features.corpus_counts(project))
    sentences = counts.sentences
    _, codings = _code_synthetically(project, sentences, "bench")
    data_s, data = _seconds(lambda: learned.training_set(project, counts, "bench"))
    fit_s, model = _seconds(lambda: learned.train(counts, data))
    rows = np.arange(len(sentences))
    predict_s, found = _seconds(
        lambda: learned.predict(model, counts, rows, exclude=data.coded)
    )
    total = fit_s + predict_s
    verdict = "meets" if total < LEARNED_TARGET_S else "misses"
    print(
        f"\n== learned: fit on {len(data.rows):,} coded sentences ({codings:,} codings"
        f" of {len(model.codes)} codes), predict on {len(rows):,}\n"
        f"  n-gram counts of the corpus    {counts_s:>8.2f} s  once per process and"
        f" corpus ({counts.n_terms:,} uni- and bigrams, {counts.counts.nnz:,} non-zeros);"
        f" cached: {warm_s:.3f} s\n"
        f"  training set                   {data_s:>8.2f} s\n"
        f"  fit (SVM + calibration per code) {fit_s:>6.2f} s"
        f"  ({len(model.terms):,} terms)\n"
        f"  predict + explain              {predict_s:>8.2f} s  ({len(found):,}"
        f" suggestions at probability >= {learned.DEFAULT_MIN_SCORE})\n"
        f"  fit + predict                  {total:>8.2f} s  target under"
        f" {LEARNED_TARGET_S:.0f} s: {verdict}\n"
        f"  cold (counts + fit + predict)  {counts_s + data_s + total:>8.2f} s",
        flush=True,
    )


def bench_combined(project) -> None:
    """The combined model on the codings `bench_learned` made (run it first)."""
    sentence_signals.clear_cache()
    codebook = current_codebook(project)
    codes = [code.id for code, _, _ in codebook.walk()]
    signals_s, signals = _seconds(lambda: sentence_signals.corpus_signals(project))
    counts = signals.counts
    sentences = counts.sentences
    data = learned.training_set(project, counts, "bench")
    inputs_s, inputs = _seconds(
        lambda: sentence_signals.make_inputs(project, signals, codebook, codes)
    )
    fit_s, model = _seconds(lambda: combined.train_combined(signals, inputs, data))
    rows = np.arange(len(sentences))
    predict_s, (_, passed) = _seconds(
        lambda: combined.predict_combined(model, signals, inputs, rows)
    )
    total = fit_s + predict_s
    verdict = "meets" if total < LEARNED_TARGET_S else "misses"
    print(
        f"\n== combined: fit on {len(data.rows):,} coded sentences"
        f" ({len(model.codes)} codes, cross-fitted in {model.folds} folds),"
        f" predict on {len(rows):,}\n"
        f"  context + word vectors         {signals_s:>8.2f} s  once per process and"
        f" corpus (with the n-gram counts when not yet cached)\n"
        f"  rules + seeds of the codebook  {inputs_s:>8.2f} s  once per codebook and"
        f" corpus\n"
        f"  fit (both stages, thresholds)  {fit_s:>8.2f} s\n"
        f"  predict                        {predict_s:>8.2f} s  ({int(passed.sum()):,}"
        f" sentence-code pairs pass their thresholds)\n"
        f"  fit + predict                  {total:>8.2f} s  target under"
        f" {LEARNED_TARGET_S:.0f} s: {verdict}\n"
        f"  with rules + seeds             {inputs_s + total:>8.2f} s",
        flush=True,
    )


def bench_demo(work: Path) -> None:
    from coder.cli.suggest import evaluation_table
    from coder.coding_import import import_codings
    from coder.demo import build_demo
    from coder.suggest.evaluate import evaluate

    if not GOLD.exists():
        print(f"\n== demo evaluation: skipped, {GOLD} does not exist yet")
        return
    demo = build_demo(work / "demo")
    with demo.project as project:
        imported = import_codings(project, GOLD)
        seconds, result = _seconds(lambda: evaluate(project, coder="gold"))
    print(
        f"\n== demo evaluation: {imported.added} gold codings, `coder suggest"
        f" --evaluate --coder gold` ({seconds:.1f} s)\n"
    )
    print(evaluation_table(result))
    for method in ("rules", "learned", "combined"):
        macro = result.macro(method)
        print(
            f"  {method:<9} P {macro.precision:.2f}  R {macro.recall:.2f}"
            f"  F1 {macro.f1:.2f}  kappa {macro.kappa:.2f}"
            f"  median kappa {macro.median_kappa:.2f}"
        )
    for note in result.notes:
        print(f"  note: {note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--project", type=Path, help="an imported study to reuse")
    parser.add_argument(
        "--work", type=Path, help="where to write (default: a temp dir)"
    )
    parser.add_argument(
        "--tokenizer-sample",
        type=int,
        help="time the tokenizer on this many paragraphs only (rate extrapolated)",
    )
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-demo", action="store_true")
    args = parser.parse_args(argv)
    print(f"cpus: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as temporary:
        work = args.work or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        if not args.skip_speed:
            path = _study_project(work, args.project)
            with open_project(path, actor="bench") as project:
                bench_rules(project, args.tokenizer_sample)
                bench_learned(project)
                bench_combined(project)
        if not args.skip_demo:
            bench_demo(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
