# Chapter 1's sessions: ch01-unshare, by its short name.
cargo build -q -p ch01-unshare
