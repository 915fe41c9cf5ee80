"""`variantex init`: the README's example files in a folder of the user's, ready to build.

The spec, roster and key to audit are the package's own examples (shipped as package data);
the responses file is written for that spec and roster, so `grade` reads every row of it
against the papers `build` makes: some answers right, others the named mistakes a student
makes (chosen by a fixed seed, so every `init` writes the same file).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from variantex.answer_engine.errors import InputError
from variantex.answer_engine.formatting import plain
from variantex.exams.assemble import LETTERS, QuestionInstance, assemble
from variantex.exams.pipeline import correct_response
from variantex.exams.roster import read_roster
from variantex.exams.spec import load_spec

# The package root: the repository's top in a checkout, site-packages/variantex installed.
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SPEC, ROSTER, KEYS, RESPONSES = "exam.yaml", "roster.csv", "keys-to-check.yaml", "responses.csv"
_SOURCES = {SPEC: "sample-exam.yaml", ROSTER: "roster.csv", KEYS: "keys-to-check.yaml"}
_RESPONSE_SEED = 2027  # fixed: `init` always writes the same responses
_RIGHT_SHARE = 0.7  # how often a made-up student answers right


def starter_files() -> dict[str, str]:
    """File name -> text of everything `init` writes."""
    files = {name: (EXAMPLES / source).read_text(encoding="utf-8") for name, source in _SOURCES.items()}
    files[RESPONSES] = responses_for(EXAMPLES / _SOURCES[SPEC], EXAMPLES / _SOURCES[ROSTER])
    return files


def write_starter(folder: Path) -> list[Path]:
    """Write the starter files into `folder` (made if missing); refuse, writing nothing, when
    any of them is there already."""
    files = starter_files()
    targets = [folder / name for name in files]
    present = [str(path) for path in targets if path.exists() or path.is_symlink()]
    if present:
        raise InputError(
            f"{', '.join(present)} already exist{'s' if len(present) == 1 else ''}; "
            "variantex init never overwrites (choose another folder)"
        )
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    for path, text in zip(targets, files.values()):
        with open(path, "x", encoding="utf-8", newline="") as handle:  # "x": never clobber a racing file
            handle.write(text)
    return targets


def responses_for(spec_path: Path, roster_path: Path) -> str:
    """A responses CSV for every student of the roster, one response per question in the order
    printed on that student's paper (what `grade` reads)."""
    spec = load_spec(spec_path)
    papers = assemble(spec, spec.seed, read_roster(roster_path))
    rng = np.random.default_rng(_RESPONSE_SEED)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", *(f"q{q.number}" for q in papers[0].questions)])
    for paper in papers:
        writer.writerow([paper.student_id, *(_response(q, rng) for q in paper.questions)])  # printed order
    return out.getvalue()


def _response(question: QuestionInstance, rng: np.random.Generator) -> str:
    right = rng.random() < _RIGHT_SHARE
    fmt = question.spec.format
    if fmt == "open":  # the points a grader awarded
        points = int(question.spec.points)
        return str(points if right else int(rng.integers(points)))
    if right:
        return correct_response(question)
    if fmt == "mcq":
        wrong = [LETTERS[i] for i, option in enumerate(question.printed_options) if not option.correct]
        return wrong[int(rng.integers(len(wrong)))]
    if fmt == "tf":
        marks = list(correct_response(question))
        flipped = int(rng.integers(len(marks)))
        marks[flipped] = "F" if marks[flipped] == "T" else "T"
        return "".join(marks)
    return _mistaken_values(question, rng)


def _mistaken_values(question: QuestionInstance, rng: np.random.Generator) -> str:
    """Numeric: a named mistake's values where one gives every asked part, else the key
    (a family with no such mistake is answered right)."""
    family, params = question.family, question.variant.params
    parts = family.numeric_parts(params)
    mistakes = [m for m in family.mistakes(params) if all(name in m.values for name in parts) and not m.guess]
    if not mistakes:
        return correct_response(question)
    chosen = mistakes[int(rng.integers(len(mistakes)))].values
    return "; ".join(plain(chosen[name]) for name in parts)
