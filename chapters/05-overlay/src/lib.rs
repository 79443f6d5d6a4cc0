//! Chapter 5: images.
//!
//! A container's root filesystem is an *image*: read-only layers stacked by
//! overlayfs ([`overlay`]) under a writable layer of the container's own,
//! where deletions are whiteouts ([`whiteout`]) and changes can be listed
//! ([`diff`]). Images travel as OCI image layouts ([`layout`]): blobs named
//! by their digest ([`digest`]), unpacked with care ([`unpack`]) into a store
//! where a layer shared by several images exists once ([`store`]).

pub mod commit;
pub mod config;
pub mod container;
pub mod detach;
pub mod diff;
pub mod digest;
pub mod layout;
pub mod overlay;
pub mod prune;
pub mod registry;
pub mod store;
pub mod unpack;
pub mod whiteout;

pub use container::Containers;
