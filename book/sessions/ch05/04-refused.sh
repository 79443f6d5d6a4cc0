#!ch05_host
## A copy of the image with one byte of its layer changed.
bad=$(mktemp -d)/img; cp -a target/img $bad
LAYER=$(ls -S $bad/blobs/sha256 | head -1); printf 'X' | dd of=$bad/blobs/sha256/$LAYER bs=1 seek=1000 conv=notrunc status=none
S=$(mktemp -d); ch05-overlay --store $S import $bad:base busybox; echo "exit $?"
ls $S/layers | wc -l
