#!ch05_host
## The image's layout, and every step of an import, into an empty store.
cat target/img/index.json | tr ',' '\n' | grep -E 'digest|ref.name'
S=$(mktemp -d); ch05-overlay --store $S --explain import target/img:base busybox
ch05-overlay --store $S images
ls $S/layers; ls $S/layers/* | head -5
