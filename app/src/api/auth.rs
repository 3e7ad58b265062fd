//! Sign-up, login, logout, and who is signed in.
use super::{AppError, Me, ShellError};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
mod ssr {
    use super::AppError;
    use argon2::password_hash::{
        PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
    };
    use argon2::{Algorithm, Argon2, Params, Version};

    /// OWASP's minimum for argon2id: 19 MiB of memory, 2 iterations, parallelism 1.
    fn argon2() -> Argon2<'static> {
        let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    /// Hashing takes tens of milliseconds of CPU on purpose: off the async threads.
    pub async fn hash(password: String) -> Result<String, AppError> {
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon2()
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
        })
        .await
        .map_err(|_| AppError::Internal)?
        .map_err(|error| {
            tracing::error!(%error, "password hashing failed");
            AppError::Internal
        })
    }

    /// Checks a password against a stored hash. With no user, it hashes anyway, so the answer
    /// takes as long whether or not the email exists.
    pub async fn verify(password: String, stored: Option<String>) -> bool {
        tokio::task::spawn_blocking(move || match stored.as_deref().map(PasswordHash::new) {
            Some(Ok(hash)) => argon2().verify_password(password.as_bytes(), &hash).is_ok(),
            _ => {
                let salt = SaltString::generate(&mut OsRng);
                let _ = argon2().hash_password(password.as_bytes(), &salt);
                false
            }
        })
        .await
        .unwrap_or(false)
    }

    /// Only a path on this site, never an open redirect.
    pub fn local_path(next: Option<String>) -> String {
        match next {
            Some(path)
                if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') =>
            {
                path
            }
            _ => "/".to_owned(),
        }
    }
}

/// Hashes a new password (argon2id, OWASP parameters).
#[cfg(feature = "ssr")]
pub async fn hash_password(password: String) -> Result<String, AppError> {
    ssr::hash(password).await
}

/// How many failed logins (per email, and per client address) within the window start the
/// throttle, and how long the window is.
pub const THROTTLE_PER_EMAIL: i64 = 5;
pub const THROTTLE_PER_CLIENT: i64 = 30;
pub const THROTTLE_WINDOW_SECONDS: i64 = 15 * 60;

/// Whether Belfry has no user yet: then sign-up creates the first admin.
#[server(prefix = "/api/fn", endpoint = "needs_first_user", output = crate::api::Json)]
pub async fn needs_first_user() -> Result<bool, AppError> {
    async {
        let backend = super::guard::backend()?;
        Ok(crate::db::identity::user_count(&backend.pool).await? == 0)
    }
    .await
    .map_err(super::guard::respond)
}

/// The first user of a fresh install becomes admin of a new team. Later users join by
/// invitation.
#[server(prefix = "/api/fn", endpoint = "signup", output = crate::api::Json)]
pub async fn signup(email: String, password: String, team: String) -> Result<(), AppError> {
    use crate::domain::{Email, Password, TeamName};
    async {
        let email = Email::parse(&email).map_err(|e| AppError::invalid("email", e))?;
        let password = Password::parse(&password).map_err(|e| AppError::invalid("password", e))?;
        let team = TeamName::parse(&team).map_err(|e| AppError::invalid("team", e))?;
        let backend = super::guard::backend()?;
        let hash = ssr::hash(password.expose().to_owned()).await?;
        let Some((user_id, team_id)) =
            crate::db::identity::create_first_admin(&backend.pool, &email, &hash, &team).await?
        else {
            return Err(AppError::Conflict(super::Problem::SignupClosed));
        };
        let session = super::guard::session().await?;
        super::guard::sign_in(&session, user_id, team_id).await?;
        leptos_axum::redirect("/");
        Ok(())
    }
    .await
    .map_err(super::guard::respond)
}

#[server(prefix = "/api/fn", endpoint = "login", output = crate::api::Json)]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use crate::db::identity;
    async {
        let backend = super::guard::backend()?;
        let client = super::guard::client_addr().await;
        let email = email.trim().to_owned();
        let now = chrono::Utc::now();
        let window = chrono::Duration::seconds(THROTTLE_WINDOW_SECONDS);
        let failures =
            identity::recent_failures(&backend.pool, &email, client, THROTTLE_WINDOW_SECONDS)
                .await?;
        let lifts_at =
            |oldest: Option<chrono::DateTime<chrono::Utc>>| oldest.map_or(now, |at| at + window);
        let throttled_until = [
            (failures.for_email >= THROTTLE_PER_EMAIL).then(|| lifts_at(failures.oldest_for_email)),
            (failures.for_client >= THROTTLE_PER_CLIENT)
                .then(|| lifts_at(failures.oldest_for_client)),
        ]
        .into_iter()
        .flatten()
        .max();
        if let Some(until) = throttled_until {
            let retry_after_seconds = (until - now).num_seconds().max(1) as u64;
            return Err(AppError::Throttled {
                retry_after_seconds,
            });
        }

        let credentials = identity::credentials(&backend.pool, &email).await?;
        let user_id = credentials.as_ref().map(|c| c.user_id);
        let valid = ssr::verify(password, credentials.map(|c| c.password_hash)).await;
        identity::record_login_attempt(&backend.pool, &email, client, valid).await?;
        let (true, Some(user_id)) = (valid, user_id) else {
            return Err(AppError::WrongCredentials);
        };
        let team_id = identity::first_team(&backend.pool, user_id)
            .await?
            .ok_or(AppError::Forbidden)?;
        let session = super::guard::session().await?;
        super::guard::sign_in(&session, user_id, team_id).await?;
        leptos_axum::redirect(&ssr::local_path(next));
        Ok(())
    }
    .await
    .map_err(super::guard::respond)
}

#[server(prefix = "/api/fn", endpoint = "logout", output = crate::api::Json)]
pub async fn logout() -> Result<(), AppError> {
    async {
        let session = super::guard::session().await?;
        super::guard::sign_out(&session).await?;
        leptos_axum::redirect("/login");
        Ok(())
    }
    .await
    .map_err(super::guard::respond)
}

/// The signed-in member, or None.
#[server(prefix = "/api/fn", endpoint = "whoami", output = crate::api::Json)]
pub async fn whoami() -> Result<Option<Me>, ShellError> {
    super::guard::signed_in()
        .await
        .map_err(super::guard::respond_shell)
}

/// Changes the signed-in user's password. Every other session of the user ends; this one
/// continues under a new id.
#[server(prefix = "/api/fn", endpoint = "change_password", output = crate::api::Json)]
pub async fn change_password(current: String, new: String) -> Result<(), AppError> {
    use crate::db::identity;
    use crate::domain::{Password, Role};
    async {
        let me = super::guard::require(Role::Viewer).await?;
        let backend = super::guard::backend()?;
        let stored = identity::password_hash(&backend.pool, me.user_id).await?;
        if !ssr::verify(current, stored).await {
            return Err(AppError::invalid(
                "current",
                super::Problem::CurrentPasswordWrong,
            ));
        }
        let new = Password::parse(&new).map_err(|e| AppError::invalid("new", e))?;
        let hash = ssr::hash(new.expose().to_owned()).await?;
        identity::set_password(&backend.pool, me.user_id, me.team_id, &hash).await?;
        super::guard::sign_in(&super::guard::session().await?, me.user_id, me.team_id).await?;
        Ok(())
    }
    .await
    .map_err(super::guard::respond)
}
