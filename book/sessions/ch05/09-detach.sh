#!ch05_host
## Detached: run -d, ps, logs, stop (sleep as PID 1 ignores SIGTERM).
ch05-overlay run -d --net=none --name bg busybox sh -c 'echo started; exec sleep 60'
ch05-overlay ps
ch05-overlay logs bg
time ch05-overlay --explain stop --time 2 bg
ch05-overlay ps; ch05-overlay rm bg
