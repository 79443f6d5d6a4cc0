#!/usr/bin/env bash
# Check the book, and print one line per problem:
#   (a) every {{#include FILE}} and {{#include FILE:ANCHOR}} in book/src names a
#       file that exists and, with an anchor, has `ANCHOR: name` and
#       `ANCHOR_END: name` with text between them (mdBook quietly includes
#       nothing for a misspelled anchor);
#   (b) every relative link in book/src, `](page.md)` or `](page.md#id)`,
#       names a file that exists and a heading that makes that id;
#   (c) every lab check's `book: "page.md#id"` (chapters/*/tests/*.rs) does too;
#   (d) `mdbook build book` succeeds and prints no WARN or ERROR line;
#   (e) every output/CHAPTER-NAME.txt a page includes is made by a session,
#       book/sessions/CHAPTER/NN-NAME.sh, and the output normaliser's tests
#       (book/sessions/test_normalise.py) pass;
#   (f) no page calls a chapter unwritten or talks about the book's own
#       making ("the development machine", "an earlier version of this");
#   (g) no session runs a command the page does not show, but the lines that
#       note a pid for the normaliser;
#   (h) every book/src/img/NAME.svg is what book/diagrams/NAME.dot draws
#       (scripts/diagrams.sh);
#   (i) every built page renders in headless Chromium, and its images load
#       (scripts/check-pages.sh);
#   (j) the prose after an output quotes no number the output masks.
#
#   scripts/check-book.sh        exit 0 when the book is clean
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
export PATH="$HOME/.cargo/bin:$PATH"

# (a), (b), (c): mdBook's own rules, in a few lines of Python.
command -v python3 >/dev/null || { echo "check-book.sh: needs python3 (apt-get install python3)" >&2; exit 1; }
problems=0
python3 - <<'PY' || problems=1
import glob, os, re, sys

SRC = "book/src"
problems = []
ids_cache = {}

def strip_fences(text):
    """The text with fenced code blocks blanked (a `#` there is no heading)."""
    out, fence = [], None
    for line in text.split("\n"):
        m = re.match(r"\s*(```+|~~~+)", line)
        if fence is None and m:
            fence = m.group(1)[0] * 3
            out.append("")
        elif fence is not None:
            if line.strip().startswith(fence):
                fence = None
            out.append("")
        else:
            out.append(line)
    return "\n".join(out)

def heading_ids(page):
    """The ids mdBook gives the headings of `page`: the heading's text,
    lowercased, spaces to '-', all but letters, digits, '_' and '-' dropped;
    a repeated id gets -1, -2, ..."""
    if page not in ids_cache:
        ids, seen = set(), {}
        with open(page) as f:
            text = strip_fences(f.read())
        for m in re.finditer(r"^#{1,6}\s+(.*?)\s*#*\s*$", text, re.M):
            title = m.group(1)
            custom = re.search(r"\{#([\w-]+)[^}]*\}\s*$", title)
            if custom:
                ids.add(custom.group(1))
                continue
            title = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", title)  # links -> text
            title = re.sub(r"<[^>]+>|[`*]", "", title)                # tags, code, emphasis
            base = "".join(
                "-" if c.isspace() else c.lower()
                for c in title
                if c.isalnum() or c in "_-" or c.isspace()
            )
            n = seen.get(base, 0)
            seen[base] = n + 1
            ids.add(base if n == 0 else f"{base}-{n}")
        ids_cache[page] = ids
    return ids_cache[page]

def check_target(where, target, base_dir):
    """`target` is `file`, `file#id` or `#id`; `where` is the page it is on."""
    path, _, anchor = target.partition("#")
    page = os.path.normpath(os.path.join(base_dir, path)) if path else where
    if not os.path.isfile(page):
        problems.append(f"{where}: {target}: no such file {page}")
    elif anchor and page.endswith(".md") and anchor not in heading_ids(page):
        problems.append(f"{where}: {target}: no heading in {page} makes the id #{anchor}")

for page in sorted(glob.glob(f"{SRC}/**/*.md", recursive=True)):
    text = open(page).read()
    here = os.path.dirname(page)
    # (a) includes
    for m in re.finditer(r"\{\{#(?:rustdoc_)?include\s+([^}\s]+)\s*\}\}", text):
        spec = m.group(1)
        path, _, anchor = spec.partition(":")
        file = os.path.normpath(os.path.join(here, path))
        if not os.path.isfile(file):
            problems.append(f"{page}: include {spec}: no such file {file}")
            continue
        output = re.fullmatch(r"output/([a-z0-9]+)-([\w-]+)\.txt", path)
        if output and not glob.glob(f"book/sessions/{output.group(1)}/[0-9]*-{output.group(2)}.sh"):
            problems.append(f"{page}: include {spec}: no session book/sessions/{output.group(1)}/NN-{output.group(2)}.sh makes it")
        if not anchor or re.fullmatch(r"[\d:]*", anchor):
            continue  # a whole file, or a line range
        lines = open(file).read().split("\n")
        start = [i for i, l in enumerate(lines) if re.search(rf"ANCHOR:\s*{re.escape(anchor)}\b", l)]
        end = [i for i, l in enumerate(lines) if re.search(rf"ANCHOR_END:\s*{re.escape(anchor)}\b", l)]
        if not start or not end:
            problems.append(f"{page}: include {spec}: no `ANCHOR: {anchor}` / `ANCHOR_END: {anchor}` pair in {file}")
            continue
        body = [l for l in lines[start[0] + 1 : end[0]] if "ANCHOR" not in l and l.strip()]
        if not body:
            problems.append(f"{page}: include {spec}: the anchor {anchor} in {file} holds no text")
    # (b) links (outside code blocks and inline code)
    prose = re.sub(r"`[^`\n]*`", "", strip_fences(text))
    for m in re.finditer(r"\]\(([^)\s]+)\)", prose):
        target = m.group(1)
        if re.match(r"[a-z][a-z0-9+.-]*:", target):
            continue  # http:, https:, mailto: ...
        check_target(page, target, here)

# (f) pages for the reader: no chapter called unwritten, nothing about how
# the book was made or measured
ABOUT_US = [r"\bnot (?:yet )?written\b", r"chapter \d+, in progress", r"\bdevelopment machine\b",
            r"\ban earlier version of this\b", r"\bonce in (?:twenty|\d+)(?: runs)?\b", r"\bone run in \w+\b"]
for page in sorted(glob.glob(f"{SRC}/*.md")):
    prose = strip_fences(open(page).read())
    for n, line in enumerate(prose.split("\n"), 1):
        for pattern in ABOUT_US:
            if re.search(pattern, line, re.I):
                problems.append(f"{page}:{n}: about the book, not for the reader: {line.strip()[:80]}")

# (g) a session hides nothing from the reader: the only lines it runs
# without showing them note a pid for the normaliser
for session in sorted(glob.glob("book/sessions/*/[0-9]*.sh")):
    for n, line in enumerate(open(session), 1):
        line = line.rstrip("\n")
        if not line.startswith("#") or line.startswith("##") or (n == 1 and line.startswith("#!")):
            continue
        if not re.fullmatch(r'#echo "\w+ \$\w+" >>\$0\.pids', line):
            problems.append(f"{session}:{n}: a hidden command (a reader would not see it run): {line[:80]}")

# (j) the text does not ask for a number its output hides: a counter an
# output masks as `NAME #` is not quoted with a value in the prose after it
for page in sorted(glob.glob(f"{SRC}/*.md")):
    text = open(page).read()
    for m in re.finditer(r"\{\{#include output/([\w-]+\.txt)\}\}\s*```\n(.*?)(?=\n```|\n#|\Z)", text, re.S):
        output = os.path.join(SRC, "output", m.group(1))
        if not os.path.isfile(output):
            continue
        masked = set(re.findall(r"^(\w+) #$", open(output).read(), re.M))
        for name in masked:
            quoted = re.search(rf"`?{re.escape(name)}`?\s*(?:is\s+|=\s*|of\s+)?\d", m.group(2))
            if quoted:
                problems.append(f"{page}: the text after output/{m.group(1)} quotes {name} with a number, which the output shows as '#'")

# (c) the lab checks' book sections
for test in sorted(glob.glob("chapters/*/tests/*.rs")):
    for n, line in enumerate(open(test), 1):
        for m in re.finditer(r'\bbook:\s*"([^"]*)"', line):
            check_target(f"{test}:{n}", m.group(1), SRC)

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
PY

# (e) the normaliser's own tests
if ! tests=$(PYTHONDONTWRITEBYTECODE=1 python3 -m unittest discover -s book/sessions 2>&1); then
    echo "book: book/sessions/test_normalise.py failed:"
    sed 's/^/  /' <<<"$tests"
    problems=1
fi

# (d) the build itself
if ! command -v mdbook >/dev/null; then
    echo "check-book.sh: installing mdbook" >&2
    cargo install --locked mdbook
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! mdbook build book >"$log" 2>&1; then
    echo "book: mdbook build book failed:"
    sed 's/^/  /' "$log"
    problems=1
elif grep -E '\b(WARN|ERROR)\b' "$log"; then
    problems=1
fi

# (h) the pictures are what their sources draw, and (i) every built page
# renders in a real browser with its images (Chromium; CI installs it)
scripts/diagrams.sh --check || problems=1
if command -v chromium >/dev/null || [ "${CI:-}" = true ]; then
    scripts/check-pages.sh || problems=1
else
    echo "check-book.sh: no Chromium here (apt-get install chromium): the pages were not opened in a browser" >&2
fi

if [ "$problems" != 0 ]; then
    echo "check-book.sh: the book has problems (above)" >&2
    exit 1
fi
echo "check-book.sh: the book is clean (includes, links, lab sections, sessions, the normaliser's tests, mdbook build, pictures, pages in a browser)"
