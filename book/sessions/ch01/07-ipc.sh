#!unshare --ipc
## In a scratch IPC namespace, so the host's own queues do not show.
ipcmk -Q
ipcs -q
ch01-unshare --ipc -- ipcs -q
