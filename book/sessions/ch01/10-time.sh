cat /proc/uptime
ch01-unshare --time --boottime 86400 -- sh -c 'cat /proc/uptime; cat /proc/self/timens_offsets'
ch01-unshare --time --boottime -$(cut -d. -f1 /proc/uptime) -- cat /proc/uptime
ch01-unshare --time --boottime -$(cut -d. -f1 /proc/uptime) -- date +%F; date +%F
ch01-unshare --boottime -99999999 -- true
