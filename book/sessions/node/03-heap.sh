## A growing heap under a 128 MiB limit: the kernel's kill, then V8's own limit below it.
out=$(mktemp)
ch03-cgroups --rootfs target/burrow-rootfs/node --memory 128M -- node -e 'const a = []; for (;;) a.push(new Array(1e5).fill(1))' >$out 2>&1; echo "exit $?"; grep -E '^exit code|^memory' $out
ch03-cgroups --rootfs target/burrow-rootfs/node --memory 128M -- node --max-old-space-size=48 -e 'const a = []; for (;;) a.push(new Array(1e5).fill(1))' >$out 2>&1; echo "exit $?"; grep -E 'FATAL ERROR|^exit code|^memory' $out
