# Chapter 4's sessions each run in a scratch network namespace of their own
# that plays the host (`ip netns add burrow-book-...`, lo up), with a
# private tmpfs on /run, so burrow0, the veth pairs and /run/burrow exist
# only there and go away with it: the machine's own network and its /run
# are never touched. A session names its host in its first line:
# `#!ch04_host`, or `#!ch04_world` for a host with "the internet" behind it.
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

# ch04_world CMD...: ch04_host with "the internet" wired to it: a namespace
# at 192.0.2.2, behind the host's uplink 192.0.2.1, running a web server
# whose /cgi-bin/ip answers the address the request came from.
ch04_world() {
    mkdir -p "$work/internet/cgi-bin"
    echo 'hello from the internet' >"$work/internet/index.html"
    # shellcheck disable=SC2016 # the CGI script expands its own variable
    printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n%%s\\n" "$REMOTE_ADDR"\n' \
        >"$work/internet/cgi-bin/ip"
    chmod +x "$work/internet/cgi-bin/ip"
    # shellcheck disable=SC2016 # the inner sh expands its own variables
    ch04_host sh -c '
        ip netns add internet
        ip link add uplink type veth peer name eth0 netns internet
        ip addr add 192.0.2.1/24 dev uplink && ip link set uplink up
        ip netns exec internet sh -c "ip link set lo up; ip addr add 192.0.2.2/24 dev eth0; ip link set eth0 up"
        ip netns exec internet busybox httpd -f -p 80 -h "$0" & server=$!
        sleep 0.3
        "$@"; status=$?
        kill $server; wait $server 2>/dev/null; ip netns del internet
        exit $status' "$work/internet" "$@"
}
