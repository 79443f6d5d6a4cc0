## A container in the host's mount namespace (a copy of the demo bundle).
#cd "${0%/*}"; cp -a demo hostmnt; cd hostmnt
python3 -c 'import json; c = json.load(open("config.json")); c["linux"]["namespaces"] = [{"type": "pid"}]; del c["hostname"]; json.dump(c, open("config.json", "w"))'
ch06-runtime create hostmnt --bundle .; echo "exit $?"
python3 -c 'import json; c = json.load(open("config.json")); del c["linux"]["maskedPaths"], c["linux"]["readonlyPaths"]; c["root"]["readonly"] = False; json.dump(c, open("config.json", "w"))'
ch06-runtime create hostmnt --bundle . >out.txt 2>&1 </dev/null; echo "exit $?"
grep "$PWD/rootfs" /proc/self/mountinfo | cut -d" " -f5,9 | grep -v fs/cgroup
ch06-runtime exec hostmnt ls /
ch06-runtime delete --force hostmnt
grep -c "$PWD/rootfs" /proc/self/mountinfo
