# Chapter 7's sessions: burrow, by its short name. Each session makes its
# own bundle, on the page.
cargo build -q -p burrow
