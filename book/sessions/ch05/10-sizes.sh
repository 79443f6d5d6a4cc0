#cd "${0%/*}"
ls -l hello | cut -d' ' -f5-
ch05-overlay --store sizes import $IMG:debian debian >/dev/null; ch05-overlay --store sizes import $IMG:base busybox >/dev/null
ch05-overlay --store sizes run --net=none --name d debian sh -c 'cat > /hello; chmod +x /hello' <hello; ch05-overlay --store sizes commit d debian-hello
ch05-overlay --store sizes run --net=none --name b busybox sh -c 'cat > /hello; chmod +x /hello' <hello; ch05-overlay --store sizes commit b busybox-hello
ch05-overlay --store sizes import $IMG:scratch-hello scratch-hello
ch05-overlay --store sizes images
for i in debian-hello busybox-hello scratch-hello; do ch05-overlay --store sizes run --rm --net=none $i /hello; done
du -sh sizes/layers/* | sort -h
