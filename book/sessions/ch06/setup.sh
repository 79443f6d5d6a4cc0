# Chapter 6's sessions: ch06-runtime, by its short name. Each session makes
# its own bundle, on the page.
cargo build -q -p ch06-runtime
