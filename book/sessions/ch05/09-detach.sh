## Detached: run -d, ps, logs, stop (sleep as PID 1 ignores SIGTERM).
ch05-overlay --store $STORE run -d --net=none --name bg busybox sh -c 'echo started; exec sleep 60'
ch05-overlay --store $STORE ps
ch05-overlay --store $STORE logs bg
time ch05-overlay --store $STORE --explain stop --time 2 bg
ch05-overlay --store $STORE ps; ch05-overlay --store $STORE rm bg
