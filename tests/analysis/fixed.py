"""A fixed set of codings on the demo study, and a brute-force reference to check matrices.

Codings are placed by quote, not by offset, so they stay put if an importer
changes the stored text elsewhere. The reference recomputes every cell the
slow, obvious way (sets of characters, sentences and speakers), from the same
definitions as docs/matrices.md.
"""

from __future__ import annotations

import re
import shutil
from collections import defaultdict
from pathlib import Path

from coder.coding import apply_coding
from coder.store import open_project

PE = "pe-01-farahani"
OG = "og-01-karimi"
RE = "re-02-hosseini"
KAVEH, PARS, SEPEHR = (
    "Kaveh Power Equipment",
    "Pars Oil & Gas Services",
    "Sepehr Renewables",
)

Q_PAYMENT = (
    "Payment comes first. Iraq is our biggest market, and the private contractors"
    " there expect ninety days open account."
)
Q_CURRENCY = (
    "And currency. Our currency has lost a great deal of value, which helps on price,"
    " but copper, aluminium and transformer steel are bought in dollars."
)
Q_TODAY = (
    "Today, with the certificates in hand, the question I hear every week is who"
    " guarantees the payment."
)
Q_RISK = "That takes us to risk."
Q_OFFICIAL = (
    "The official answer is in our programme document: market information,"
    " certification, finance, scale."
)
Q_WELL = (
    "Well, there is the official answer and there is the real answer, and they are a"
    " little bit different. " + Q_OFFICIAL
)
Q_ALONE = "Alone I couldn't offer that. With Nima and Roshan, suddenly I could."
Q_PAID = "Payment."

# (coder, document, quote, code), in the order they are applied.
FIXED = [
    ("ana", PE, Q_PAYMENT, "payment_risk"),
    ("ana", PE, Q_CURRENCY, "currency_risk"),
    ("ana", PE, Q_CURRENCY, "input_cost_risk"),
    ("ana", PE, Q_TODAY, "payment_risk"),
    ("ana", PE, Q_TODAY, "needs_identification"),
    ("ana", PE, Q_RISK, "export_risks"),
    ("ana", OG, Q_OFFICIAL, "needs_identification"),
    ("ana", OG, Q_WELL, "government_support"),
    ("ana", RE, Q_ALONE, "trust_between_members"),
    ("ben", PE, Q_PAYMENT, "payment_risk"),
    ("ben", OG, Q_OFFICIAL, "needs_identification"),
    ("ben", OG, Q_PAID, "payment_risk"),
]

WORD = re.compile(r"\w+(?:['’]\w+)*")


def place(project, document: str, quote: str) -> tuple[int, int]:
    (text,) = project.db.execute(
        "SELECT text FROM documents WHERE name = ?", [document]
    ).fetchone()
    start = text.index(quote)
    assert text.find(quote, start + 1) == -1, f"{quote!r} is not unique in {document}"
    return start, start + len(quote)


def apply_fixed(project, codings=FIXED) -> None:
    for coder, document, quote, code in codings:
        start, end = place(project, document, quote)
        apply_coding(project, document, start, end, code, coder=coder)


def fixed_project(demo_template: Path, target: Path):
    shutil.copyfile(demo_template, target)
    project = open_project(target, actor="tester")
    apply_fixed(project)
    return project


# The reference ---------------------------------------------------------------------


class Reference:
    """Everything read into plain Python, and each measure by its definition."""

    def __init__(self, project, coder: str | None = None) -> None:
        db = project.db
        self.docs = {}
        for doc_id, name, text, case in db.execute(
            "SELECT d.id, d.name, d.text, c.name FROM documents d"
            " LEFT JOIN cases c ON c.id = d.case_id"
        ):
            self.docs[doc_id] = {
                "name": name,
                "text": text,
                "case": case or "(no case)",
            }
        self.attrs = defaultdict(dict)
        case_ids = dict(db.execute("SELECT id, case_id FROM documents").fetchall())
        case_values = defaultdict(dict)
        for doc_id, case_id, name, value in db.execute(
            "SELECT v.document_id, v.case_id, a.name, v.value FROM attribute_values v"
            " JOIN attributes a ON a.id = v.attribute_id"
        ):
            if doc_id is not None:
                self.attrs[doc_id][name] = value
            else:
                case_values[case_id][name] = value
        for doc_id, case_id in case_ids.items():
            merged = {**case_values.get(case_id, {}), **self.attrs[doc_id]}
            self.attrs[doc_id] = merged
        self.codings = [
            (doc, code, start, end, name)
            for doc, code, start, end, name in db.execute(
                'SELECT c.document_id, c.code_id, c.start, c."end", k.name FROM codings c'
                " JOIN coders k ON k.id = c.coder_id"
            )
            if coder is None or name == coder
        ]
        self.segments = defaultdict(list)
        for doc, kind, start, end, speaker in db.execute(
            'SELECT s.document_id, s.kind, s.start, s."end", p.name FROM segments s'
            " LEFT JOIN speakers p ON p.id = s.speaker_id"
        ):
            key = "turn" if kind in ("turn", "paragraph") else "sentence"
            self.segments[(doc, key)].append((start, end, speaker or "(no speaker)"))
        self.parent = dict(db.execute("SELECT id, parent_id FROM codes").fetchall())

    def ancestors(self, code: str) -> list[str]:
        found = [code]
        while self.parent.get(found[-1]):
            found.append(self.parent[found[-1]])
        return found

    def speakers_of(self, doc: int, start: int, end: int) -> set[str]:
        return {
            sp for s, e, sp in self.segments[(doc, "turn")] if s < end and start < e
        }

    def words(self, doc: int) -> list[int]:
        return [m.start() for m in WORD.finditer(self.docs[doc]["text"])]

    def row_values(self, doc: int, dims: list[str], speaker: str | None) -> tuple:
        values = []
        for dim in dims:
            if dim == "case":
                values.append(self.docs[doc]["case"])
            elif dim == "document":
                values.append(self.docs[doc]["name"])
            elif dim == "speaker":
                values.append(speaker)
            else:
                value = self.attrs[doc].get(dim[5:])
                values.append("(none)" if value in (None, "") else str(value))
        return tuple(values)

    def theme(self, dims, columns, cell, rollup=False, segment_kind="sentence"):
        """{(row values, column): value} for the cells that are not zero."""
        by_speaker = "speaker" in dims
        columns = set(columns)
        counts = defaultdict(int)
        sets = defaultdict(set)
        chars = defaultdict(set)
        for doc, code, start, end, _coder in self.codings:
            targets = [
                c for c in (self.ancestors(code) if rollup else [code]) if c in columns
            ]
            speakers = self.speakers_of(doc, start, end)
            rows = (
                {self.row_values(doc, dims, sp) for sp in speakers}
                if by_speaker
                else {self.row_values(doc, dims, None)}
            )
            for col in targets:
                for row in rows:
                    counts[(row, col)] += 1
                    sets[(row, col, "doc")].add(doc)
                for sp in speakers:
                    if sp == "(no speaker)":
                        continue
                    row = self.row_values(doc, dims, sp)
                    sets[(row, col, "speaker")].add(sp)
                for s, e, sp in self.segments[(doc, segment_kind)]:
                    if s < end and start < e:
                        sets[(self.row_values(doc, dims, sp), col, "segment")].add(
                            (doc, s)
                        )
                for pos in range(start, end):
                    chars[(doc, col)].add(pos)
        if cell == "codings":
            return {k: v for k, v in counts.items()}
        if cell in ("documents", "speakers", "segments"):
            key = {"documents": "doc", "speakers": "speaker", "segments": "segment"}[
                cell
            ]
            return {(r, c): len(v) for (r, c, k), v in sets.items() if k == key and v}
        # words: a word counts when its first character is coded
        coded = defaultdict(int)
        total = defaultdict(int)
        for doc in self.docs:
            turns = self.segments[(doc, "turn")]
            for w in self.words(doc):
                if by_speaker:
                    speaker = next((sp for s, e, sp in turns if s <= w < e), None)
                    if speaker is None:
                        continue
                    row = self.row_values(doc, dims, speaker)
                else:
                    row = self.row_values(doc, dims, None)
                total[row] += 1
                for col in columns:
                    if w in chars.get((doc, col), ()):
                        coded[(row, col)] += 1
        return {k: v / total[k[0]] for k, v in coded.items()}

    def cooccurrence(
        self, columns, mode="overlap", rollup=False, segment_kind="sentence"
    ):
        # Codings are paired only with codings of the same coder; each coder's
        # pairs, units and sizes are added up (several coders counted each).
        columns = list(columns)
        items = []  # (coding index, doc, column, start, end, coder)
        for index, (doc, code, start, end, coder) in enumerate(self.codings):
            for col in self.ancestors(code) if rollup else [code]:
                if col in columns:
                    items.append((index, doc, col, start, end, coder))
        counts = defaultdict(int)
        jaccard = {}
        units = defaultdict(set)  # (coder, column) -> units
        if mode == "overlap":
            for a in items:
                counts[(a[2], a[2])] += 1
                for b in items:
                    overlap = a[1] == b[1] and a[3] < b[4] and b[3] < a[4]
                    same = a[5] == b[5]
                    if overlap and same and a[0] != b[0] and a[2] != b[2]:
                        counts[(a[2], b[2])] += 1
            for _i, doc, col, start, end, coder in items:
                units[(coder, col)].update((doc, p) for p in range(start, end))
        else:
            for _i, doc, col, start, end, coder in items:
                for s, e, _sp in self.segments[(doc, segment_kind)]:
                    if s < end and start < e:
                        units[(coder, col)].add((doc, s))
        coders = {item[5] for item in items}
        inter = defaultdict(int)
        sizes = defaultdict(int)
        for a in columns:
            sizes[a] = sum(len(units[(c, a)]) for c in coders)
            for b in columns:
                inter[(a, b)] = sum(len(units[(c, a)] & units[(c, b)]) for c in coders)
                if mode == "segment" and inter[(a, b)]:
                    counts[(a, b)] = inter[(a, b)]
        for a in columns:
            for b in columns:
                union = sizes[a] + sizes[b] - inter[(a, b)]
                jaccard[(a, b)] = (
                    (1.0 if sizes[a] else 0.0)
                    if a == b
                    else (inter[(a, b)] / union if union else 0.0)
                )
        return dict(counts), jaccard


def each(project):
    """Every coder's codings, each counted: what the reference counts."""
    from coder.analysis.scope import coders_with_codings, whose_codings

    names = coders_with_codings(project)
    if len(names) < 2:
        return whose_codings(project, coders=names)
    return whose_codings(project, coders=names, count_each=True)
