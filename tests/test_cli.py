import json
import re
from pathlib import Path

import pytest
import sympy as sp
from click.testing import CliRunner

from variantex.cli import cli
from variantex.generators import builtin_families, families

ROOT = Path(__file__).resolve().parents[1]
KEYS = ROOT / "examples" / "keys-to-check.yaml"


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return invoke


def test_help_everywhere(run):
    top = run("--help")
    assert top.exit_code == 0 and "Exit codes" in top.output
    for command in ("families", "show", "solve", "build", "check"):
        assert run(command, "--help").exit_code == 0


def test_families_lists_the_registry(run):
    result = run("families")
    assert result.exit_code == 0
    for family in families():
        assert family.id in result.output
    assert "branches: live, dead, leaky" in result.output


def test_show_prints_the_question_as_a_student_reads_it_then_the_key(run):
    result = run("show", "eigen-determinant", "--seed", 5, "--format", "mcq")
    assert result.exit_code == 0
    question, key = result.output.split("--- key")
    assert "A real square matrix A has" in question and "What is det(A)?" in question
    assert "Mark exactly one option:" in question
    assert [f"({letter})" in question for letter in "ABCDE"] == [True] * 5
    assert "Correct option: (" in key and "Worked solution:" in key and "Exact answers:" in key
    assert len(re.findall(r"^  \([A-E]\) \w+: ", key, flags=re.M)) == 4  # each distractor's named mistake
    assert run("show", "eigen-determinant", "--seed", 5, "--format", "mcq").output == result.output
    student = run("show", "eigen-determinant", "--seed", 5, "--format", "mcq", "--no-key")
    assert student.output.strip() == question.strip()


def test_show_json_is_the_question_view(run):
    result = run("show", "shapley-and", "--seed", 2, "--format", "numeric", "--json")
    view = json.loads(result.output)
    assert view["schema"] == "variantex.question-view" and view["version"] == 2
    assert view["format"] == "numeric" and [p["name"] for p in view["asked"]] == [p["name"] for p in view["answers"]]
    assert sum(sp.Rational(p["plain"]) for p in view["answers"]) > 0  # efficiency: the values sum to U(N)


def test_show_respects_branch_and_options(run):
    result = run("show", "relu-backprop", "--branch", "dead", "-o", "loss=cross_entropy")
    assert result.exit_code == 0
    assert "branch: dead" in result.output and "grad_w1 = 0" in result.output


def test_solve_with_set_prints_exact_answer_and_steps(run):
    result = run(
        "solve",
        "eigen-determinant",
        "--set",
        "eigenvectors=[[1,0,0],[0,1,0]]",
        "--set",
        "eigenvalues=[2, 3]",
        "--set",
        "trace=10",
    )
    assert result.exit_code == 0
    assert "det = 30" in result.output
    assert "λ_3 = 10 - (2 + 3) = 5" in " ".join(result.output.split())


def test_solve_with_params_file_and_json(run, tmp_path):
    params = tmp_path / "p.yaml"
    params.write_text(
        "line: {slope: 1, intercept: 0}\n"
        "datasets: {A: [[0, 0], [1, 1], [2, 2], [3, 6]], B: [[0, 1], [1, 2], [2, 3], [3, 4]],"
        " C: [[0, 0], [1, 1.5], [2, 2], [3, 3.5]]}\n"
    )
    result = run("solve", "loss-ordering", "--params", params, "--json")
    assert result.exit_code == 0
    assert json.loads(result.output)["answer"] == {"order": "A > B > C", "A": "9/4", "B": "1", "C": "1/8"}


def test_solve_nested_set_names(run):
    result = run("solve", "shapley-and", "--set", "players=[a, b, c]", "--set", "required=[a, b]", "--json")
    assert json.loads(result.output)["answer"] == {"a": "1/2", "b": "1/2", "c": "0"}


@pytest.mark.parametrize(
    "args, message",
    [
        (
            [
                "solve",
                "eigen-determinant",
                "--set",
                "eigenvectors=[[1,2],[2,4]]",
                "--set",
                "eigenvalues=[1,2]",
                "--set",
                "trace=3",
            ],
            "error: --set: eigenvectors: the eigenvectors are linearly dependent",
        ),
        (["solve", "shapley-and", "--set", "players=[a,b]", "--set", "required=[z]"], "unknown player 'z'"),
        (["solve", "nope", "--set", "x=1"], "unknown family 'nope'"),
        (["solve", "relu-backprop"], "either --params FILE or"),
        (["solve", "relu-backprop", "--set", "x"], "expected name=value"),
        (["show", "relu-backprop", "--branch", "zombie"], "unknown branch 'zombie'"),
        (["show", "relu-backprop", "-o", "loss=hinge"], "options.loss"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(run, args, message):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_check_flags_exactly_the_wrong_items(run):
    result = CliRunner().invoke(cli, ["check", str(KEYS)])
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if line]
    wrong = {line.split(":")[0] for line in lines if ": WRONG" in line}
    right = {line.split(":")[0] for line in lines if ": OK" in line}
    assert wrong == {"eig-trace", "relu-sign", "relu-rounded", "loss-mae", "shapley-split"}
    assert right == {"eig-ok", "eig-undetermined", "relu-ok", "loss-ok", "shapley-ok"}
    assert "named mistake: trace_as_missing_eigenvalue" in result.stdout


def test_check_json(run):
    result = CliRunner().invoke(cli, ["check", str(KEYS), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    item = next(i for i in data["items"] if i["id"] == "eig-trace")
    assert item["parts"] == [
        {
            "part": "det",
            "claimed": "60",
            "correct": "30",
            "ok": False,
            "compared": "exact",
            "mistakes": [
                {
                    "name": "trace_as_missing_eigenvalue",
                    "description": "used the trace itself as the missing eigenvalue",
                }
            ],
            "also_matches": [],
        }
    ]


def test_check_all_right_exits_0(run, tmp_path):
    keys = tmp_path / "keys.yaml"
    keys.write_text(
        "- {id: a, family: eigen-determinant, params: {eigenvectors: [[1, 0]], eigenvalues: [2],"
        " trace: 5}, answer: 6}\n"
    )
    result = CliRunner().invoke(cli, ["check", str(keys)])
    assert result.exit_code == 0 and "a: OK" in result.stdout


def test_check_bad_input_exit_2(tmp_path):
    keys = tmp_path / "keys.yaml"
    keys.write_text(
        "- id: a\n  family: eigen-determinant\n  params: {eigenvectors: [[1, 0]], eigenvalues: [2]}\n  answer: 6\n"
    )
    result = CliRunner().invoke(cli, ["check", str(keys)])
    assert result.exit_code == 2
    assert f"{keys}:3: item 'a': params: trace: missing" in result.output


def test_build_without_pdf_writes_tex_and_manifest(run, tmp_path):
    out = tmp_path / "exam"
    result = run("build", ROOT / "tests" / "fixtures" / "four-families.yaml", "--out", out, "--no-pdf", "--seed", 3)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [".variantex-output", "exam.tex", "key.tex", "manifest.json"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 3 and len(manifest["papers"][0]["questions"]) == 8


@pytest.mark.parametrize(
    "spec, message",
    [
        (
            "title: T\nquestions:\n  - family: loss-ordering\n    format: essay\n    points: 1\n",
            "spec.yaml:4: questions[0].format: loss-ordering has no format 'essay'",
        ),
        (
            "title: T\nquestions:\n  - family: relu-backprop\n    format: mcq\n    points: 2\n    branch: zombie\n",
            "spec.yaml:6: questions[0]: branch: unknown branch 'zombie'",
        ),
        (
            "title: T\nquestions:\n  - family: shapley-and\n    format: mcq\n    points: 1\n"
            "    params: {players: [a, b], required: [c]}\n",
            "spec.yaml:6: questions[0].params: required: unknown player",
        ),
        (
            "title: T\nquestions:\n  - family: loss-ordering\n    format: mcq\n    points: -1\n",
            "spec.yaml:5: questions[0].points: points must be positive",
        ),
        ("title: T\nquestion: []\n", "spec.yaml:2: question: unknown field"),
        (
            "title: T\nquestions:\n  - family: loss-ordering\n    format: mcq\n    points: 1\n    options: {metric: l3}\n",
            "options.metric",
        ),
        ("title: [unclosed\n", "flow sequence that starts on line 1"),
        ("seed: 1\nseed: 2\n", "duplicate key 'seed'"),
    ],
)
def test_build_bad_spec_is_one_line_exit_2_and_writes_nothing(tmp_path, spec, message):
    path = tmp_path / "spec.yaml"
    path.write_text(spec)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(path), "--out", str(out), "--no-pdf"])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists() and list(tmp_path.iterdir()) == [path]


def test_build_refuses_non_utf8_spec(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_bytes("title: Prüfung\n".encode("latin-1"))
    result = CliRunner().invoke(cli, ["build", str(path), "--no-pdf", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "spec.yaml:1: not UTF-8" in result.output


def test_init_writes_the_starter_files_that_build_and_grade(tmp_path):
    folder = tmp_path / "starter"
    runner = CliRunner()
    first = runner.invoke(cli, ["init", str(folder)])
    assert first.exit_code == 0, first.output
    assert sorted(p.name for p in folder.iterdir()) == [
        "exam.yaml",
        "keys-to-check.yaml",
        "responses.csv",
        "roster.csv",
    ]
    again = runner.invoke(cli, ["init", str(folder)])
    assert again.exit_code == 2 and "never overwrites" in again.output
    (folder / "exam.yaml").write_text("changed")  # a refused init touched nothing
    assert (folder / "exam.yaml").read_text() == "changed"
    (folder / "exam.yaml").write_text((ROOT / "examples" / "sample-exam.yaml").read_text())
    out = tmp_path / "out"
    built = runner.invoke(
        cli, ["build", str(folder / "exam.yaml"), "--roster", str(folder / "roster.csv"), "--no-pdf", "--out", str(out)]
    )
    assert built.exit_code == 0, built.output
    graded = runner.invoke(cli, ["grade", str(out / "manifest.json"), str(folder / "responses.csv")])
    assert graded.exit_code == 0, graded.output
    assert "graded 30 students" in graded.output and "0 unreadable entries" in graded.output
    scores = (out / "grades" / "scores.csv").read_text(encoding="utf-8").splitlines()
    totals = {float(row.rsplit(",", 1)[1]) for row in scores[1:]}
    assert len(totals) > 5  # made-up students answer differently: some right, some named mistakes


def test_families_json_lists_every_family_for_scripts():
    table = json.loads(CliRunner().invoke(cli, ["families", "--json"]).output)
    assert {row["id"] for row in table} == {family.id for family in builtin_families()}
    gd = next(row for row in table if row["id"] == "gd-step")
    assert gd["formats"] and gd["branches"] and gd["builtin"] is True and isinstance(gd["options"], dict)


def test_show_reproduces_an_exported_variant(run, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        'title: "T"\nseed: 11\nquestions:\n  - {id: eigen, family: eigen-determinant, format: mcq, points: 2}\n'
    )
    assert run("export", spec, "--to", "moodle", "--variants", "3", "--out", tmp_path / "bank.xml").exit_code == 0
    manifest = json.loads((tmp_path / "bank.manifest.json").read_text())
    variant = manifest["slots"][0]["variants"][1]
    shown = run("show", "eigen-determinant", "--variant-of", tmp_path / "bank.manifest.json", "eigen-v002", "--json")
    assert shown.exit_code == 0, shown.output
    view = json.loads(shown.output)
    assert next(o["letter"] for o in view["options"] if o["correct"]) == variant["key"]["correct"]
    # the same variant a roster build gives the student with id v002
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\nv002,Someone\n")
    built = run("build", spec, "--roster", roster, "--out", tmp_path / "out", "--to", "tex")
    assert built.exit_code == 0, built.output
    paper = json.loads((tmp_path / "out" / "manifest.json").read_text())["papers"][0]
    assert paper["questions"][0]["params"] == variant["params"]
    wrong = CliRunner().invoke(
        cli, ["show", "gd-step", "--variant-of", str(tmp_path / "bank.manifest.json"), "eigen-v002"]
    )
    assert wrong.exit_code == 2 and "is a eigen-determinant question, not gd-step" in wrong.output
    missing = CliRunner().invoke(
        cli, ["show", "eigen-determinant", "--variant-of", str(tmp_path / "bank.manifest.json"), "eigen-v009"]
    )
    assert missing.exit_code == 2 and "no exported variant 'eigen-v009'" in missing.output


def test_the_command_line_starts_without_the_library():
    """Issue 30: `variantex --help` must not pay for SymPy, NumPy and every family."""
    import subprocess
    import sys

    probe = "import sys, variantex.cli; print(sorted(m for m in ('sympy', 'numpy', 'variantex.generators.base') if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"


def test_families_from_the_index_and_from_the_registry_print_the_same(run, monkeypatch):
    """With a plug-in installed, `families` loads every family; without, it reads the index:
    the built-ins must look the same either way."""
    from variantex.generators import names

    fast_text, fast_json = run("families").output, run("families", "--json").output
    monkeypatch.setattr(names, "plugins_installed", lambda: True)
    assert run("families").output == fast_text
    assert json.loads(run("families", "--json").output) == json.loads(fast_json)


def test_no_plugins_flag_and_a_verbose_build(run, tmp_path):
    from variantex.generators import base

    try:
        assert "gd-step" in run("--no-plugins", "families").output
    finally:
        base.set_plugins_enabled(True)
    spec = tmp_path / "spec.yaml"
    spec.write_text('title: "T"\nquestions:\n  - {family: gd-step, format: numeric, points: 1}\n')
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\na,A\nb,B\n")
    built = CliRunner().invoke(
        cli, ["build", str(spec), "--roster", str(roster), "--to", "tex", "--verbose", "--out", str(tmp_path / "o")]
    )
    assert built.exit_code == 0, built.output
    assert "… seconds:" in built.output and "distinct variants for 2 students" in built.output


def test_show_prints_an_exported_variant_as_text(run, tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_text('title: "T"\nseed: 4\nquestions:\n  - {id: g, family: gd-step, format: numeric, points: 2}\n')
    assert run("export", spec, "--to", "moodle", "--variants", "2", "--out", tmp_path / "bank.xml").exit_code == 0
    shown = run("show", "gd-step", "--variant-of", tmp_path / "bank.manifest.json", "g-v001")
    assert shown.exit_code == 0 and "Exported as g-v001: slot g, variant v001" in shown.output
    assert "Question 1" in shown.output
    manifest = json.loads((tmp_path / "bank.manifest.json").read_text())
    manifest["slots"][0]["variants"][0]["params"] = {"nonsense": 1}
    (tmp_path / "bank.manifest.json").write_text(json.dumps(manifest))
    broken = CliRunner().invoke(
        cli, ["show", "gd-step", "--variant-of", str(tmp_path / "bank.manifest.json"), "g-v001"]
    )
    assert broken.exit_code == 2 and "g-v001" in broken.output


def test_families_audit_prints_the_letter_table(run):
    result = run("families", "--audit", "--draws", "10")
    assert result.exit_code == 0
    assert "10 draws per branch" in result.output and "weighted-kmeans" in result.output


def test_families_named_lists_and_audits_only_those(run):
    listed = run("families", "relu-backprop", "gd-step")
    assert listed.exit_code == 0
    ids = [line.split()[0] for line in listed.output.splitlines() if not line.startswith(" ")]
    assert ids == ["gd-step", "relu-backprop"]
    audited = run("families", "--audit", "--draws", "10", "relu-backprop")
    rows = [line.split()[:2] for line in audited.output.splitlines()[1:-1]]
    assert audited.exit_code == 0 and rows == [["relu-backprop", b] for b in ("live", "dead", "leaky")]
    as_json = json.loads(run("families", "--json", "shapley-and").output)
    assert [row["id"] for row in as_json] == ["shapley-and"]


def test_families_refuses_an_unknown_id():
    result = CliRunner().invoke(cli, ["families", "relu-backprop", "no-such-family"])
    assert result.exit_code == 2 and "unknown family 'no-such-family'" in result.output


def test_solve_a_true_false_family_needs_no_format(run):
    """Its only format is tf: `solve` asks it so unless told otherwise (docs/families.md shows this)."""
    result = run(
        "solve", "tf-minimax", "--set", 'statements=[{"fact": "saddle-point", "a": 1, "b": -1, "c": -1, "d": 1}]'
    )
    assert result.exit_code == 0, result.output
    assert "format: tf" in result.output and "s1 = false" in result.output
    open_question = run("solve", "gd-step", "--set", "a=3", "--set", "b=-2", "--set", "w=1", "--set", "gamma=1/10")
    assert open_question.exit_code == 0 and "format: open" in open_question.output
