ch05-overlay --store $STORE --explain run --rm busybox sh -c 'grep " / / " /proc/self/mountinfo' 2>&1 | grep -E 'overlay|pivot'
grep -c overlay /proc/self/mountinfo
