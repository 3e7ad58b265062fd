//! The one place that checks who is asking and what their role allows, for every server
//! function (and, through `crate::db`, every query is scoped by the team it returns).
use super::{AppError, Me};
use crate::domain::Role;
use chrono::Utc;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use tower_sessions::Session;
use uuid::Uuid;

/// What the server hands to server functions (through Leptos context).
#[derive(Clone)]
pub struct Backend {
    pub pool: PgPool,
    pub sessions: SessionPolicy,
    /// How many proxies in front of Belfry append to `X-Forwarded-For` (0: none, the socket's
    /// peer is the client).
    pub trusted_proxy_hops: usize,
    /// AWS reads on a person's explicit request (import, live state); the server's AWS
    /// adapter implements it, so no AWS type reaches this crate.
    pub catalog: std::sync::Arc<dyn Catalog>,
}

/// A metric's value at a time.
pub type Point = (chrono::DateTime<Utc>, f64);

pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// An alarm as AWS has it, with its live state (OK, ALARM, INSUFFICIENT_DATA).
#[derive(Debug, Clone)]
pub struct LiveAlarm {
    pub config: crate::domain::alarm::AlarmConfig,
    pub state: Option<String>,
    pub reason: Option<String>,
}

/// What the pages may ask AWS directly. Each call is a person's explicit request, never part
/// of rendering a page.
/// A Scheduler schedule read from AWS, with the settings Belfry does not model.
pub type FoundSchedule = (crate::domain::schedule::ScheduleSpec, Vec<String>);

pub trait Catalog: Send + Sync {
    /// Every metric alarm in the team's account and region.
    fn alarms(&self, team_id: Uuid) -> BoxFuture<'_, Result<Vec<LiveAlarm>, String>>;
    /// Named alarms only (one DescribeAlarms call per 100 names).
    fn alarms_named(
        &self,
        team_id: Uuid,
        names: Vec<String>,
    ) -> BoxFuture<'_, Result<Vec<LiveAlarm>, String>>;
    /// Puts the alarm in a state for a moment, which runs that state's actions.
    fn test_notification(&self, team_id: Uuid, name: String) -> BoxFuture<'_, Result<(), String>>;
    /// Every SNS topic in the team's account and region: (ARN, display name).
    fn topics(&self, team_id: Uuid) -> BoxFuture<'_, Result<Vec<(String, String)>, String>>;
    /// Every EventBridge Scheduler schedule in the team's account and region, read in full.
    fn schedules(
        &self,
        team_id: Uuid,
    ) -> BoxFuture<'_, Result<Vec<crate::domain::schedule::ScheduleSpec>, String>>;
    /// One Scheduler schedule read in full, with the settings Belfry does not model.
    fn schedule(
        &self,
        team_id: Uuid,
        group: String,
        name: String,
    ) -> BoxFuture<'_, Result<Option<FoundSchedule>, String>>;
    /// Every Lambda function in the team's account and region: (name, ARN).
    fn functions(&self, team_id: Uuid) -> BoxFuture<'_, Result<Vec<(String, String)>, String>>;
    /// The metrics CloudWatch has in a namespace (or all), for the alarm form's picker.
    fn metrics(
        &self,
        team_id: Uuid,
        namespace: Option<String>,
    ) -> BoxFuture<'_, Result<Vec<super::resources::MetricChoice>, String>>;
    /// The alarm's metric over the last hours, one point per period, oldest first.
    fn metric_data(
        &self,
        team_id: Uuid,
        config: crate::domain::alarm::AlarmConfig,
        hours: i64,
    ) -> BoxFuture<'_, Result<Vec<Point>, String>>;
    /// The team's VPCs, subnets, security groups and instances, for the load balancer form.
    fn network(
        &self,
        team_id: Uuid,
    ) -> BoxFuture<'_, Result<crate::domain::balancer::NetworkChoices, String>>;
    /// A load balancer's DNS name and state, and each target's health in the named groups
    /// (name, ARN).
    fn balancer_live(
        &self,
        team_id: Uuid,
        arn: String,
        groups: Vec<(String, String)>,
    ) -> BoxFuture<'_, Result<crate::domain::balancer::BalancerLive, String>>;
    /// Every load balancer in the team's account and region: (ARN, name, Belfry's resource
    /// tag when it has one).
    fn balancers(&self, team_id: Uuid) -> BoxFuture<'_, Result<Vec<BalancerFound>, String>>;
    /// One load balancer read in full, shaped as a setup, with what Belfry does not model.
    fn balancer(
        &self,
        team_id: Uuid,
        arn: String,
    ) -> BoxFuture<'_, Result<Option<FoundBalancer>, String>>;
}

/// A load balancer in AWS: (ARN, name, the `belfry-resource` tag when it has one).
pub type BalancerFound = (String, String, Option<String>);

/// A load balancer read for adoption: its setup, and settings Belfry would not keep.
pub type FoundBalancer = (crate::domain::balancer::BalancerSetup, Vec<String>);

/// How long a session lives. The idle timeout is the session layer's expiry (it slides with
/// each request); the absolute one is checked here, from the moment of login.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub idle: std::time::Duration,
    pub absolute: std::time::Duration,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct SignedIn {
    user_id: Uuid,
    team_id: Uuid,
    /// Unix seconds at login.
    since: i64,
}

const SIGNED_IN: &str = "signed_in";

pub fn backend() -> Result<Backend, AppError> {
    use_context::<Backend>().ok_or_else(|| {
        tracing::error!("no Backend in the server function's context");
        AppError::Internal
    })
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|error| {
        tracing::error!(%error, "no session layer");
        AppError::Internal
    })
}

/// Starts a session for `user_id` in `team_id`, under a new id (no session fixation).
pub async fn sign_in(session: &Session, user_id: Uuid, team_id: Uuid) -> Result<(), AppError> {
    RequestMember::forget().await;
    session.cycle_id().await?;
    session
        .insert(
            SIGNED_IN,
            SignedIn {
                user_id,
                team_id,
                since: Utc::now().timestamp(),
            },
        )
        .await?;
    Ok(())
}

/// Moves the session to another team of the same user (the caller checked membership).
pub async fn set_team(session: &Session, team_id: Uuid) -> Result<(), AppError> {
    RequestMember::forget().await;
    let mut stored = session
        .get::<SignedIn>(SIGNED_IN)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    stored.team_id = team_id;
    session.insert(SIGNED_IN, stored).await?;
    Ok(())
}

/// Ends the session on the server: its id is worthless afterwards.
pub async fn sign_out(session: &Session) -> Result<(), AppError> {
    RequestMember::forget().await;
    session.flush().await?;
    Ok(())
}

/// Who is signed in, looked up once per request. Before a page renders, the server looks the
/// visitor up for the header (`components::header::Visitor`), which seeds this; the page's
/// own data then asks through server functions run during the render, and without this each
/// of them would read the membership again. The server provides a fresh one for every request (a
/// page render, a server function call, an API call), and signing in, out, or into another
/// team forgets it.
#[derive(Clone, Default)]
pub struct RequestMember(std::sync::Arc<tokio::sync::Mutex<Option<Option<Me>>>>);

impl RequestMember {
    /// Takes `me` as this request's answer when nothing has asked yet: the page's header
    /// looked it up before the render (see `components::header`), so the page's own
    /// questions need not ask the database again.
    pub fn seed(me: Option<Me>) {
        if let Some(memo) = use_context::<RequestMember>()
            && let Ok(mut known) = memo.0.try_lock()
            && known.is_none()
        {
            *known = Some(me);
        }
    }

    async fn forget() {
        if let Some(memo) = use_context::<RequestMember>() {
            *memo.0.lock().await = None;
        }
    }
}

/// The signed-in member, if any, whatever their role.
pub async fn signed_in() -> Result<Option<Me>, AppError> {
    let Some(memo) = use_context::<RequestMember>() else {
        return look_up_member().await;
    };
    // Held across the lookup: resources resolving at once wait for the first one's answer.
    let mut known = memo.0.lock().await;
    if let Some(me) = known.as_ref() {
        return Ok(me.clone());
    }
    let me = look_up_member().await?;
    *known = Some(me.clone());
    Ok(me)
}

async fn look_up_member() -> Result<Option<Me>, AppError> {
    member_of(&backend()?, &session().await?).await
}

/// Who `session` belongs to, if anyone: the lookup behind [`signed_in`], for callers outside
/// a server function (the header's account corner, looked up before a page renders).
pub async fn member_of(backend: &Backend, session: &Session) -> Result<Option<Me>, AppError> {
    let Some(stored) = session.get::<SignedIn>(SIGNED_IN).await? else {
        return Ok(None);
    };
    let age = Utc::now().timestamp().saturating_sub(stored.since);
    if age < 0 || age as u64 > backend.sessions.absolute.as_secs() {
        session.flush().await?;
        return Ok(None);
    }
    // A membership removed since login ends the session's access at once, and so does a
    // password change made after the session started (in any other session).
    let member = crate::db::identity::member(&backend.pool, stored.user_id, stored.team_id).await?;
    match member {
        Some((me, password_changed)) if stored.since >= password_changed => Ok(Some(me)),
        Some(_) => {
            session.flush().await?;
            Ok(None)
        }
        None => Ok(None),
    }
}

/// The signed-in member when their role includes `needed`: 401 without a session,
/// 403 with a role below it.
pub async fn require(needed: Role) -> Result<Me, AppError> {
    let me = signed_in().await?.ok_or(AppError::Unauthenticated)?;
    if me.role.allows(needed) {
        Ok(me)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Sets the HTTP status of the error on the response, then passes the error on.
pub fn respond(error: AppError) -> AppError {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = http::StatusCode::from_u16(error.status())
    {
        response.set_status(status);
    }
    error
}

/// [`respond`] for `whoami` and `my_teams`, which answer [`ShellError`]: the error becomes
/// one first, so the status set is the one its body says (`Internal`'s 500, not a 401).
pub fn respond_shell(error: AppError) -> super::ShellError {
    let shell = super::ShellError::from(error);
    respond(shell.clone().into());
    shell
}

/// The client's address, for the login throttle: the socket's peer, or, behind
/// `trusted_proxy_hops` proxies, the address the outermost trusted proxy saw.
pub async fn client_addr() -> Option<std::net::IpAddr> {
    let peer = leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .await
        .ok()
        .map(|info| info.0.ip())?;
    let hops = backend().map_or(0, |b| b.trusted_proxy_hops);
    if hops == 0 {
        return Some(peer);
    }
    let headers = leptos_axum::extract::<http::HeaderMap>().await.ok();
    let forwarded: Vec<&str> = headers
        .iter()
        .flat_map(|h| h.get_all("x-forwarded-for"))
        .filter_map(|value| value.to_str().ok())
        .collect();
    Some(forwarded_client(peer, &forwarded.join(","), hops))
}

/// Picks the client from an `X-Forwarded-For` list when `hops` proxies are trusted. Each proxy
/// appends the address it saw, so the client is the `hops`-th entry from the right: anything
/// further left was written by the client itself and proves nothing. A list too short or
/// unreadable means the request did not come through the proxies: the peer is the client.
pub fn forwarded_client(
    peer: std::net::IpAddr,
    forwarded_for: &str,
    hops: usize,
) -> std::net::IpAddr {
    let entries: Vec<&str> = forwarded_for
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .collect();
    if hops == 0 || entries.len() < hops {
        return peer;
    }
    entries[entries.len() - hops].parse().unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::forwarded_client;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        assert_eq!(
            forwarded_client(ip("10.0.0.9"), "203.0.113.7", 0),
            ip("10.0.0.9")
        );
    }

    #[test]
    fn one_proxy_means_the_last_entry() {
        // The client claims 1.2.3.4; the load balancer appended what it really saw.
        assert_eq!(
            forwarded_client(ip("10.0.0.9"), "1.2.3.4, 203.0.113.7", 1),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn two_proxies_skip_the_inner_one() {
        assert_eq!(
            forwarded_client(ip("10.0.0.9"), "203.0.113.7, 10.0.0.5", 2),
            ip("203.0.113.7")
        );
        assert_eq!(
            forwarded_client(ip("::1"), "2001:db8::1,10.0.0.5", 2),
            ip("2001:db8::1")
        );
    }

    #[test]
    fn a_short_or_garbled_list_falls_back_to_the_peer() {
        assert_eq!(forwarded_client(ip("10.0.0.9"), "", 1), ip("10.0.0.9"));
        assert_eq!(
            forwarded_client(ip("10.0.0.9"), "203.0.113.7", 2),
            ip("10.0.0.9")
        );
        assert_eq!(
            forwarded_client(ip("10.0.0.9"), "not-an-ip", 1),
            ip("10.0.0.9")
        );
    }
}
