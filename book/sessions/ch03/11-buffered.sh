## Writes under io.max, direct and buffered: on v2 the kernel charges the
## writeback of a dirty page to the cgroup that dirtied it.
truncate -s 256M /tmp/disk.img && DEV=$(losetup --find --show /tmp/disk.img) && mkfs.ext4 -q $DEV && mkdir -p /mnt/disk && mount $DEV /mnt/disk; echo $DEV
time ch03-cgroups --device-write-bps $DEV:4M -- dd if=/dev/zero of=/mnt/disk/direct bs=1M count=16 oflag=direct status=none
time ch03-cgroups --device-write-bps $DEV:4M -- dd if=/dev/zero of=/mnt/disk/buffered bs=1M count=16 status=none
time ch03-cgroups --device-write-bps $DEV:4M -- dd if=/dev/zero of=/mnt/disk/synced bs=1M count=16 conv=fsync status=none
time umount /mnt/disk
losetup -d $DEV; rm /tmp/disk.img
