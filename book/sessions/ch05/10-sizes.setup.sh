# Before 10-sizes.sh: one static program on three bases, to measure. The Debian
# base is a debootstrap --variant=minbase of bookworm (what debian:slim is
# made from), cached in target/book-cache; busybox is the base above; the
# third has nothing but the program (distroless's "static" idea).
debian=target/book-cache/debian-minbase
if [ ! -e "$debian/.done" ]; then
    command -v debootstrap >/dev/null || apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
    rm -rf "$debian" "$debian.tmp"
    mkdir -p "$(dirname "$debian")"
    debootstrap --variant=minbase bookworm "$debian.tmp" http://deb.debian.org/debian >/dev/null
    rm -rf "$debian.tmp"/var/cache/apt/archives/*.deb "$debian.tmp"/var/lib/apt/lists/*
    mv "$debian.tmp" "$debian" && touch "$debian/.done"
fi
printf 'fn main() {\n    println!("hello from a static program");\n}\n' >"$work/hello.rs"
rustc -O -C target-feature=+crt-static -C strip=symbols -o "$work/hello" "$work/hello.rs"
(
    cd "$work"
    umoci new --image img:debian && umoci unpack --image img:debian d
    cp -a "$OLDPWD/$debian"/. d/rootfs/ && rm -f d/rootfs/.done && umoci repack --image img:debian d && rm -rf d
    umoci new --image img:scratch-hello && umoci unpack --image img:scratch-hello s
    cp hello s/rootfs/hello && umoci repack --image img:scratch-hello s && rm -rf s
    umoci config --image img:scratch-hello --config.cmd /hello
) >/dev/null
