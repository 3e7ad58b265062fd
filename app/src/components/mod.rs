//! Pieces shared by several pages.
pub mod error;
pub mod header;
