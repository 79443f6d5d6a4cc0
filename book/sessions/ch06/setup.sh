# Chapter 6's sessions: ch06-runtime, and a bundle with a busybox rootfs in
# $work/demo (scripts/bundle.sh); the sessions keep their state under $work.
cargo build -q -p ch06-runtime
scripts/bundle.sh "$(command -v ch06-runtime)" "$work/demo" sh -c 'echo hello from $(hostname), pid $$; exec sleep 1000'
