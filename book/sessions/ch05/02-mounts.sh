#!ch05_host
ch05-overlay --explain run --rm busybox sh -c 'grep " / / " /proc/self/mountinfo' 2>&1 | grep -E 'overlay|pivot'
grep -c overlay /proc/self/mountinfo
