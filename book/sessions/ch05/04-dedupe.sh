ch05-overlay --store $STORE --explain import $IMG:second second 2>&1 | grep -E 'layer|unpacked'
du -s --apparent-size -h $STORE/layers/*
ls -l $STORE/layers/*/hello $STORE/layers/*/bin/ls
ch05-overlay --store $STORE run --rm second sh -c 'cat /hello; ls /bin/ls'
