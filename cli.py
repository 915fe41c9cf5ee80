"""The variantex command line: parse, call the library, report.

Exit codes: 0 success; 1 a failure was found (a wrong key in `check`, a key whose
independent check disagrees, a LaTeX compile error); 2 bad input (a spec, params or
keys file that cannot be used as written, or a bad command line).
"""

from __future__ import annotations

import functools
import json
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from variantex.answer_engine.errors import InputError, VariantexError, VerificationError
from variantex.exams.outputs import OUTPUTS
from variantex.generators.names import FORMATS, NO_PLUGINS_VARIABLE

if TYPE_CHECKING:
    from variantex.exams import grading
    from variantex.generators.variant import Variant

# The library (SymPy, NumPy, every family) is imported inside each command, not here, so
# that `variantex --help`, `--version` and the completion start in a blink (issue 30).

EXIT_CODES = """\b
Exit codes:
  0  success
  1  a failure was found: a wrong key (check), a manifest whose
     keys do not follow from its params (verify), a key whose
     independent check disagrees, or a LaTeX compile error
  2  bad input: spec, params, keys file or command line"""


WITHOUT_SPEC_HELP = (
    "Go on when the build's spec or roster is missing or changed; the note says what could then not be checked."
)


FORCE = click.option(
    "--force", is_flag=True, help="Write into a non-empty folder variantex did not make (nothing there is deleted)."
)
OVERWRITE = click.option(
    "--overwrite", is_flag=True, help="With --force: also replace your own files that have the names variantex writes."
)


def out_option(help: str, file: bool = False) -> Callable:
    """The `--out` option: a folder (or, with `file`, a file) whose empty name is refused."""
    kind = click.Path(dir_okay=False) if file else click.Path(file_okay=False)
    return click.option("--out", type=kind, default=None, callback=_named, help=help)


def _named(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """An --out that names nothing is a slip, never "the default folder"."""
    if value is not None and not value.strip():
        raise click.BadParameter("an empty name", ctx=ctx, param=param)
    return value


def reports_errors(command: Callable) -> Callable:
    """Turn variantex errors into a one-line message and the documented exit status."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except VariantexError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(error.exit_code)

    return wrapper


class OneLineErrors(click.Group):
    """Usage errors as one line (`error: …`, exit 2) instead of click's usage block."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.exceptions.Abort:
            click.echo("error: aborted", err=True)
            sys.exit(1)
        except click.ClickException as error:
            hint = (
                f" (see `variantex {error.ctx.command_path.partition(' ')[2] or ''} --help`)".replace("  ", " ")
                if getattr(error, "ctx", None)
                else ""
            )
            click.echo(f"error: {error.format_message()}{hint}".replace("\n", " "), err=True)
            sys.exit(error.exit_code)


def _one_line_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    click.echo(f"warning: {message}", err=True)


@click.group(cls=OneLineErrors, epilog=EXIT_CODES, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="variantex")
@click.option("--no-plugins", is_flag=True, help=f"Use the built-in families only (also: {NO_PLUGINS_VARIABLE}=1).")
@click.option(
    "--questions",
    "question_folders",
    multiple=True,
    type=click.Path(file_okay=False, exists=True),
    metavar="DIR",
    help="Also use the question files (*.yaml) in DIR as families, for every command (repeatable).",
)
@click.pass_context
def cli(context: click.Context, no_plugins: bool, question_folders: tuple[str, ...]) -> None:
    """variantex: per-student ML exam variants with exact, twice-verified keys."""
    warnings.showwarning = _one_line_warning  # a skipped plug-in is one line, not a source quote
    if no_plugins:
        from variantex.generators.base import set_plugins_enabled

        set_plugins_enabled(False)
    context.obj = {"question_files": []}
    if question_folders:
        from variantex.exams.question_files import load_folder

        try:
            context.obj["question_files"] = [f for folder in question_folders for f in load_folder(folder)]
        except VariantexError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(error.exit_code)


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False), default=".", required=False)
@reports_errors
def init(folder: str) -> None:
    """Write a starter exam spec, roster, responses and key to audit into FOLDER (default: here).

    Nothing is overwritten: if any of the files exists, nothing is written (exit 2).
    """
    from variantex.exams.starter import RESPONSES, ROSTER, SPEC, write_starter

    written = write_starter(Path(folder))
    click.echo("wrote " + ", ".join(str(path) for path in written))
    where = "" if Path(folder) == Path(".") else f"cd {folder} && "
    click.echo(
        f"next: {where}variantex build {SPEC} --roster {ROSTER} --out out/final && "
        f"variantex grade out/final/manifest.json {RESPONSES}"
    )


@cli.command()
@click.option("--audit", is_flag=True, help="Where the correct multiple-choice option lands, per branch (χ² test).")
@click.option(
    "--draws", type=click.IntRange(min=10), default=2000, show_default=True, help="Draws per branch for --audit."
)
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON, for scripts.")
@click.argument("only", nargs=-1, metavar="[FAMILY]...")
@reports_errors
def families(audit: bool, draws: int, as_json: bool, only: tuple[str, ...]) -> None:
    """List the question families: id, title, formats and structural branches.

    Name FAMILY ids to list or audit only those (an audit of every family takes minutes).
    """
    from variantex.generators.names import builtin_index, plugins_installed

    own = click.get_current_context().find_root().obj or {}
    if not audit and not only and not plugins_installed() and not own.get("question_files"):
        # the built-ins alone: their index, no family imported
        rows = builtin_index()
        if as_json:
            shown = [{key: value for key, value in row.items() if key != "module"} for row in rows]
            click.echo(json.dumps([{**row, "builtin": True} for row in shown], ensure_ascii=False, indent=1))
            return
        for row in rows:
            _family_lines(row)
        return
    from variantex.generators import families as every_family
    from variantex.generators.base import family, is_builtin

    def all_families() -> list:
        if not only:
            return every_family()
        named = {found.id: found for found in map(family, only)}  # an unknown id: exit 2
        return [named[key] for key in sorted(named)]

    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "id": item.id,
                        "title": item.title,
                        "formats": list(item.formats),
                        "branches": list(item.branches),
                        "options": dict(item.draw_options),
                        "builtin": is_builtin(item),
                        **({"file": item.source.path} if hasattr(item, "source") else {}),
                    }
                    for item in all_families()
                ],
                ensure_ascii=False,
                indent=1,
            )
        )
        return
    if audit:
        from variantex.exams.fairness import audit as audit_families
        from variantex.exams.fairness import table

        for line in table(audit_families(all_families(), draws)):
            click.echo(line)
        click.echo(
            f"{draws} draws per branch, as students get them (repeats included); p > 0.01 means no detectable "
            "pattern; letters as arranged and with shuffle_options; 'ruled out' is the share of draws with a distractor the family's own rule "
            "(an axiom) eliminates"
        )
        return
    for item in all_families():
        _family_lines(
            {
                "id": item.id,
                "title": item.title,
                "formats": item.formats,
                "branches": item.branches,
                "options": item.draw_options,
            }
        )


def _family_lines(row: dict[str, Any]) -> None:
    click.echo(f"{row['id']:<20} {row['title']}")
    click.echo(f"{'':<20} formats: {', '.join(row['formats'])}; branches: {', '.join(row['branches'])}")
    for name, help_text in row["options"].items():
        click.echo(f"{'':<20} option {name}: {help_text}")


def _parse_assignments(assignments: tuple[str, ...], flag: str) -> dict[str, Any]:
    """`name=value` pairs (values read as YAML, dotted names nest) into a mapping."""
    from variantex.exams import yamlio

    data: dict[str, Any] = {}
    for assignment in assignments:
        name, sep, raw = assignment.partition("=")
        if not sep or not name:
            raise InputError(f"expected name=value, got {assignment!r}", flag)
        value = yamlio.loads(raw, f"{flag} {name}")
        target = data
        *parents, last = name.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target[last] = value
    return data


def _print_variant(variant: Variant, fmt: str, show_key: bool = True) -> None:
    """The question as a student reads it; with the key, its answers, worked steps and params."""
    from variantex.answer_engine.formatting import plain_with_decimal
    from variantex.exams.exporters.text import question_text
    from variantex.exams.view import question_view

    family = variant.family
    click.echo(question_text(question_view(variant, fmt), key=show_key))
    if show_key:
        click.echo(f"Family: {family.id} ({family.title}); branch: {variant.branch}; format: {fmt}")
        click.echo("Exact answers:")
        for name, value in variant.solution.values.items():
            click.echo(f"  {name} = {plain_with_decimal(value)}")
        click.echo("Params:")
        click.echo(_indent(json.dumps(family.dump(variant.params), ensure_ascii=False)))


def _show_exported(family_id: str, variant_of: tuple[str, str], no_key: bool, as_json: bool) -> None:
    from variantex.exams.exporters.text import question_text
    from variantex.exams.lms.checks import load_bank_manifest, recomputed_view

    path, question = variant_of
    bank = load_bank_manifest(Path(path))
    found = [
        (slot, variant)
        for slot in bank["slots"]
        for variant in slot.get("variants", [])
        if question in (variant.get("question"), f"{slot.get('slot')}-{variant.get('id')}")
    ]
    if not found:
        raise InputError(f"no exported variant {question!r} (its questions are named like <slot>-v001)", path)
    slot, variant = found[0]
    if slot["family"] != family_id:
        raise InputError(f"{question} is a {slot['family']} question, not {family_id}", path)
    try:
        view = recomputed_view(slot, variant)
    except InputError as error:
        raise InputError(f"{question}: its stored params cannot be read ({error.message})", path) from None
    except (KeyError, TypeError, ValueError) as error:
        raise InputError(f"{question}: its stored params cannot be read ({error})", path) from None
    if as_json:
        click.echo(json.dumps(view.as_json(), indent=1, ensure_ascii=False))
        return
    click.echo(question_text(view, key=not no_key))
    if not no_key:
        seed = variant.get("seed") or {}
        click.echo(
            f"Exported as {question}: slot {slot['slot']}, variant {variant['id']}, drawn with exam seed "
            f"{seed.get('entropy', bank.get('seed'))} as if for a student with id {variant['id']} "
            f"(`variantex build SPEC --seed {bank.get('seed')}` with that id on the roster prints it)"
        )


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())


@cli.command()
@click.argument("family_id", metavar="FAMILY")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed of the draw.")
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default=None, help="Answer format (default: the family's first)."
)
@click.option("--branch", default=None, help="Structural branch (default: the family's first).")
@click.option("--option", "-o", "options", multiple=True, metavar="NAME=VALUE", help="A draw option, repeatable.")
@click.option("--no-key", is_flag=True, help="Print the question only, as a student reads it.")
@click.option("--json", "as_json", is_flag=True, help="Print the question view as JSON (docs/question-view.md).")
@click.option(
    "--variant-of",
    nargs=2,
    metavar="BANK_MANIFEST QUESTION",
    default=None,
    help="Print an exported variant (QUESTION as the LMS file names it, e.g. losses-v003) from its bank manifest.",
)
@reports_errors
def show(
    family_id: str,
    seed: int,
    fmt: str | None,
    branch: str | None,
    options: tuple[str, ...],
    no_key: bool,
    as_json: bool,
    variant_of: tuple[str, str] | None,
) -> None:
    """Draw one variant of FAMILY and print the question as a student reads it, then its key.

    With --variant-of, print the variant an LMS export holds instead, recomputed from the
    params its bank manifest stores (variant v003 of a slot is what a roster build of the
    same spec and seed gives a student whose id is v003)."""
    from variantex.exams import seeds
    from variantex.exams.view import question_view
    from variantex.generators import family as family_by_id
    from variantex.generators.variant import draw_variant

    if variant_of:
        _show_exported(family_id, variant_of, no_key, as_json)
        return
    chosen = family_by_id(family_id)
    fmt = fmt or chosen.formats[0]
    draw_options = _parse_assignments(options, "--option")
    rng = seeds.show_rng(seed)
    variant = draw_variant(chosen, rng, branch or chosen.default_branch(draw_options), draw_options, fmt)
    if as_json:
        click.echo(json.dumps(question_view(variant, fmt).as_json(), indent=1, ensure_ascii=False))
        return
    _print_variant(variant, fmt, show_key=not no_key)


@cli.command()
@click.argument("family_id", metavar="FAMILY")
@click.option("--params", "params_file", type=click.Path(dir_okay=False), help="YAML/JSON file of params.")
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="NAME=VALUE",
    help="A param, repeatable; values are YAML (e.g. --set 'eigenvalues=[2, 3]').",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Format to print the question in (default: open, or the family's first when it has no open format).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@reports_errors
def solve(
    family_id: str, params_file: str | None, assignments: tuple[str, ...], fmt: str | None, as_json: bool
) -> None:
    """Solve FAMILY exactly for given params and print the worked steps."""
    from variantex.answer_engine.formatting import plain
    from variantex.exams import yamlio
    from variantex.generators import family as family_by_id
    from variantex.generators.variant import variant_from_data

    chosen = family_by_id(family_id)
    # True/false families have no open format: a question of statements is only ever asked one way.
    fmt = fmt or ("open" if "open" in chosen.formats else chosen.formats[0])
    if bool(params_file) == bool(assignments):
        raise InputError("give either --params FILE or one or more --set name=value")
    if params_file:
        data = yamlio.load(params_file)
        where = params_file
    else:
        data = _parse_assignments(assignments, "--set")
        where = "--set"
    try:
        variant = variant_from_data(chosen, data, fmt)
    except InputError as error:
        raise error.located(where) from None
    if as_json:
        click.echo(
            json.dumps(
                {
                    "family": chosen.id,
                    "branch": variant.branch,
                    "answer": {k: plain(v) for k, v in variant.solution.values.items()},
                },
                indent=2,
            )
        )
        return
    _print_variant(variant, fmt)


@cli.command()
@click.argument("spec", type=click.Path(dir_okay=False))
@click.option(
    "--roster",
    type=click.Path(dir_okay=False),
    default=None,
    help="CSV with columns id, name (and any others): one exam per student.",
)
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Exam seed (default: the spec's `seed`).")
@out_option("Output folder (default: out/<spec name>).")
@click.option(
    "--to",
    "outputs",
    multiple=True,
    type=click.Choice(OUTPUTS),
    default=None,
    help="Outputs, repeatable: pdf (LaTeX + PDFs, the default), tex (LaTeX only), json (the exam view).",
)
@click.option("--no-pdf", is_flag=True, help="Same as --to tex.")
@click.option(
    "--no-scan",
    is_flag=True,
    help="No answer sheet, registration marks or page codes (roster builds have them by default).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes (each draws, verifies and typesets its papers; default: one per core).",
)
@FORCE
@OVERWRITE
@click.option(
    "--strict", is_flag=True, help="Fail (exit 1) when TeX reports a line in the margin or a missing character."
)
@click.option("--verbose", "-v", is_flag=True, help="Report each stage and its time.")
@reports_errors
def build(
    spec: str,
    roster: str | None,
    seed: int | None,
    out: str | None,
    outputs: tuple[str, ...],
    no_pdf: bool,
    no_scan: bool,
    jobs: int | None,
    force: bool,
    overwrite: bool,
    strict: bool,
    verbose: bool,
) -> None:
    """Build exams and keys (.tex, .pdf), a key CSV and manifest.json from an exam SPEC.

    With --roster every student gets their own variant of every question; the output has
    exam.pdf and key.pdf (all students, print-ready), exams/<id>.pdf, keys/<id>.pdf,
    key.csv and manifest.json.
    """
    from variantex.exams.build import build as build_exam
    from variantex.exams.outputs import remove_on_terminate
    from variantex.exams.roster import read_roster

    out_dir = Path(out) if out else Path("out") / Path(spec).stem
    progress = (lambda message: click.echo(f"… {message}", err=True)) if verbose else None
    students = read_roster(roster) if roster else None  # read once: the bar needs the count
    count = len(students) if students else 1
    remove_on_terminate()
    with click.progressbar(
        length=count, label="papers", file=sys.stderr, hidden=count < 20 or not sys.stderr.isatty()
    ) as bar:
        result = build_exam(
            spec,
            out_dir,
            seed=seed,
            roster=students,
            roster_file=roster,
            make_pdf=not no_pdf,
            progress=progress,
            on_paper=bar.update,
            outputs=list(outputs) or None,
            jobs=jobs,
            force=force,
            overwrite=overwrite,
            strict=strict,
            scan=not no_scan,
        )
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if verbose:
        for report in result.variety:
            click.echo(f"… {report.slot}: {report.distinct} distinct variants for {report.papers} students", err=True)
        click.echo("… seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in result.seconds.items()), err=True)
    top = sorted({str(p).split("/")[0] + ("/" if "/" in str(p) else "") for p in result.files})
    click.echo(f"built {result.out}: {', '.join(top)}")


@cli.command()
@click.argument("manifest", type=click.Path(dir_okay=False))
@click.argument("responses", type=click.Path(dir_okay=False))
@out_option("Folder for scores.csv, items.csv, problems.txt (default: grades/ beside the manifest).")
@FORCE
@OVERWRITE
@click.option("--without-spec", is_flag=True, help=WITHOUT_SPEC_HELP)
@reports_errors
def grade(manifest: str, responses: str, out: str | None, force: bool, overwrite: bool, without_spec: bool) -> None:
    """Grade RESPONSES (CSV: id, then one response per question as printed) against MANIFEST.

    Multiple choice: the option letter. Numeric: the value(s), several parts separated by
    ';'. True/false: one T or F per statement (TFFT, T,F,F,T; - or an empty cell for a
    blank), scored per statement or all-or-nothing as the spec says. Open: the points a
    grader awarded. Blanks score 0; unreadable entries are listed in problems.txt and
    score 0.
    """
    from variantex.exams.outputs import remove_on_terminate, staged_folder

    out_dir = Path(out) if out else Path(manifest).resolve().parent / "grades"
    remove_on_terminate()
    with staged_folder(out_dir, force, overwrite) as staging:
        report = _graded(manifest, responses, without_spec, staging)
    _say_graded(report, out_dir)


def _graded(manifest: str, responses: str | Path, without_spec: bool, folder: Path) -> grading.GradeReport:
    """Grade `responses` against `manifest` into `folder` (scores.csv, items.csv, problems.txt),
    refusing a manifest whose keys do not follow from its spec, seed and params."""
    from variantex.exams import grading
    from variantex.exams.manifest import Checks, load_manifest, recompute, tamper_problems

    data = load_manifest(manifest)
    # Grades come only from keys recomputed from the params: a manifest whose stored keys
    # differ from them (even re-sealed with a fresh digest) is refused, every difference listed.
    notes: list[str] = []
    problems = tamper_problems(data, manifest, notes, Checks(without_spec=without_spec)) + recompute(data)
    for note in notes if without_spec else ():  # what the waiver left unchecked; verify says the rest
        click.echo(f"note: {note}", err=True)
    if problems:
        for problem in problems:
            click.echo(f"MISMATCH {problem}", err=True)
        raise VerificationError(
            f"{manifest}: {len(problems)} difference{'s' if len(problems) != 1 else ''} from what the build's "
            "spec, seed and params give; nothing was graded (`variantex verify` lists the same)"
        )
    report = grading.grade(data, responses)
    grading.write_reports(folder, report)
    return report


def _say_graded(report: grading.GradeReport, out_dir: Path) -> None:
    possible = sum(float(m.possible) for m in report.students[0].marks) if report.students else 0
    mean = sum(float(s.total) for s in report.students) / max(1, len(report.students))
    absent = f" ({len(report.absent)} absent, not averaged)" if report.absent else ""
    click.echo(
        f"graded {len(report.students)} students{absent}: mean {mean:.2f} of {possible:g} points; "
        f"{len(report.unreadable)} unreadable entries; wrote {out_dir}/scores.csv, items.csv, problems.txt"
    )
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)


@cli.command()
@click.argument("scans", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--manifest", required=True, type=click.Path(dir_okay=False), help="The build's manifest.json.")
@out_option("Folder for responses.csv, review.html, decisions.csv (default: scan/ beside the manifest).")
@click.option(
    "--decisions",
    type=click.Path(dir_okay=False),
    default=None,
    help="A decisions.csv from an earlier run, its decision column filled in: settles those review items.",
)
@click.option("--grade", "then_grade", is_flag=True, help="Also grade (scores.csv …) when nothing is left to review.")
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=None, help="Pages read at a time (default: one per core)."
)
@click.option("--without-spec", is_flag=True, help=WITHOUT_SPEC_HELP)
@FORCE
@OVERWRITE
@reports_errors
def scan(
    scans: tuple[str, ...],
    manifest: str,
    out: str | None,
    decisions: str | None,
    then_grade: bool,
    jobs: int | None,
    without_spec: bool,
    force: bool,
    overwrite: bool,
) -> None:
    """Read scanned answer sheets (SCANS: PDF, PNG, JPEG or TIFF files, pages in any order and
    orientation) into responses.csv for `grade`, with review.html for what needs a person.

    Exit status 1 when some marks need review (their cells read REVIEW); settle them in
    decisions.csv and run again with --decisions.
    """
    from variantex.exams.manifest import load_manifest
    from variantex.exams.outputs import remove_on_terminate, staged_folder
    from variantex.exams.scan import session
    from variantex.exams.scan.pages import page_list

    data = load_manifest(manifest)
    settled = session.read_decisions(decisions) if decisions else {}
    out_dir = Path(out) if out else Path(manifest).resolve().parent / "scan"
    remove_on_terminate()
    pages = page_list(list(scans))  # every input opened and counted once, before any page is read
    with click.progressbar(
        length=len(pages), label="pages", file=sys.stderr, hidden=len(pages) < 20 or not sys.stderr.isatty()
    ) as bar:
        report = session.scan(pages, data, manifest, settled, jobs, on_page=lambda: bar.update(1))
    graded = None
    with staged_folder(out_dir, force, overwrite) as staging:
        session.write_outputs(report, staging)
        if then_grade and not report.unsettled:
            graded = _graded(manifest, staging / "responses.csv", without_spec, staging)
    read = sum(1 for p in report.pages if p.outcome == "read")
    click.echo(
        f"scanned {len(report.pages)} pages ({read} identified) for {len(report.responses)} students; "
        f"wrote {out_dir}/responses.csv, review.html, decisions.csv"
    )
    if report.absent:
        click.echo(f"note: no pages for {len(report.absent)} student(s): {', '.join(report.absent[:10])}", err=True)
    if graded is not None:
        _say_graded(graded, out_dir)
    if report.unsettled:
        click.echo(
            f"{len(report.unsettled)} item(s) need review: open {out_dir}/review.html, decide them in "
            "decisions.csv, then run again with --decisions" + ("; nothing was graded" if then_grade else ""),
            err=True,
        )
        sys.exit(1)


@cli.command()
@click.argument("manifest", type=click.Path(dir_okay=False))
@click.option("--without-spec", is_flag=True, help=WITHOUT_SPEC_HELP)
@click.option(
    "--rebuild", is_flag=True, help="Also require this environment's package versions: every field must match."
)
@reports_errors
def verify(manifest: str, without_spec: bool, rebuild: bool) -> None:
    """Check MANIFEST against its sources: every key recomputed from its params alone (no
    RNG), and the whole manifest rebuilt from the build's spec, roster and seed (no TeX)
    and compared field by field.

    Exits 1 and lists every difference when anything was edited or corrupted, or when the
    spec or roster is missing or changed (unless --without-spec).
    """
    from variantex.exams.manifest import Checks, load_manifest, recompute, tamper_problems

    data = load_manifest(manifest)
    notes: list[str] = []
    checks = Checks(without_spec=without_spec, versions=rebuild)
    problems = tamper_problems(data, manifest, notes, checks) + recompute(data)
    count = sum(len(p["questions"]) for p in data["papers"])
    for note in notes:
        click.echo(f"note: {note}", err=True)
    if problems:
        for problem in problems:
            click.echo(f"MISMATCH {problem}")
        click.echo(
            f"{len(problems)} difference{'s' if len(problems) != 1 else ''} between the manifest and what its "
            f"spec, roster, seed, params and printed papers give ({count} keys checked)",
            err=True,
        )
        sys.exit(1)
    click.echo(f"verified {count} keys: every answer and option follows from the stored params")


@cli.command()
@click.argument("keys", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the verdicts as JSON.")
@reports_errors
def check(keys: str, as_json: bool) -> None:
    """Recompute every item of a KEYS file and report OK or WRONG per item.

    KEYS is a YAML list of items {id, family, params, answer}. Exact claims (2, "3/4",
    "sqrt(2)/2") are compared exactly; decimal claims within the family's tolerance. A
    true/false key is TFFT, a list of true/false or {s1: true, ...}. Exits 1 when any
    item is wrong.
    """
    from variantex.exams import audit

    verdicts = audit.audit_file(keys)
    if as_json:
        click.echo(json.dumps(audit.as_json(verdicts), indent=2, ensure_ascii=False))
    else:
        for verdict in verdicts:
            click.echo(audit.describe(verdict))
        wrong = sum(not v.ok for v in verdicts)
        click.echo(f"{len(verdicts) - wrong} OK, {wrong} WRONG", err=True)
    if not all(v.ok for v in verdicts):
        sys.exit(1)


@cli.command()
@click.argument("source", nargs=-1, required=True, metavar="SPEC | FAMILY[:FORMAT]...")
@click.option("--count", "-n", type=int, default=20, show_default=True, help="Variants of each question.")
@click.option(
    "--seed", type=click.IntRange(min=0), default=None, help="Seed of the set (default: the spec's `seed`, or 0)."
)
@out_option("Output folder (default: out/practice).")
@click.option(
    "--to",
    "outputs",
    multiple=True,
    type=click.Choice(["html", "pdf"]),
    default=None,
    help="What to write (repeatable; default: both).",
)
@click.option(
    "--no-answers",
    is_flag=True,
    help="Leave every answer out: the page checks nothing, the worksheet has no solutions.",
)
@click.option("--inline-solutions", is_flag=True, help="Worksheet: each solution right after its question.")
@click.option(
    "--layout",
    type=click.Choice(["file", "folder"]),
    default="file",
    show_default=True,
    help="The page: one practice.html, or a folder to share (index.html and a page per topic).",
)
@FORCE
@OVERWRITE
@reports_errors
def practice(
    source: tuple[str, ...],
    count: int,
    seed: int | None,
    out: str | None,
    outputs: tuple[str, ...],
    no_answers: bool,
    inline_solutions: bool,
    layout: str,
    force: bool,
    overwrite: bool,
) -> None:
    """Build a practice set: COUNT fresh variants of each question, as a self-checking HTML
    page (works offline from disk) and a PDF worksheet.

    SOURCE is an exam spec (its questions) or question kinds such as
    `relu-backprop:numeric eigen-determinant:mcq`. The page checks each answer the way
    `variantex check` does and names the mistake a wrong answer comes from.
    """
    from variantex.exams.practice import build_practice

    result = build_practice(
        source,
        out or "out/practice",
        count=count,
        seed=seed,
        outputs=list(outputs) or ["html", "pdf"],
        answers=not no_answers,
        inline_solutions=inline_solutions,
        force=force,
        overwrite=overwrite,
        layout=layout,
    )
    click.echo(f"wrote {result.questions} variants to {result.out}: " + ", ".join(map(str, result.files)))


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False), metavar="FILE...")
@click.option("--draws", type=click.IntRange(min=20), default=200, show_default=True, help="Draws per file.")
@reports_errors
def lint(files: tuple[str, ...], draws: int) -> None:
    """Walk question files over many draws: constraints that rarely hold, draws with no answer,
    disputed keys, dead distractors, options not distinct, a letter or rank that gives the key
    away, ugly numbers. Exit 1 when a file has a problem, 2 when it cannot be read."""
    from variantex.exams.question_files import load as load_question_file
    from variantex.exams.question_lint import lines
    from variantex.exams.question_lint import lint as lint_file

    found = False
    for file in files:
        report = lint_file(load_question_file(file), draws)
        found = found or bool(report.problems)
        for line in lines(report):
            click.echo(line)
    if found:
        sys.exit(1)


@cli.command("export")
@click.argument("spec", type=click.Path(dir_okay=False), required=False)
@click.option(
    "--to",
    "target",
    type=click.Choice(["moodle", "canvas", "qti21"]),
    default="moodle",
    show_default=True,
    help="Moodle XML, a Canvas QTI 1.2 zip, or a QTI 2.1 content package.",
)
@click.option("--variants", "-n", type=int, default=20, show_default=True, help="Variants per exam slot.")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Bank seed (default: the spec's `seed`).")
@out_option("File to write (default: <spec name>-<target>.xml or .zip); the bank manifest goes beside it.", file=True)
@click.option("--force", is_flag=True, help="Replace --out even if variantex did not write it.")
@click.option(
    "--check",
    "check_file",
    type=click.Path(dir_okay=False),
    default=None,
    metavar="FILE",
    help="Check FILE (an export, yours or hand-edited) instead of exporting; exit 1 on problems.",
)
@click.option(
    "--manifest",
    type=click.Path(dir_okay=False),
    default=None,
    help="With --check: the bank manifest (default: FILE's .manifest.json beside it).",
)
@reports_errors
def export_bank(
    spec: str | None,
    target: str,
    variants: int,
    seed: int | None,
    out: str | None,
    force: bool,
    check_file: str | None,
    manifest: str | None,
) -> None:
    """Export a question bank of SPEC for an LMS: --variants per slot, one group per slot.

    Multiple choice carries feedback naming each mistake; numbers carry the family's
    tolerance; open questions carry the worked solution for graders. Writes FILE and
    FILE's .manifest.json (params and keys). `--check FILE` validates any export against
    the target's schema and rules and recomputes its keys from the manifest, one problem per
    line (exit 1 when there are any).
    """
    from variantex.exams.lms.checks import check_export
    from variantex.exams.lms.export import default_name, export

    if check_file:
        result = check_export(check_file, manifest)
        for problem in result.problems:
            click.echo(problem)
        if result.problems:
            click.echo(f"{len(result.problems)} problem(s) in {check_file}", err=True)
            sys.exit(1)
        keys = (
            "keys recomputed from the manifest"
            if result.keys_recomputed
            else "keys NOT recomputed: no bank manifest beside it (give --manifest)"
        )
        click.echo(f"{check_file}: no problems (schema, rules, math; {keys})")
        return
    if not spec:
        raise InputError("give a SPEC to export, or --check FILE", "export")
    target_file = out or default_name(spec, target)
    result = export(spec, target, variants, target_file, seed=seed, force=force)
    click.echo(f"wrote {result.file} ({result.questions} questions) and {result.manifest}")
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)


if __name__ == "__main__":  # pragma: no cover
    cli()
