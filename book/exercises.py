#!/usr/bin/env python3
"""mdBook preprocessor: the listings are the chapters' tested sources, which
mark the learner's exercises with `// EXERCISE N.K: task`, `// HINT: ...`
and `// END EXERCISE` (scripts/exercise). The book keeps the EXERCISE and
END lines, which show where each exercise is, and drops the hints, which
`scripts/lab N --hint N.K` gives one at a time."""

import json
import re
import sys

HINT = re.compile(r"^[ \t]*// HINT: .*\n", re.M)


def strip(items):
    for item in items:
        chapter = item.get("Chapter") if isinstance(item, dict) else None
        if chapter:
            chapter["content"] = HINT.sub("", chapter["content"])
            strip(chapter["sub_items"])


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "supports":
        sys.exit(0)
    context, book = json.load(sys.stdin)
    strip(book.get("sections") or book.get("items") or [])
    json.dump(book, sys.stdout)
