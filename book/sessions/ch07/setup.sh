# Chapter 7's sessions: burrow, and the default container (burrow spec's
# config.json, in a bundle of its own, $work/demo7).
cargo build -q -p burrow
scripts/bundle.sh "$(command -v burrow)" "$work/demo7" sh -c 'exec sleep 1000'
