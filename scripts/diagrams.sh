#!/usr/bin/env bash
# Draw the book's pictures: each book/diagrams/NAME.dot (Graphviz, a text
# file to edit) becomes book/src/img/NAME.svg, which the pages include.
#
#   scripts/diagrams.sh          redraw them
#   scripts/diagrams.sh --check  exit 1 if an SVG is missing or out of date
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
command -v dot >/dev/null || { echo "diagrams.sh: needs Graphviz's dot (apt-get install graphviz)" >&2; exit 1; }
mkdir -p book/src/img
stale=0
for source in book/diagrams/*.dot; do
    svg=book/src/img/$(basename "$source" .dot).svg
    drawn=$(dot -Tsvg "$source")
    if [ "${1:-}" = --check ]; then
        if [ ! -f "$svg" ] || [ "$drawn" != "$(cat "$svg")" ]; then
            echo "book: $svg is not what $source draws: run scripts/diagrams.sh"
            stale=1
        fi
    else
        printf '%s\n' "$drawn" >"$svg"
    fi
done
exit "$stale"
