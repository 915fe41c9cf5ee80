"""A corpus of hostile inputs for every command, and a runner that reports how each was met.

Each case writes its files into a scratch folder and runs one command line in-process
(click's CliRunner). `run_corpus` returns, per case, the exit status, the output lines,
whether a traceback appeared, and the seconds taken. tests/test_hardening.py runs it in a
child process with an overall time limit (a hang fails the test instead of stalling the
suite); benchmarks/hostile_inputs.py prints the refusal times.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

GOOD_SPEC = "title: T\nquestions:\n  - family: shapley-and\n    format: mcq\n    points: 2\n"
EIGEN = "{eigenvectors: [[1, 0, 0], [0, 1, 0]], eigenvalues: [2, 3], trace: 10}"


def question(extra: str, family: str = "shapley-and", fmt: str = "mcq") -> str:
    return f"title: T\nquestions:\n  - family: {family}\n    format: {fmt}\n    points: 2\n{extra}"


def keys(answer: str, params: str = EIGEN) -> str:
    return f"- id: a\n  family: eigen-determinant\n  params: {params}\n  answer: {answer}\n"


# name -> (command line, files to write: name -> text or bytes)
CASES: dict[str, tuple[list[str], dict[str, str | bytes]]] = {
    "points with a huge exponent": (
        ["build", "s.yaml", "--no-pdf"],
        {"s.yaml": question("").replace("points: 2", "points: 1.0e999999999")},
    ),
    "points with 5000 digits": (
        ["build", "s.yaml", "--no-pdf"],
        {"s.yaml": question("").replace("points: 2", "points: 1" + "0" * 5000)},
    ),
    "points infinite": (["build", "s.yaml", "--no-pdf"], {"s.yaml": question("").replace("points: 2", "points: .inf")}),
    "param written as a power": (
        ["build", "s.yaml", "--no-pdf"],
        {"s.yaml": question("    params: {x: 10**1000, t: 1, w1: 1, w2: 1, b: 0}\n", "relu-backprop", "numeric")},
    ),
    "param 1e999999999": (
        ["build", "s.yaml", "--no-pdf"],
        {"s.yaml": question("    params: {x: 1e999999999, t: 1, w1: 1, w2: 1, b: 0}\n", "relu-backprop", "numeric")},
    ),
    "non-numeric draw option": (["build", "s.yaml", "--no-pdf"], {"s.yaml": question("    options: {players: abc}\n")}),
    "fractional player count": (["build", "s.yaml", "--no-pdf"], {"s.yaml": question("    options: {players: 4.5}\n")}),
    "option as a list": (["build", "s.yaml", "--no-pdf"], {"s.yaml": question("    options: [players, 3]\n")}),
    "negative payoff option": (["build", "s.yaml", "--no-pdf"], {"s.yaml": question("    options: {payoff: -2}\n")}),
    "5000-deep nesting": (
        ["build", "s.yaml", "--no-pdf"],
        {"s.yaml": "title: T\nquestions: " + "[" * 5000 + "]" * 5000},
    ),
    "unhashable key": (["build", "s.yaml", "--no-pdf"], {"s.yaml": "? [a, b]\n: 1\ntitle: T\n"}),
    "NUL byte": (["build", "s.yaml", "--no-pdf"], {"s.yaml": GOOD_SPEC.replace("title: T", "title: T\x00")}),
    "not UTF-8": (["build", "s.yaml", "--no-pdf"], {"s.yaml": b"title: caf\xe9\nquestions: []\n"}),
    "empty file": (["build", "s.yaml", "--no-pdf"], {"s.yaml": ""}),
    "null slot id": (["build", "s.yaml", "--no-pdf"], {"s.yaml": question("    id: null\n")}),
    "slot id with a newline": (["build", "s.yaml", "--no-pdf"], {"s.yaml": question('    id: "a\\nb"\n')}),
    "indentation slip": (["build", "s.yaml", "--no-pdf"], {"s.yaml": GOOD_SPEC.replace("    points", "     points")}),
    "tab indentation": (["build", "s.yaml", "--no-pdf"], {"s.yaml": "title: T\n\tquestions: []\n"}),
    "unknown field": (["build", "s.yaml", "--no-pdf"], {"s.yaml": GOOD_SPEC + "colour: red\n"}),
    "negative seed": (["build", "s.yaml", "--no-pdf"], {"s.yaml": GOOD_SPEC + "seed: -1\n"}),
    "spec is a folder": (["build", "sub", "--no-pdf"], {"sub/x": "x"}),
    "spec is a FIFO": (["build", "fifo.yaml", "--no-pdf"], {"fifo.yaml": "FIFO"}),
    "out under a file": (["build", "s.yaml", "--no-pdf", "--out", "afile/out"], {"s.yaml": GOOD_SPEC, "afile": "x"}),
    "out under /proc": (["build", "s.yaml", "--no-pdf", "--out", "/proc/variantex/out"], {"s.yaml": GOOD_SPEC}),
    "out is a folder of other files": (["build", "s.yaml", "--no-pdf", "--out", "."], {"s.yaml": GOOD_SPEC}),
    "roster with an unclosed quote": (
        ["build", "s.yaml", "--no-pdf", "--roster", "r.csv"],
        {"s.yaml": GOOD_SPEC, "r.csv": 'id,name\nS1,"Ann\nS2,Bob\n'},
    ),
    "roster separated by semicolons": (
        ["build", "s.yaml", "--no-pdf", "--roster", "r.csv"],
        {"s.yaml": GOOD_SPEC, "r.csv": "id;name\nS1;Ann\n"},
    ),
    "roster with NUL": (
        ["build", "s.yaml", "--no-pdf", "--roster", "r.csv"],
        {"s.yaml": GOOD_SPEC, "r.csv": "id,name\nS1,A\x00nn\n"},
    ),
    "claim 9^9^9^9": (["check", "k.yaml"], {"k.yaml": keys('"9^9^9^9"')}),
    "claim 1e999999999": (["check", "k.yaml"], {"k.yaml": keys('"1e999999999"')}),
    "claim exp(exp(exp(100)))": (["check", "k.yaml"], {"k.yaml": keys('"exp(exp(exp(100)))"')}),
    "claim in words": (["check", "k.yaml"], {"k.yaml": keys("thirty")}),
    "claim with 500 digits": (["check", "k.yaml"], {"k.yaml": keys('"' + "9" * 500 + '"')}),
    "keys with huge params": (
        ["check", "k.yaml"],
        {"k.yaml": keys("1", "{eigenvectors: [[1, 0]], eigenvalues: [1e400], trace: 1}")},
    ),
    "keys as a mapping": (["check", "k.yaml"], {"k.yaml": "a: 1\n"}),
    "solve with a power": (
        [
            "solve",
            "eigen-determinant",
            "--set",
            "trace=10**1000",
            "--set",
            "eigenvectors=[[1, 0]]",
            "--set",
            "eigenvalues=[1]",
        ],
        {},
    ),
    "solve with 1e999999999": (
        [
            "solve",
            "eigen-determinant",
            "--set",
            "trace=1e999999999",
            "--set",
            "eigenvectors=[[1, 0]]",
            "--set",
            "eigenvalues=[1]",
        ],
        {},
    ),
    "show with a bad option": (["show", "shapley-and", "-o", "players=abc"], {}),
    "show with an unknown family": (["show", "no-such-family"], {}),
    "unknown command option": (["build", "--bogus"], {}),
    "missing argument": (["verify"], {}),
    "manifest not JSON": (["verify", "m.json"], {"m.json": "{not json"}),
    "manifest version 999": (["verify", "m.json"], {"m.json": "MANIFEST:manifest_version=999"}),
    "manifest with a duplicate key": (["verify", "m.json"], {"m.json": "MANIFEST:duplicate key"}),
    "manifest nested 100,000 deep": (
        ["verify", "m.json"],
        {"m.json": '{"papers": ' + "[" * 100_000 + "]" * 100_000 + "}"},
    ),
    "manifest with a 5,000-digit integer": (
        ["verify", "m.json"],
        {"m.json": '{"manifest_version": 1' + "0" * 5000 + ', "papers": []}'},
    ),
    "bank manifest nested 100,000 deep": (
        ["export", "--check", "b.xml", "--manifest", "b.manifest.json"],
        {"b.xml": "<quiz/>", "b.manifest.json": "[" * 100_000 + "]" * 100_000},
    ),
    "bank manifest with a 5,000-digit integer": (
        ["export", "--check", "b.xml", "--manifest", "b.manifest.json"],
        {"b.xml": "<quiz/>", "b.manifest.json": '{"version": 1' + "0" * 5000 + "}"},
    ),
    "export under check declaring a SYSTEM entity": (
        ["export", "--check", "b.xml"],
        {
            "b.xml": '<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<quiz>&x;</quiz>\n'
        },
    ),
    "responses cell over 128 KiB": (
        ["grade", "m.json", "r.csv"],
        {"m.json": "MANIFEST:as built", "r.csv": "id,q1\npractice," + "x" * 140_000 + "\n"},
    ),
    "roster cell over 128 KiB": (
        ["build", "s.yaml", "--no-pdf", "--roster", "r.csv"],
        {"s.yaml": GOOD_SPEC, "r.csv": "id,name\nS1," + "x" * 140_000 + "\n"},
    ),
    "roster ids equal after Unicode normalisation": (
        ["build", "s.yaml", "--no-pdf", "--roster", "r.csv"],
        {"s.yaml": GOOD_SPEC, "r.csv": "id,name\nS\u00e9,Ann\nSe\u0301,Bob\n"},
    ),
    "roster id with a zero-width space": (
        ["build", "s.yaml", "--no-pdf", "--roster", "r.csv"],
        {"s.yaml": GOOD_SPEC, "r.csv": "id,name\nS1\u200b,Ann\nS1,Bob\n"},
    ),
    "roster id with a bidi override": (
        ["build", "s.yaml", "--no-pdf", "--roster", "r.csv"],
        {"s.yaml": GOOD_SPEC, "r.csv": "id,name\nS\u202e1,Ann\n"},
    ),
    "title with a lone surrogate": (
        ["build", "s.yaml", "--no-pdf"],
        {"s.yaml": GOOD_SPEC.replace("title: T", 'title: "T \\ud800"')},
    ),
    "title of 30,000 characters": (
        ["build", "s.yaml", "--no-pdf"],
        {"s.yaml": GOOD_SPEC.replace("title: T", "title: " + "T" * 30_000)},
    ),
    "seed flag -5 (build)": (["build", "s.yaml", "--no-pdf", "--seed", "-5"], {"s.yaml": GOOD_SPEC}),
    "seed flag -5 (show)": (["show", "gd-step", "--seed", "-5"], {}),
    "practice with an empty format": (["practice", "shapley-and:", "--out", "p"], {}),
    "manifest without family": (["verify", "m.json"], {"m.json": "MANIFEST:drop family"}),
    "manifest papers as text": (["verify", "m.json"], {"m.json": "MANIFEST:papers=x"}),
    "manifest with text seeds": (["verify", "m.json"], {"m.json": "MANIFEST:spawn_key=abc"}),
    "manifest with an unknown format": (["verify", "m.json"], {"m.json": "MANIFEST:format=essay"}),
    "grade with an unknown student": (["grade", "m.json", "r.csv"], {"m.json": "MANIFEST:", "r.csv": "zz,A\n"}),
    "grade with binary responses": (
        ["grade", "m.json", "r.csv"],
        {"m.json": "MANIFEST:", "r.csv": b"\xff\xfe\x00\x01"},
    ),
}


def _manifest(recipe: str, folder: Path) -> str:
    """A real manifest from a small build, then damaged as the recipe says."""
    from variantex.exams.build import build

    out = folder / "built"
    if not (out / "manifest.json").exists():
        (folder / "good.yaml").write_text(GOOD_SPEC)
        build(folder / "good.yaml", out, make_pdf=False)
    data = json.loads((out / "manifest.json").read_text())
    question = data["papers"][0]["questions"][0]
    if recipe.startswith("manifest_version="):
        data["manifest_version"] = int(recipe.split("=")[1])
    elif recipe == "drop family":
        del question["family"]
    elif recipe == "papers=x":
        data["papers"] = "x"
    elif recipe == "spawn_key=abc":
        question["seed"]["spawn_key"] = "abc"
    elif recipe == "format=essay":
        question["format"] = "essay"
    elif recipe == "duplicate key":
        return json.dumps(data).replace("{", '{"seed": 1, ', 1)
    return json.dumps(data)


def run_corpus(folder: Path) -> list[dict]:
    from click.testing import CliRunner

    from variantex.cli import cli

    results = []
    for name, (args, files) in CASES.items():
        case = folder / f"case{len(results)}"
        case.mkdir()
        for file_name, content in files.items():
            path = case / file_name
            path.parent.mkdir(parents=True, exist_ok=True)
            if content == "FIFO":
                os.mkfifo(path)
            elif isinstance(content, str) and content.startswith("MANIFEST:"):
                path.write_text(_manifest(content[len("MANIFEST:") :], folder))
            elif isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content)
        previous = os.getcwd()
        os.chdir(case)
        try:
            start = time.perf_counter()
            result = CliRunner().invoke(cli, args)
            seconds = time.perf_counter() - start
        finally:
            os.chdir(previous)
        output = result.output
        results.append(
            {
                "case": name,
                "exit": result.exit_code,
                "seconds": seconds,
                "lines": [line for line in output.splitlines() if line.strip()],
                "traceback": "Traceback" in output
                or (result.exception is not None and not isinstance(result.exception, SystemExit)),
                "untouched": sorted(p.name for p in case.iterdir()) == sorted({f.split("/")[0] for f in files}),
            }
        )
    return results


if __name__ == "__main__":
    print(json.dumps(run_corpus(Path(sys.argv[1]))))
