//! One module per screen.
pub mod alarms;
pub mod auth;
pub mod cron;
pub mod home;
pub mod not_found;
pub mod placeholder;
pub mod team;

/// The sections of the product that are not built yet, as the navigation names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Schedules,
    LoadBalancers,
}
