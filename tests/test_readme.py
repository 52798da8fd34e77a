"""README.md gives exactly two commands for a fresh machine, and CI runs the test one."""
import pathlib
import runpy

ROOT = pathlib.Path(__file__).resolve().parent.parent
readme_commands = runpy.run_path(str(ROOT / "tools" / "readme_commands.py"))["readme_commands"]


def test_readme_has_exactly_the_two_commands():
    commands = readme_commands()
    assert set(commands) == {"lab", "test"}
    for cmd in commands.values():
        assert cmd.startswith("python3.11 -m venv .venv && "), cmd
        assert "\n" not in cmd, "each command is one line, to copy and paste"


def test_lab_command_opens_jupyterlab_and_test_command_runs_pytest():
    commands = readme_commands()
    assert 'pip install -e ".[lab]"' in commands["lab"]
    assert commands["lab"].endswith("jupyter lab --allow-root notebooks/")
    assert 'pip install -e ".[test]"' in commands["test"]
    assert commands["test"].endswith("-m pytest")


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 tools/readme_commands.py test" in ci
    assert 'bash -c "$cmd"' in ci


def test_marker_parser_reads_a_block():
    text = "x\n<!-- command: test -->\n```bash\necho hi\n```\n"
    assert readme_commands(text) == {"test": "echo hi"}


def test_readme_table_lists_every_notebook():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        assert f"notebooks/{nb.name}" in text, f"{nb.name} is missing from the README table"


def test_readme_table_has_the_generated_badges():
    cells = runpy.run_path(str(ROOT / "tools" / "notebook_cells.py"))
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        assert cells["badges_markdown"](nb.name) in text, (
            f"README badges for {nb.name} are stale: run python tools/notebook_cells.py"
        )


def test_ci_installs_debians_chromium_for_the_browser_tests():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "[ ! -x /usr/bin/chromium ]" in ci and "apt-get install -y -qq chromium" in ci
    assert "playwright install" not in ci, "the browser comes from Debian, never from playwright install"
