//! Server functions: the pages' way to the server. Each one checks the session, the role and
//! the input, then writes through `crate::db`. The bodies run on the server only; the browser
//! gets typed stubs that POST to `/api/fn/…`.
pub mod auth;
pub mod balancers;
#[cfg(feature = "ssr")]
pub mod guard;
pub mod resources;
pub mod teams;
pub mod when;

use crate::domain::IdentityError;
use crate::domain::alarm::AlarmError;
use crate::domain::aws::ConnectionError;
use crate::domain::topic::TopicError;
use leptos::server_fn::codec::Post;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Every server function answers in JSON: `#[server(…, output = crate::api::Json)]`.
pub type Json = Post<TextJson>;

/// The same JSON as server_fn's own `JsonEncoding`, read from text rather than from bytes.
/// A hydrating page reads each resource's data from text (`serde_json::from_str`); with
/// server_fn's encoding every answer type was compiled a second time for `from_slice`, and
/// the browser downloaded both. One reader keeps one copy.
pub struct TextJson;

impl ContentType for TextJson {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for TextJson {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for TextJson {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for TextJson {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text =
            std::str::from_utf8(&bytes).map_err(<serde_json::Error as serde::de::Error>::custom)?;
        serde_json::from_str(text)
    }
}

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
    /// `message` is `problem` in English, for API clients and logs; pages show `problem` in
    /// the reader's language.
    #[error("{message}")]
    Invalid {
        field: String,
        problem: Problem,
        message: String,
    },
    #[error("The email or the password is wrong.")]
    WrongCredentials,
    #[error("Too many failed attempts. Try again in {retry_after_seconds} seconds.")]
    Throttled { retry_after_seconds: u64 },
    /// Several fields of a form, each with its problem.
    #[error("{}", .errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" "))]
    InvalidForm { errors: Vec<FieldProblem> },
    #[error("{0}")]
    Conflict(Problem),
    #[error("{}", INTERNAL)]
    Internal,
    #[error("{}{}", TRANSPORT, .0)]
    Transport(String),
}

/// The English of the two failures [`AppError`] and [`ShellError`] share.
const INTERNAL: &str = "Something went wrong on the server. It has been logged; please try again.";
const TRANSPORT: &str = "The request did not reach the server: ";

impl AppError {
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated | AppError::WrongCredentials => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Conflict(_) => 409,
            AppError::Invalid { .. } | AppError::InvalidForm { .. } => 422,
            AppError::Throttled { .. } => 429,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }

    pub fn invalid(field: &str, problem: impl Into<Problem>) -> Self {
        let problem = problem.into();
        AppError::Invalid {
            field: field.to_owned(),
            message: problem.to_string(),
            problem,
        }
    }
}

/// What the two questions who is signed in (`whoami`) and in which teams (`my_teams`) answer
/// instead of a result. They can fail only as the server or the network does, so their
/// readers need not carry [`AppError`]'s, with the English text of every form's problems.
/// (The header asked them on every page, from the main module; it now shows the server's
/// HTML, see `components::header`. The team pages and the JSON API still ask `whoami`.)
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ShellError {
    #[error("{}", INTERNAL)]
    Internal,
    #[error("{}{}", TRANSPORT, .0)]
    Transport(String),
}

impl FromServerFnError for ShellError {
    type Encoder = TextJson;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        ShellError::Transport(value.to_string())
    }
}

/// On the server: the lookups behind them fail only with `Internal` (the database, the
/// session store); anything else would be a new failure of theirs, answered as one.
impl From<AppError> for ShellError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Transport(message) => ShellError::Transport(message),
            _ => ShellError::Internal,
        }
    }
}

impl From<ShellError> for AppError {
    fn from(error: ShellError) -> Self {
        match error {
            ShellError::Internal => AppError::Internal,
            ShellError::Transport(message) => AppError::Transport(message),
        }
    }
}

/// One form field's problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    pub field: String,
    pub problem: Problem,
    pub message: String,
}

impl FieldProblem {
    pub fn new(field: &str, problem: impl Into<Problem>) -> Self {
        let problem = problem.into();
        FieldProblem {
            field: field.to_owned(),
            message: problem.to_string(),
            problem,
        }
    }
}

/// What was wrong with a request, as a closed set that the server puts into words (see
/// `components::error`). The English text is the `Display`.
///
/// It goes over the wire in words, whatever it was ([`Said`], by the `Serialize` below), and
/// comes back as [`Problem::Said`]: a page shows it as it is, in either language, so the
/// browser's reader is that of two strings, not of every domain's errors with their texts.
/// Nothing reads a problem's kind from the wire: the JSON API sends `message` and `field`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// A problem as the server said it, in each of the UI's languages.
    #[error("{}", .0.en)]
    Said(Said),
    #[error(transparent)]
    Identity(#[from] IdentityError),
    #[error(transparent)]
    Connection(#[from] ConnectionError),
    #[error(transparent)]
    Alarm(#[from] AlarmError),
    #[error(transparent)]
    Topic(#[from] TopicError),
    #[error(transparent)]
    Rule(#[from] crate::domain::rule::RuleError),
    #[error(transparent)]
    Schedule(#[from] crate::domain::schedule::ScheduleError),
    #[error(transparent)]
    Balancer(#[from] crate::domain::balancer::BalancerError),
    #[error("The team has one of these named so already: choose another name.")]
    NameTaken,
    #[error("This is not in AWS yet: apply the plan first.")]
    NotApplied,
    #[error(
        "Someone changed this since you opened it. Reload to see their change, then edit again."
    )]
    Stale,
    #[error("The current password is wrong.")]
    CurrentPasswordWrong,
    #[error("Belfry has users already: ask an admin of your team for an invitation link.")]
    SignupClosed,
    #[error("This invitation has been used or has expired. Ask for a new one.")]
    InvitationUnusable,
    #[error("An account with this email exists: log in first, then open the link again.")]
    AccountExists,
    /// What is in AWS uses properties Belfry does not manage yet (their names, as AWS calls
    /// them), so adopting it would lose them.
    #[error("This uses {0}, which Belfry does not manage yet.")]
    Unmanaged(String),
    /// Belfry manages this already, for a team (the same one or another).
    #[error("Belfry manages this already, for a team.")]
    Claimed,
    /// The request itself was malformed (a missing or unreadable field): a client's mistake,
    /// not a person's, so the detail stays in English.
    #[error("{}{}", MALFORMED, .0)]
    Malformed(String),
}

/// The English of [`Problem::Malformed`], which the browser also writes.
const MALFORMED: &str = "The request was malformed: ";

/// What the server said, in each language of the UI: a problem's text, a schedule's
/// description.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Said {
    pub en: String,
    pub ko: String,
}

impl Said {
    pub fn text(&self, locale: crate::i18n::Locale) -> &str {
        match locale {
            crate::i18n::Locale::en => &self.en,
            crate::i18n::Locale::ko => &self.ko,
        }
    }
}

impl Serialize for Problem {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use crate::components::error::problem_text;
        use crate::i18n::Locale;
        match self {
            Problem::Said(said) => said.serialize(serializer),
            problem => Said {
                en: problem_text(Locale::en, problem),
                ko: problem_text(Locale::ko, problem),
            }
            .serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Problem {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Said::deserialize(deserializer).map(Problem::Said)
    }
}

impl FromServerFnError for AppError {
    type Encoder = TextJson;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Written out rather than `AppError::invalid`, whose `to_string` would bring
            // every problem's English into the browser, where this runs too.
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::MissingArg(message) => {
                AppError::Invalid {
                    field: String::new(),
                    message: format!("{MALFORMED}{message}"),
                    problem: Problem::Malformed(message),
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user_id: uuid::Uuid,
    pub email: String,
    pub team_id: uuid::Uuid,
    pub team_name: String,
    pub role: crate::domain::Role,
}
