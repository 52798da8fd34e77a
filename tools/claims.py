"""The claims register from the command line (see tests/claims_lib.py).

    python tools/claims.py                  # files changed since the lock, and the sentences to reread
    python tools/claims.py --lock [NN ...]  # after rereading them: pin the files' sha256 again
    python tools/claims.py --uncovered 06   # candidate sentences of notebook 06 without a claim or exemption
    python tools/claims.py --list 06        # the claims of notebook 06
    python tools/claims.py --dump 06        # notebook 06 as text: each cell's id, source and printed output
"""
import argparse
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests"))
import claims_lib as cl  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock", action="store_true", help="pin the sha256 of every file the register reads")
    parser.add_argument("notebooks", nargs="*", metavar="NN", help="with --lock: only these notebooks")
    parser.add_argument("--uncovered", metavar="NN", help="candidate sentences of notebook NN not accounted for")
    parser.add_argument("--list", metavar="NN", help="the claims of notebook NN")
    parser.add_argument("--dump", metavar="NN", help="notebook NN as text: cell ids, sources, printed outputs")
    args = parser.parse_args(argv)
    if args.dump:
        nb = cl.Notebook(args.dump)
        for i, cell in enumerate(nb.cells):
            print(f"==== cell {i} [{cell['cell_type']}] id={cell.get('id')}")
            print(cl._source(cell))
            if cell["cell_type"] == "code":
                out = cl._output_text(cell)
                figures = sum(1 for o in cell.get("outputs", []) if "image/png" in o.get("data", {}))
                if out:
                    print("---- output\n" + out.rstrip())
                if figures:
                    print(f"---- {figures} figure(s)")
        return
    registers = cl.all_registers()
    if args.uncovered or args.list:
        number = args.uncovered or args.list
        regs = [r for r in registers if r.nb.number == number]
        if not regs:
            raise SystemExit(f"no register for notebook {number}: write tests/test_claims_{number}.py")
        for reg in regs:
            rows = cl.uncovered(reg) if args.uncovered else [f"{c.name}: {c.says}" for c in reg.claims]
            print("\n".join(rows) if rows else "(none)")
        return
    if args.lock:
        chosen = [r for r in registers if not args.notebooks or r.nb.number in args.notebooks]
        for path in cl.write_lock(chosen):
            print(f"pinned {path.relative_to(cl.ROOT)}")
        return
    changed = cl.changed_sources(registers)
    if not changed:
        print("every file the register reads is as pinned")
    for path, rows in changed.items():
        print(f"{path} changed; reread:")
        for nb, says in rows:
            print(f"    {nb}: {says}")


if __name__ == "__main__":
    main()
