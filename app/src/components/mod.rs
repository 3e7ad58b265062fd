//! Pieces shared by several pages.
pub mod error;
pub mod graph;
pub mod header;
pub mod send_form;
pub mod text;
