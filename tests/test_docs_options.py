"""Every `variantex` command line the README and docs/ show names a command and options the
command line really has: a page that documents a missing option fails here."""

import re
from pathlib import Path

import click
import pytest

from tests.conftest import GUIDE_PAGES, ROOT
from variantex.cli import cli

PAGES = [*GUIDE_PAGES, ROOT / "CONTRIBUTING.md"]
# `variantex` and what follows it on the line, up to the end of a code span or a comment.
_COMMAND = re.compile(r"(?<![\w./-])(?:[\w.~/-]*/)?variantex((?: +[^`#|\n]*)?)")
_OPTION = re.compile(r"^(--?[A-Za-z][\w-]*)")


def options_of(command: click.Command) -> set[str]:
    names = {"--help"}
    for param in command.params:
        if isinstance(param, click.Option):
            names.update(param.opts + param.secondary_opts)
    return names


def value_options(command: click.Command) -> set[str]:
    """Options that take a value (the next token is theirs, not a command)."""
    return {
        name
        for param in command.params
        if isinstance(param, click.Option) and not param.is_flag
        for name in param.opts + param.secondary_opts
    }


def command_lines(page: Path) -> list[tuple[int, str]]:
    """(line number, the text after `variantex`) for each command line on the page; a line
    ending in a backslash goes on on the next."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found = []
    joined, start = "", 0
    for number, line in enumerate(lines, start=1):
        if not joined:
            start = number
        joined += line.rstrip("\\") + " " if line.endswith("\\") else line
        if line.endswith("\\"):
            continue
        found += [(start, match[1]) for match in _COMMAND.finditer(joined)]
        joined = ""
    return found


def problems_on(page: Path, root: Path = ROOT) -> list[str]:
    problems = []
    group_options, group_values = options_of(cli), value_options(cli)
    for number, rest in command_lines(page):
        tokens = rest.split()
        where = f"{page.relative_to(root)}:{number}"
        while tokens and tokens[0].startswith("-"):
            option = tokens.pop(0).split("=")[0]
            if option not in group_options:
                problems.append(f"{where}: `variantex {option}` is not an option of variantex")
            elif option in group_values and tokens:
                tokens.pop(0)
        if not tokens or not re.fullmatch(r"[a-z][a-z-]*", tokens[0]):
            continue  # `variantex` in prose, or `variantex --version`
        name = tokens.pop(0)
        command = cli.commands.get(name)
        if command is None:
            if re.fullmatch(r"[a-z]+", name) and name in {"build", "grade", "scan", "show", "solve", "export"}:
                problems.append(f"{where}: no command `variantex {name}`")
            continue
        known = options_of(command) | group_options
        for token in tokens:
            match = _OPTION.match(token)
            if match and match[1].split("=")[0] not in known and not re.fullmatch(r"-\d.*", token):
                problems.append(f"{where}: `variantex {name} {match[1]}`: {name} has no such option")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_documented_command_line_uses_options_the_cli_has(page):
    assert problems_on(page) == []


def test_the_pages_command_lines_are_found():
    counts = {page.name: len(command_lines(page)) for page in PAGES}
    assert counts["README.md"] >= 6 and counts["cli.md"] >= 15 and counts["families.md"] >= 42  # a `solve` per family
    assert sum(counts.values()) >= 150


def test_a_page_naming_an_option_the_cli_lacks_is_caught(tmp_path):
    page = tmp_path / "guide.md"
    page.write_text(
        "```sh\n"
        "variantex build exam.yaml --roster r.csv --out out   # fine\n"
        "variantex build exam.yaml --fast\n"
        "variantex --questions extra/ grade out/manifest.json answers.csv --without-spec \\\n"
        "    --sloppy\n"
        "```\n"
        "Run `variantex show gd-step --seed 1 --colour` to see one.\n"
        "The `variantex` command has --no-such-thing in prose, which is not a command line.\n"
    )
    found = problems_on(page, root=tmp_path)
    assert found == [
        "guide.md:3: `variantex build --fast`: build has no such option",
        "guide.md:4: `variantex grade --sloppy`: grade has no such option",
        "guide.md:7: `variantex show --colour`: show has no such option",
    ]
