## Untag, then mark and sweep.
ch05-overlay --store $STORE ps
ch05-overlay --store $STORE rmi withhi; ch05-overlay --store $STORE rmi again; ch05-overlay --store $STORE rmi second
ch05-overlay --store $STORE --explain prune
ch05-overlay --store $STORE images; ls $STORE/layers
