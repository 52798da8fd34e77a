"""Print one of the two shell commands that README.md gives for a fresh machine.

README.md marks each command with an HTML comment just above its code block:

    <!-- command: lab -->      set up and open the notebooks in JupyterLab
    <!-- command: test -->     set up and run every test

`.ci/run` runs `python3 tools/readme_commands.py test`'s output verbatim, so the
README and CI cannot drift apart; tests/test_readme.py checks the format.

Usage: python3 tools/readme_commands.py {lab,test}
"""
import pathlib
import re
import sys

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"
PATTERN = re.compile(r"<!-- command: (\w+) -->\s*```(?:bash|sh|console)?\n(.*?)\n```", re.S)


def readme_commands(text=None):
    """Return {name: command} for every marked command block in the README."""
    text = README.read_text(encoding="utf-8") if text is None else text
    return {name: body.strip() for name, body in PATTERN.findall(text)}


if __name__ == "__main__":
    commands = readme_commands()
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        sys.exit(f"usage: {sys.argv[0]} {{{','.join(commands)}}}")
    print(commands[sys.argv[1]])
