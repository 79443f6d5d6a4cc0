#!/usr/bin/env bash
# Open every page of the built book (book/book, from `mdbook build book`) in
# headless Chromium, and print one line per page that did not render or has
# an image that did not load. Exit 1 if there is one.
#
#   scripts/check-pages.sh
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top/book/book"
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "check-pages.sh: needs Chromium (apt-get install chromium)" >&2; exit 1; }
pages=$(find . -maxdepth 1 -name '*.html' ! -name 'print.html' ! -name '404.html' ! -name 'toc.html' -printf '"%f",' | sort)
checker=$(mktemp --tmpdir="$PWD" .check-pages.XXXXXX.html)
profile=$(mktemp -d)
trap 'rm -rf "$checker" "$profile"' EXIT
# Each page loads in an iframe (file:// pages may read each other with
# --allow-file-access-from-files); an image counts as loaded when the
# browser decoded it (naturalWidth > 0).
cat >"$checker" <<HTML
<!doctype html><meta charset="utf-8"><pre id="out"></pre><script>
const pages = [${pages%,}];
(async () => {
  const lines = [];
  for (const page of pages) {
    const frame = document.createElement("iframe");
    frame.src = page;
    document.body.appendChild(frame);
    await new Promise(done => { frame.onload = done; });
    const doc = frame.contentDocument;
    await Promise.all([...doc.images].map(i => i.complete ? null : new Promise(done => { i.onload = i.onerror = done; })));
    const text = (doc.querySelector("main") || doc.body).textContent.trim();
    const broken = [...doc.images].filter(i => !(i.naturalWidth > 0)).map(i => i.getAttribute("src"));
    lines.push(page + " " + (text.length > 200 ? "rendered" : "EMPTY") + " images=" + doc.images.length + " broken=" + (broken.join(",") || "none"));
    frame.remove();
  }
  document.getElementById("out").textContent = lines.join("\n") + "\nDONE";
})();
</script>
HTML
dom=$("$browser" --headless=new --no-sandbox --disable-gpu --user-data-dir="$profile" \
    --allow-file-access-from-files --virtual-time-budget=60000 --dump-dom "file://$checker" 2>/dev/null)
report=$(sed -n '/<pre id="out">/,/DONE/p' <<<"$dom" | sed 's/<[^>]*>//g')
grep -q DONE <<<"$report" || { echo "check-pages.sh: Chromium did not finish the pages"; exit 1; }
count=$(grep -c ' rendered images=' <<<"$report" || true)
images=$(sed -nE 's/.* images=([0-9]+) .*/\1/p' <<<"$report" | awk '{n += $1} END {print n + 0}')
if grep -E ' EMPTY | broken=[^n]' <<<"$report"; then
    echo "check-pages.sh: pages above did not render, or have images that did not load"
    exit 1
fi
echo "check-pages.sh: $count pages rendered in Chromium, $images images loaded"
