#cd "${0%/*}" && cp -a $IMG bad
LAYER=$(ls -S bad/blobs/sha256 | head -1); printf 'X' | dd of=bad/blobs/sha256/$LAYER bs=1 seek=1000 conv=notrunc status=none
ch05-overlay --store store2 import bad:base busybox; echo "exit $?"
ls store2/layers | wc -l
