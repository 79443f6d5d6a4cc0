#!ch05_host
## A second image: base plus a layer that deletes /bin/ls and adds /hello.
umoci unpack --image target/img:base target/b && rm target/b/rootfs/bin/ls && echo hello >target/b/rootfs/hello
umoci repack --image target/img:second target/b && rm -rf target/b
ch05-overlay --explain import target/img:second second 2>&1 | grep -E 'layer|unpacked'
du -s --apparent-size -h /var/lib/burrow/layers/*
ls -l /var/lib/burrow/layers/*/hello /var/lib/burrow/layers/*/bin/ls
ch05-overlay run --rm second sh -c 'cat /hello; ls /bin/ls'
