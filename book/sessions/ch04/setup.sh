# Chapter 4's sessions each run in a scratch network namespace of their own
# that plays the host (`ip netns add burrow-book-...`, lo up), with a
# private tmpfs on /run, so burrow0, the veth pairs and /run/burrow exist
# only there and go away with it: the machine's own network and its /run
# are never touched. A session names its host in its first line,
# `#!ch04_host`.
cargo build -q -p ch04-veth

ch04_ns=""
at_exit+=('[ -z "$ch04_ns" ] || ip netns del "$ch04_ns" 2>/dev/null')
# ch04_host CMD...: run CMD as the "host" of a session, in a new scratch
# network namespace, deleted afterwards.
ch04_host() {
    ch04_ns=burrow-book-$$
    ip netns add "$ch04_ns"
    ip netns exec "$ch04_ns" ip link set lo up
    local status=0
    # shellcheck disable=SC2016 # the inner sh expands its own "$@"
    ip netns exec "$ch04_ns" unshare --mount --propagation private \
        sh -c 'mount -t tmpfs burrow-run /run && exec "$@"' sh "$@" || status=$?
    ip netns del "$ch04_ns"
    ch04_ns=""
    return "$status"
}
