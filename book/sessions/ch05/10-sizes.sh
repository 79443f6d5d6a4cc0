#!ch05_host
## One static program on three bases: Debian's minbase (made once with
## debootstrap, see the page), busybox, and nothing.
printf 'fn main() {\n    println!("hello from a static program");\n}\n' >target/hello.rs
rustc -O -C target-feature=+crt-static -C strip=symbols -o target/hello target/hello.rs; ls -l target/hello | cut -d' ' -f5-
umoci new --image target/img:debian && umoci unpack --image target/img:debian target/d
cp -a target/debian-minbase/. target/d/rootfs/ && umoci repack --image target/img:debian target/d && rm -rf target/d
umoci new --image target/img:scratch-hello && umoci unpack --image target/img:scratch-hello target/s
cp target/hello target/s/rootfs/hello && umoci repack --image target/img:scratch-hello target/s && rm -rf target/s
umoci config --image target/img:scratch-hello --config.cmd /hello
S=$(mktemp -d); ch05-overlay --store $S import target/img:debian debian >/dev/null; ch05-overlay --store $S import target/img:base busybox >/dev/null
ch05-overlay --store $S run --net=none --name d debian sh -c 'cat > /hello; chmod +x /hello' <target/hello; ch05-overlay --store $S commit d debian-hello
ch05-overlay --store $S run --net=none --name b busybox sh -c 'cat > /hello; chmod +x /hello' <target/hello; ch05-overlay --store $S commit b busybox-hello
ch05-overlay --store $S import target/img:scratch-hello scratch-hello
ch05-overlay --store $S images
for i in debian-hello busybox-hello scratch-hello; do ch05-overlay --store $S run --rm --net=none $i /hello; done
du -sh $S/layers/* | sort -h
ch05-overlay --store $S run --rm --net=none debian sh -c 'dpkg-query -W | head -4; dpkg-query -W | wc -l'
ch05-overlay --store $S run --rm --net=none busybox ls /var/lib/dpkg
