ch05-overlay --store $STORE run --name c1 busybox sh -c 'echo $GREETING; echo new > /new; echo more >> /etc/passwd; rm /bin/ls; ls /bin/ls'
ch05-overlay --store $STORE diff c1
ls -l $STORE/containers/c1/upper/bin $STORE/containers/c1/upper/etc
tail -1 $STORE/containers/c1/upper/etc/passwd; tail -1 $STORE/layers/*/etc/passwd; ls $STORE/layers/*/bin/ls
ch05-overlay --store $STORE rm c1
