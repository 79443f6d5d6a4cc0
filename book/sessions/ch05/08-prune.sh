#!ch05_host
## Untag, then mark and sweep.
ch05-overlay ps
ch05-overlay rmi withhi; ch05-overlay rmi again; ch05-overlay rmi second
ch05-overlay --explain prune
ch05-overlay images; ls /var/lib/burrow/layers
