//! Load balancers: the guided setup's choices, declare and change, live health, adoption.
//! The network (VPCs, subnets, instances) is read from EC2 when the form asks for it and
//! when a setup is saved, never while a page renders.
use super::AppError;
use crate::domain::balancer::{BalancerForm, BalancerLive, NetworkChoices};
use leptos::prelude::*;
use uuid::Uuid;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::api::AppError;
    use crate::domain::Role;
    use crate::domain::balancer::{AppliedBalancer, BalancerSetup};
    use crate::domain::plan::Kind;
    use uuid::Uuid;

    pub async fn network(
        team_id: Uuid,
    ) -> Result<crate::domain::balancer::NetworkChoices, AppError> {
        let backend = crate::api::guard::backend()?;
        backend.catalog.network(team_id).await.map_err(|message| {
            tracing::warn!(%message, "reading the network failed");
            AppError::Transport(message)
        })
    }

    /// Whether the `belfry-resource` tag names a resource Belfry still has (for any team): a
    /// load balancer that is someone's is not offered for adoption. An orphaned one keeps
    /// its tags, and may be adopted again.
    pub async fn claimed(pool: &sqlx::PgPool, tag: Option<&str>) -> Result<bool, AppError> {
        let Some(id) = tag.and_then(|t| Uuid::parse_str(t).ok()) else {
            return Ok(false);
        };
        Ok(crate::db::resources::exists(pool, id).await?)
    }

    /// The team's load balancer row, with its spec and what the last apply recorded.
    pub async fn row(
        id: Uuid,
        role: Role,
    ) -> Result<(crate::api::Me, BalancerSetup, Option<AppliedBalancer>, i32), AppError> {
        let me = crate::api::guard::require(role).await?;
        let pool = crate::api::guard::backend()?.pool;
        let row = crate::db::resources::get(&pool, me.team_id, id)
            .await?
            .filter(|r| r.kind() == Some(Kind::LoadBalancer) && r.deleted_at.is_none())
            .ok_or(AppError::NotFound)?;
        let setup = serde_json::from_value(row.spec).map_err(|_| AppError::Internal)?;
        let applied = row.observed.and_then(|o| serde_json::from_value(o).ok());
        Ok((me, setup, applied, row.version))
    }
}

/// The VPCs, subnets, security groups and instances the guided setup offers.
#[server(prefix = "/api/fn", endpoint = "read_network", output = crate::api::Json)]
pub async fn read_network() -> Result<NetworkChoices, AppError> {
    async {
        let me = super::guard::require(crate::domain::Role::Viewer).await?;
        ssr::network(me.team_id).await
    }
    .await
    .map_err(super::guard::respond)
}

/// The form: a stored setup to edit (`id`), or the lab's example.
#[server(prefix = "/api/fn", endpoint = "load_balancer_form", output = crate::api::Json)]
pub async fn load_balancer_form(id: Option<Uuid>) -> Result<(BalancerForm, Option<i32>), AppError> {
    async {
        match id {
            None => {
                super::guard::require(crate::domain::Role::Viewer).await?;
                Ok((BalancerForm::example(), None))
            }
            Some(id) => {
                let (_, setup, _, version) = ssr::row(id, crate::domain::Role::Viewer).await?;
                Ok((BalancerForm::from_spec(&setup), Some(version)))
            }
        }
    }
    .await
    .map_err(super::guard::respond)
}

/// Declares a load balancer setup (new, or a change of one at `version`), checked against
/// the network as EC2 describes it now: moto would take one subnet or an instance that does
/// not exist; Belfry does not.
#[server(prefix = "/api/fn", endpoint = "save_balancer", output = crate::api::Json)]
pub async fn save_balancer(
    form: BalancerForm,
    id: Option<Uuid>,
    version: Option<i32>,
) -> Result<Uuid, AppError> {
    async {
        let me = super::guard::require(crate::domain::Role::Editor).await?;
        let pool = super::guard::backend()?.pool;
        let mut form = form;
        let mut stored = None;
        if let Some(id) = id {
            // What the form does not show (more groups and listeners, as an adopted load
            // balancer may have) is kept as stored.
            let (_, setup, _, _) = ssr::row(id, crate::domain::Role::Editor).await?;
            let kept = BalancerForm::from_spec(&setup);
            form.extra_groups = kept.extra_groups;
            form.extra_listeners = kept.extra_listeners;
            form.no_front = kept.no_front;
            stored = Some(setup);
        }
        let network = ssr::network(me.team_id).await?.network();
        let setup = form
            .parse(&network)
            .map_err(super::resources::form_errors)?;
        // New targets must be running; one already a target may be stopped.
        let stopped = setup.not_running(stored.as_ref(), &network);
        if !stopped.is_empty() {
            return Err(super::resources::form_errors(stopped));
        }
        let name = setup.balancer.name.clone();
        let json = serde_json::to_value(&setup).map_err(|_| AppError::Internal)?;
        super::resources::ssr::declare_or_edit(
            &pool,
            &me,
            crate::domain::plan::Kind::LoadBalancer,
            id,
            version,
            &name,
            json,
        )
        .await
    }
    .await
    .map_err(super::guard::respond)
}

/// DNS name, state and each target's health, read from AWS when the page asks (after it
/// shows, and on Refresh). 409 before the first apply.
#[server(prefix = "/api/fn", endpoint = "live_balancer", output = crate::api::Json)]
pub async fn live_balancer(id: Uuid) -> Result<BalancerLive, AppError> {
    async {
        let (me, _, applied, _) = ssr::row(id, crate::domain::Role::Viewer).await?;
        let applied = applied.ok_or(AppError::Conflict(super::Problem::NotApplied))?;
        let backend = super::guard::backend()?;
        backend
            .catalog
            .balancer_live(
                me.team_id,
                applied.arn,
                applied.group_arns.into_iter().collect(),
            )
            .await
            .map_err(AppError::Transport)
    }
    .await
    .map_err(super::guard::respond)
}

/// Load balancers in AWS that Belfry does not manage: (ARN, name).
#[server(prefix = "/api/fn", endpoint = "importable_balancers", output = crate::api::Json)]
pub async fn importable_balancers() -> Result<Vec<(String, String)>, AppError> {
    async {
        let me = super::guard::require(crate::domain::Role::Editor).await?;
        let backend = super::guard::backend()?;
        let managed = super::resources::ssr::managed(
            &backend.pool,
            me.team_id,
            crate::domain::plan::Kind::LoadBalancer,
        )
        .await?;
        let found = backend
            .catalog
            .balancers(me.team_id)
            .await
            .map_err(AppError::Transport)?;
        let mut offered = Vec::new();
        for (arn, name, tag) in found {
            if managed.contains(&arn) || ssr::claimed(&backend.pool, tag.as_deref()).await? {
                continue;
            }
            offered.push((arn, name));
        }
        Ok(offered)
    }
    .await
    .map_err(super::guard::respond)
}

/// Adopts a load balancer as AWS has it, with its listeners and the target groups they
/// forward to, checked like a declared one. Refused when it uses what Belfry does not model
/// (listener rules, weighted forwards, targets that are not instances…): Belfry's apply
/// would undo them.
#[server(prefix = "/api/fn", endpoint = "adopt_balancer", output = crate::api::Json)]
pub async fn adopt_balancer(arn: String) -> Result<Uuid, AppError> {
    async {
        let me = super::guard::require(crate::domain::Role::Editor).await?;
        let backend = super::guard::backend()?;
        let tag = backend
            .catalog
            .balancers(me.team_id)
            .await
            .map_err(AppError::Transport)?
            .into_iter()
            .find(|(found, _, _)| *found == arn)
            .and_then(|(_, _, tag)| tag);
        if ssr::claimed(&backend.pool, tag.as_deref()).await? {
            return Err(AppError::Conflict(super::Problem::Claimed));
        }
        let (setup, unmodeled) = backend
            .catalog
            .balancer(me.team_id, arn.clone())
            .await
            .map_err(AppError::Transport)?
            .ok_or(AppError::NotFound)?;
        if !unmodeled.is_empty() {
            return Err(AppError::Conflict(super::Problem::Unmanaged(
                unmodeled.join(", "),
            )));
        }
        let network = ssr::network(me.team_id).await?.network();
        let setup = setup
            .check(&network)
            .map_err(super::resources::form_errors)?;
        let name = setup.balancer.name.clone();
        super::resources::ssr::adopt(
            &backend.pool,
            &me,
            crate::domain::plan::Kind::LoadBalancer,
            &name,
            &setup,
            &arn,
        )
        .await
    }
    .await
    .map_err(super::guard::respond)
}
