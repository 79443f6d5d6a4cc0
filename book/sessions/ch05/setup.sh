# Chapter 5's images are made by umoci from the busybox rootfs, as the lab
# checks make theirs: `base` (one layer; Cmd sh, Env GREETING=hello) and
# `second` (base plus a layer that deletes /bin/ls and adds /hello), in
# $IMG=$work/img. The store is $STORE=$work/store. The sessions share the
# store, in order. Digests depend on the files' times, so each distinct
# digest is shown as a label, <digest-1>, <digest-2>, ... (the same digest,
# the same label, across the chapter).
cargo build -q -p ch05-overlay
img=$work/img
rootfs=$(scripts/rootfs.sh)
(
    cd "$work"
    umoci init --layout img
    umoci new --image img:base
    umoci unpack --image img:base b
    cp -a "$rootfs"/. b/rootfs/
    umoci repack --image img:base b
    rm -rf b
    umoci config --image img:base --config.cmd sh --config.env GREETING=hello
    umoci unpack --image img:base b
    rm b/rootfs/bin/ls
    echo hello >b/rootfs/hello
    umoci repack --image img:second b
    rm -rf b
) >/dev/null
export IMG=$img STORE=$work/store

# Pull: a registry on 127.0.0.1:5099, filled by skopeo, stopped at the end.
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s/registry\nhttp:\n  addr: 127.0.0.1:5099\n' \
    "$work" >"$work/registry.yml"
export REGISTRY_CONFIG=$work/registry.yml
