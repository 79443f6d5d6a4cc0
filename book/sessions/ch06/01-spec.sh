cd "$(mktemp -d)"
ch06-runtime spec && head -20 config.json
grep -E '"(type|destination)"' config.json | tr -d ' ,'
ch06-runtime spec; echo "exit $?"
