#!/usr/bin/env python3
"""What scripts/lab prints from the checks' report (one line a check, fields
separated by \\x1f: status, id, what, expected, seen, hint, book, exercises,
looks), and the hints of an exercise.

    lab-progress.py lines                   a PASS or FAIL line a check (stdin)
    lab-progress.py total N REPORT          "lab N: P passed, F failed"
    lab-progress.py progress N REPORT DIR   the exercises of chapter N done in the crate
                                            DIR, and the check to work on next
    lab-progress.py hint N N.K WORKSHOP     the next hint of exercise N.K
"""

import re
import sys
from pathlib import Path

TOP = Path(__file__).resolve().parent.parent
FIELDS = ["status", "id", "what", "expected", "seen", "hint", "book", "exercises", "looks"]


def parse(lines):
    checks = []
    for line in lines:
        values = line.rstrip("\n").split("\x1f")
        check = dict(zip(FIELDS, values + [""] * (len(FIELDS) - len(values))))
        check["exercises"] = [e for e in check["exercises"].split(",") if e]
        checks.append(check)
    return checks


def exercises(chapter):
    """(id, task, [hints]) of every exercise in chapter N's reference code,
    as scripts/exercise reads them."""
    import importlib.machinery
    import importlib.util

    loader = importlib.machinery.SourceFileLoader("exercise", str(TOP / "scripts/exercise"))
    tool = importlib.util.module_from_spec(importlib.util.spec_from_loader("exercise", loader))
    loader.exec_module(tool)
    return [(ex, task, hints) for ex, task, hints, _, _ in tool.exercises(tool.chapter_dir(chapter))]


def lines():
    for c in sorted(parse(sys.stdin), key=lambda c: c["id"]):
        if c["status"] == "PASS":
            print(f"  PASS {c['id']}: {c['what']}")
        elif c["status"] == "SKIP":
            print(f"  SKIP {c['id']}: {c['what']} (needs root)")
        else:
            print(f"  FAIL {c['id']}: {c['what']} | expected {c['expected']} | seen {c['seen']}"
                  f" | hint: {c['hint']} | read: book/src/{c['book']}")
            if c["looks"]:
                print(f"       looks at: {c['looks']}")
            if c["exercises"]:
                print(f"       exercises: {', '.join(c['exercises'])}")


def total(chapter, report):
    checks = parse(Path(report).read_text().splitlines())
    passed = sum(c["status"] == "PASS" for c in checks)
    print(f"lab {chapter}: {passed} passed, {len(checks) - passed} failed")
    return 0 if passed == len(checks) else 1


def unwritten(workshop):
    """The exercises whose todo!() is still in the learner's crate."""
    left = set()
    for path in Path(workshop).rglob("*.rs"):
        if "target" not in path.parts:
            left.update(re.findall(r'todo!\("(\d+\.\d+):', path.read_text(errors="replace")))
    return left


def progress(chapter, report, workshop):
    """An exercise is done when its todo!() is gone and every check that
    needs it passes, leaving out the checks that also need an exercise
    still to write."""
    checks = [c for c in parse(Path(report).read_text().splitlines()) if c["id"].startswith(f"ch{chapter:02d}/")]
    found = exercises(chapter)
    left = unwritten(workshop)
    done = []
    print()
    for ex, task, _ in found:
        needing = [c for c in checks if ex in c["exercises"]]
        ready = [c for c in needing if not (set(c["exercises"]) - {ex}) & left]
        failing = [c["id"] for c in ready if c["status"] != "PASS"]
        if ex in left:
            mark, why = " ", ""
        elif failing:
            mark, why = "!", f"  (written; failing: {', '.join(failing)})"
        elif not ready:
            waits = sorted({e for c in needing for e in c["exercises"]} & left)
            mark, why = "~", f"  (written; its checks also need {', '.join(waits)})"
        else:
            mark, why = "x", ""
            done.append(ex)
        print(f"  [{mark}] {ex} {task}{why}")
    print(f"chapter {chapter}: {len(done)} of {len(found)} exercises done")
    failures = [c for c in checks if c["status"] != "PASS"]
    if not failures:
        print(f"every check of chapter {chapter} passes: on to chapter {chapter + 1}")
        return 0
    order = {ex: i for i, (ex, _, _) in enumerate(found)}

    def first_open(c):
        open_ones = [order[e] for e in c["exercises"] if e in order and e not in done]
        return (min(open_ones) if open_ones else len(order), c["id"])

    c = min(failures, key=first_open)
    todo = [e for e in c["exercises"] if e not in done]
    seen = c["seen"] if len(c["seen"]) < 600 else c["seen"][:600] + " ..."
    print()
    print(f"next: {c['id']} ({c['what']})" + (f", which needs exercise {', '.join(todo)}" if todo else ""))
    print(f"  looks at: {c['looks']}")
    print(f"  expected: {c['expected']}")
    print(f"  seen:     {seen}")
    if m := re.search(r"not yet implemented: (\d+\.\d+):", c["seen"]):
        print(f"  todo:     exercise {m[1]} is still todo!() in your crate")
    print(f"  hint:     {c['hint']}")
    if todo:
        print(f"  more:     scripts/lab {chapter} --hint {todo[0]}")
    print(f"  read:     book/src/{c['book']}")
    return 1


def hint(chapter, ex, workshop):
    found = exercises(chapter)
    task, hints = next(((t, h) for e, t, h in found if e == ex), (None, []))
    if task is None:
        known = ", ".join(e for e, _, _ in found)
        print(f"lab: chapter {chapter} has no exercise {ex} (it has {known})", file=sys.stderr)
        return 2
    state = Path(workshop) / ".hints"
    shown = {}
    if state.exists():
        for line in state.read_text().splitlines():
            k, _, n = line.partition(" ")
            shown[k] = int(n or 0)
    n = min(shown.get(ex, 0) + 1, len(hints))
    shown[ex] = n
    if state.parent.is_dir():
        state.write_text("".join(f"{k} {v}\n" for k, v in sorted(shown.items())))
    print(f"exercise {ex}: {task}")
    for i, h in enumerate(hints[:n], 1):
        print(f"  hint {i} of {len(hints)}: {h}")
    if n == len(hints):
        print("  that was the last hint: the answer is in the chapter's code section of the book")
    else:
        print(f"  (again for hint {n + 1}: scripts/lab {chapter} --hint {ex})")
    return 0


def main():
    mode = sys.argv[1]
    if mode == "lines":
        return lines()
    if mode == "total":
        return total(int(sys.argv[2]), sys.argv[3])
    if mode == "progress":
        return progress(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    if mode == "hint":
        return hint(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    return 2


if __name__ == "__main__":
    sys.exit(main() or 0)
