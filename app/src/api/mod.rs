//! Server functions: the pages' way to the server. Each one checks the session, the role and
//! the input, then writes through `crate::db`. The bodies run on the server only; the browser
//! gets typed stubs that POST to `/api/fn/…`.
pub mod auth;
#[cfg(feature = "ssr")]
pub mod guard;
pub mod teams;

use crate::domain::IdentityError;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Everything a server function can answer instead of a result: what a person can act on,
/// never a debug string. `status()` is the one mapping to HTTP.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    #[error("Please log in.")]
    Unauthenticated,
    #[error("Your role in this team does not allow that.")]
    Forbidden,
    #[error("Not found.")]
    NotFound,
    #[error("{message}")]
    Invalid { field: String, message: String },
    #[error("The email or the password is wrong.")]
    WrongCredentials,
    #[error("Too many failed attempts. Try again in {retry_after_seconds} seconds.")]
    Throttled { retry_after_seconds: u64 },
    #[error("{0}")]
    Conflict(String),
    #[error("Something went wrong on the server. It has been logged; please try again.")]
    Internal,
    #[error("The request did not reach the server: {0}")]
    Transport(String),
}

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated | AppError::WrongCredentials => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Conflict(_) => 409,
            AppError::Invalid { .. } => 422,
            AppError::Throttled { .. } => 429,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }

    pub fn invalid(field: &str, error: IdentityError) -> Self {
        AppError::Invalid {
            field: field.to_owned(),
            message: error.to_string(),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::MissingArg(message) => {
                AppError::Invalid {
                    field: String::new(),
                    message,
                }
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "database error");
        AppError::Internal
    }
}

#[cfg(feature = "ssr")]
impl From<tower_sessions::session::Error> for AppError {
    fn from(error: tower_sessions::session::Error) -> Self {
        tracing::error!(%error, "session store error");
        AppError::Internal
    }
}

/// The signed-in person as the pages see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: uuid::Uuid,
    pub email: String,
    pub team_id: uuid::Uuid,
    pub team_name: String,
    pub role: crate::domain::Role,
}
