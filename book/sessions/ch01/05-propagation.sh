#!unshare --mount --propagation shared
## A systemd host makes / shared; this one does not, so the session runs in a
## scratch mount namespace whose mounts are shared, like the lab VM's.
findmnt -no PROPAGATION /
unshare --mount --propagation unchanged mount -t tmpfs leaked /mnt
findmnt -no SOURCE,FSTYPE /mnt
umount /mnt
ch01-unshare --mount -- mount -t tmpfs contained /mnt
findmnt -no SOURCE,FSTYPE /mnt || echo "nothing mounted on /mnt"
