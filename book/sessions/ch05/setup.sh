# Chapter 5's sessions share one store, the default /var/lib/burrow, and one
# image layout, target/img, which the first session makes; they run in page
# order. Each runs in a scratch mount namespace in which $work/store is
# bound on /var/lib/burrow, so the machine's own store is never touched
# (`#!ch05_host`). Digests depend on the files' times, so each distinct
# digest is shown as a label, <digest-1>, <digest-2>, ... (the same digest,
# the same label, across the chapter).
cargo build -q -p ch05-overlay
rm -rf target/img target/b target/d target/s
mkdir -p "$work/store"
if [ ! -d /var/lib/burrow ]; then
    mkdir -p /var/lib/burrow
    at_exit+=('rmdir /var/lib/burrow')
fi
at_exit+=('rm -rf target/img')
# ch05_host CMD...: run CMD with $work/store on /var/lib/burrow.
ch05_host() {
    # shellcheck disable=SC2016 # the inner sh expands its own "$@"
    unshare --mount --propagation private \
        sh -c 'mount --bind "$0" /var/lib/burrow && exec "$@"' "$work/store" "$@"
}

# The Debian base of 10-sizes.sh, as the page says to make it: a
# debootstrap --variant=minbase of bookworm (what debian:slim is made
# from), made once and kept in target/debian-minbase.
debian=target/debian-minbase
if [ ! -e "$debian.done" ]; then
    command -v debootstrap >/dev/null || apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
    rm -rf "$debian" "$debian.tmp"
    if [ -e target/book-cache/debian-minbase/.done ]; then
        mv target/book-cache/debian-minbase "$debian.tmp" && rm "$debian.tmp/.done"
    else
        debootstrap --variant=minbase bookworm "$debian.tmp" http://deb.debian.org/debian >/dev/null
        rm -rf "$debian.tmp"/var/cache/apt/archives/*.deb "$debian.tmp"/var/lib/apt/lists/*
    fi
    mv "$debian.tmp" "$debian" && touch "$debian.done"
fi
