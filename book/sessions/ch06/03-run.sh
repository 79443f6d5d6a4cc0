#cd "${0%/*}/demo"
#python3 -c 'import json; c = json.load(open("config.json")); c["process"]["args"] = ["sh", "-c", "hostname; exit 3"]; json.dump(c, open("config.json", "w"))'
ch06-runtime run demo --bundle .; echo "exit $?"
ch06-runtime --debug run demo --bundle . 2>&1 | grep -E 'clone|uid_map|cgroup.procs|pivot_root|exec fifo|open\(|rmdir .*/demo$' | head -12
