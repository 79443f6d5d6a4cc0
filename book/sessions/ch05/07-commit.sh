#!ch05_host
## Commit, and the same changes committed twice.
ch05-overlay run --name c2 busybox sh -c 'echo hi > /hi; rm /bin/ls'
ch05-overlay --explain commit c2 withhi 2>&1 | grep -v verify
ch05-overlay run --rm withhi sh -c 'cat /hi; ls /bin/ls'
ch05-overlay run --name c3 busybox sh -c 'echo hi > /hi; rm /bin/ls'
ch05-overlay --explain commit c3 again 2>&1 | grep layer
ch05-overlay images
