//! Teams, members and invitations; the switcher; the audit log.
use super::{AppError, ShellError};
use crate::domain::Role;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How long an invitation link works.
pub const INVITATION_DAYS: i64 = 7;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamChoice {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub email: String,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationOffer {
    pub team_name: String,
    pub role: Role,
    pub usable: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    #[serde(deserialize_with = "super::when::utc")]
    pub at: chrono::DateTime<chrono::Utc>,
    pub who: Option<String>,
    pub action: String,
    pub resource_id: Option<Uuid>,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[cfg(feature = "ssr")]
mod ssr {
    use sha2::{Digest, Sha256};

    /// 32 random bytes as hex: the secret in an invitation link.
    pub fn new_token() -> String {
        use argon2::password_hash::rand_core::{OsRng, RngCore};
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn digest(token: &str) -> Vec<u8> {
        Sha256::digest(token.as_bytes()).to_vec()
    }
}

/// The signed-in user's teams; none for nobody, rather than a 401: a question any page may
/// ask. (The header's team switch reads the same list on the server, `team_choices`.)
#[server(prefix = "/api/fn", endpoint = "my_teams", output = crate::api::Json)]
pub async fn my_teams() -> Result<Vec<TeamChoice>, ShellError> {
    async {
        let Some(me) = super::guard::signed_in().await? else {
            return Ok(Vec::new());
        };
        team_choices(&super::guard::backend()?.pool, &me).await
    }
    .await
    .map_err(super::guard::respond_shell)
}

/// `me`'s teams, the current one marked.
#[cfg(feature = "ssr")]
pub async fn team_choices(
    pool: &sqlx::PgPool,
    me: &super::Me,
) -> Result<Vec<TeamChoice>, AppError> {
    let teams = crate::db::identity::teams_of(pool, me.user_id).await?;
    Ok(teams
        .into_iter()
        .filter_map(|team| {
            Some(TeamChoice {
                current: team.id == me.team_id,
                id: team.id,
                name: team.name,
                role: Role::parse(&team.role).ok()?,
            })
        })
        .collect())
}

/// Another team of the signed-in user becomes the current one. A team the user is not a
/// member of answers 404, as if it did not exist.
#[server(prefix = "/api/fn", endpoint = "switch_team", output = crate::api::Json)]
pub async fn switch_team(team_id: Uuid) -> Result<(), AppError> {
    async {
        let me = super::guard::require(Role::Viewer).await?;
        let pool = super::guard::backend()?.pool;
        crate::db::identity::member(&pool, me.user_id, team_id)
            .await?
            .ok_or(AppError::NotFound)?;
        super::guard::set_team(&super::guard::session().await?, team_id).await?;
        leptos_axum::redirect("/");
        Ok(())
    }
    .await
    .map_err(super::guard::respond)
}

/// A new team, with the signed-in user as its admin; it becomes the current team.
#[server(prefix = "/api/fn", endpoint = "create_team", output = crate::api::Json)]
pub async fn create_team(name: String) -> Result<(), AppError> {
    async {
        let name =
            crate::domain::TeamName::parse(&name).map_err(|e| AppError::invalid("name", e))?;
        let me = super::guard::require(Role::Viewer).await?;
        let pool = super::guard::backend()?.pool;
        let team_id = crate::db::identity::create_team(&pool, me.user_id, &name).await?;
        super::guard::set_team(&super::guard::session().await?, team_id).await?;
        leptos_axum::redirect("/settings");
        Ok(())
    }
    .await
    .map_err(super::guard::respond)
}

#[server(prefix = "/api/fn", endpoint = "team_members", output = crate::api::Json)]
pub async fn team_members() -> Result<Vec<Member>, AppError> {
    async {
        let me = super::guard::require(Role::Viewer).await?;
        let pool = super::guard::backend()?.pool;
        let members = crate::db::identity::members(&pool, me.team_id).await?;
        Ok(members
            .into_iter()
            .filter_map(|m| {
                Some(Member {
                    email: m.email,
                    role: Role::parse(&m.role).ok()?,
                })
            })
            .collect())
    }
    .await
    .map_err(super::guard::respond)
}

/// An invitation link (path) to join the current team with `role`. Admins only.
#[server(prefix = "/api/fn", endpoint = "create_invitation", output = crate::api::Json)]
pub async fn create_invitation(role: String) -> Result<String, AppError> {
    async {
        let role = Role::parse(&role).map_err(|e| AppError::invalid("role", e))?;
        let me = super::guard::require(Role::Admin).await?;
        let pool = super::guard::backend()?.pool;
        let token = ssr::new_token();
        crate::db::identity::create_invitation(
            &pool,
            me.team_id,
            me.user_id,
            &ssr::digest(&token),
            role,
            INVITATION_DAYS * 24 * 60 * 60,
        )
        .await?;
        // Back to the settings page with the new link in view: this works the same with and
        // without JavaScript (a plain form post follows the redirect).
        leptos_axum::redirect(&format!("/settings?invitation={token}"));
        Ok(format!("/invite/{token}"))
    }
    .await
    .map_err(super::guard::respond)
}

/// What an invitation link offers; anyone holding the link may ask.
#[server(prefix = "/api/fn", endpoint = "invitation_info", output = crate::api::Json)]
pub async fn invitation_info(token: String) -> Result<InvitationOffer, AppError> {
    async {
        let pool = super::guard::backend()?.pool;
        let found = crate::db::identity::invitation(&pool, &ssr::digest(&token))
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(InvitationOffer {
            team_name: found.team_name,
            role: Role::parse(&found.role).map_err(|_| AppError::Internal)?,
            usable: found.usable,
        })
    }
    .await
    .map_err(super::guard::respond)
}

/// Joins the invitation's team: as the signed-in user, or as a new user with this email and
/// password. The session moves to the team.
#[server(prefix = "/api/fn", endpoint = "accept_invitation", output = crate::api::Json)]
pub async fn accept_invitation(
    token: String,
    email: Option<String>,
    password: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::{Email, Password};
    async {
        let backend = super::guard::backend()?;
        let found = crate::db::identity::invitation(&backend.pool, &ssr::digest(&token))
            .await?
            .ok_or(AppError::NotFound)?;
        if !found.usable {
            return Err(AppError::Conflict(super::Problem::InvitationUnusable));
        }
        let me = super::guard::signed_in().await?;
        let joined = match me {
            Some(me) => {
                crate::db::identity::accept_invitation(
                    &backend.pool,
                    found.id,
                    Some(me.user_id),
                    None,
                )
                .await?
            }
            None => {
                let email = Email::parse(email.as_deref().unwrap_or_default())
                    .map_err(|e| AppError::invalid("email", e))?;
                let password = Password::parse(password.as_deref().unwrap_or_default())
                    .map_err(|e| AppError::invalid("password", e))?;
                if crate::db::identity::credentials(&backend.pool, email.as_str())
                    .await?
                    .is_some()
                {
                    return Err(AppError::Conflict(super::Problem::AccountExists));
                }
                let hash = super::auth::hash_password(password.expose().to_owned()).await?;
                crate::db::identity::accept_invitation(
                    &backend.pool,
                    found.id,
                    None,
                    Some((&email, &hash)),
                )
                .await?
            }
        };
        let (user_id, team_id) =
            joined.ok_or(AppError::Conflict(super::Problem::InvitationUnusable))?;
        super::guard::sign_in(&super::guard::session().await?, user_id, team_id).await?;
        leptos_axum::redirect("/");
        Ok(())
    }
    .await
    .map_err(super::guard::respond)
}

/// The current team's audit log, newest first; `action` filters by prefix (`user.`, `team.`).
#[server(prefix = "/api/fn", endpoint = "audit_log", output = crate::api::Json)]
pub async fn audit_log(action: Option<String>) -> Result<Vec<AuditEntry>, AppError> {
    async {
        let me = super::guard::require(Role::Viewer).await?;
        let pool = super::guard::backend()?.pool;
        let rows =
            crate::db::identity::audit_log(&pool, me.team_id, action.as_deref().unwrap_or(""), 200)
                .await?;
        Ok(rows
            .into_iter()
            .map(|row| AuditEntry {
                at: row.at,
                who: row.email,
                action: row.action,
                resource_id: row.resource_id,
                before: row.before.map(|v| v.to_string()),
                after: row.after.map(|v| v.to_string()),
            })
            .collect())
    }
    .await
    .map_err(super::guard::respond)
}

/// The team's AWS connection as admins configure it. The external id is not a secret: it goes
/// into the role's trust policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwsConnectionView {
    pub region: String,
    pub role_arn: Option<String>,
    pub external_id: String,
    pub endpoint_url: Option<String>,
}

#[server(prefix = "/api/fn", endpoint = "aws_connection", output = crate::api::Json)]
pub async fn aws_connection() -> Result<Option<AwsConnectionView>, AppError> {
    async {
        let me = super::guard::require(Role::Admin).await?;
        let pool = super::guard::backend()?.pool;
        let row = crate::db::identity::aws_connection(&pool, me.team_id).await?;
        Ok(row.map(|row| AwsConnectionView {
            region: row.region,
            role_arn: row.role_arn,
            external_id: row.external_id,
            endpoint_url: row.endpoint_url,
        }))
    }
    .await
    .map_err(super::guard::respond)
}

/// Saves the team's region, optional role to assume, optional emulator endpoint. Admins only.
#[server(prefix = "/api/fn", endpoint = "save_aws_connection", output = crate::api::Json)]
pub async fn save_aws_connection(
    region: String,
    role_arn: Option<String>,
    endpoint_url: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::aws::{Region, RoleArn, parse_endpoint};
    async {
        let region = Region::parse(&region).map_err(|e| AppError::invalid("region", e))?;
        let role_arn = match role_arn.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(arn) => Some(RoleArn::parse(arn).map_err(|e| AppError::invalid("role_arn", e))?),
            None => None,
        };
        let endpoint_url = match endpoint_url
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(url) => {
                Some(parse_endpoint(url).map_err(|e| AppError::invalid("endpoint_url", e))?)
            }
            None => None,
        };
        let me = super::guard::require(Role::Admin).await?;
        let pool = super::guard::backend()?.pool;
        crate::db::identity::save_aws_connection(
            &pool,
            me.team_id,
            me.user_id,
            region.as_str(),
            role_arn.as_ref().map(RoleArn::as_str),
            endpoint_url.as_deref(),
            &format!("belfry-{}", ssr::new_token()),
        )
        .await?;
        Ok(())
    }
    .await
    .map_err(super::guard::respond)
}
