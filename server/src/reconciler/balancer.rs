//! Applying a load balancer setup, in the order AWS needs: the load balancer, then its
//! target groups and their targets, then the listeners; when deleting, listeners before the
//! groups they use; a group replaced under a listener is deleted only after the listener
//! forwards to the new one. Every step reads first and writes only what differs, so a second
//! apply writes nothing.
use super::{ApplyError, FaultPoint, Outcome, Reconciler};
use crate::aws::elbv2::{self, ObservedBalancer};
use crate::aws::{Aws, Tags};
use app::db::resources::{self as db, ResourceRow};
use app::domain::balancer::{AppliedBalancer, BalancerSetup, ListenerAction};
use app::domain::plan::Kind;
use serde_json::json;
use std::collections::BTreeMap;

const TAG_RESOURCE: &str = "belfry-resource";

impl Reconciler {
    /// Is this load balancer (or target group) the row's: tagged with its id?
    async fn tagged_ours(
        &self,
        aws: &Aws,
        row: &ResourceRow,
        arn: &str,
    ) -> Result<bool, ApplyError> {
        self.spend(aws, "elasticloadbalancing:DescribeTags").await?;
        let tags = elbv2::tags_of(&aws.elbv2(), &[arn.to_owned()]).await?;
        Ok(tags
            .get(arn)
            .and_then(|t| t.get(TAG_RESOURCE))
            .is_some_and(|id| *id == row.id.to_string()))
    }

    /// The row's load balancer in AWS: by the ARN Belfry applied or adopted, else by name
    /// when it carries the row's tag (moto makes a second one on a duplicate name, AWS
    /// answers with the first: either way Belfry looks before it creates).
    async fn our_balancer(
        &self,
        aws: &Aws,
        row: &ResourceRow,
        name: &str,
    ) -> Result<(Option<ObservedBalancer>, bool), ApplyError> {
        self.spend(aws, "elasticloadbalancing:DescribeLoadBalancers")
            .await?;
        let client = aws.elbv2();
        if let Some(arn) = row.aws_id.as_deref() {
            return Ok((elbv2::find_balancer(&client, Some(arn), name).await?, true));
        }
        match elbv2::find_balancer(&client, None, name).await? {
            Some(found) => {
                let ours = self.tagged_ours(aws, row, &found.arn).await?;
                Ok((Some(found), ours))
            }
            None => Ok((None, true)),
        }
    }

    pub(super) async fn apply_balancer(
        &self,
        aws: &Aws,
        row: &ResourceRow,
    ) -> Result<Outcome, ApplyError> {
        let spec: BalancerSetup = super::parse_spec(row)?;
        let applied: Option<AppliedBalancer> = row
            .observed
            .clone()
            .and_then(|o| serde_json::from_value(o).ok());
        let (found, ours) = self.our_balancer(aws, row, &spec.balancer.name).await?;
        if row.deleted_at.is_some() {
            if row.deletion == "delete" {
                let found = found.filter(|_| ours);
                if let Some(outcome) = self
                    .remove_balancer(aws, row, &spec, found, applied.as_ref())
                    .await?
                {
                    return Ok(outcome);
                }
            }
            return self.forget(row).await;
        }
        if found.is_some() && !ours {
            return Err(ApplyError::Invalid(format!(
                "A load balancer named {} exists in AWS and is not this one: adopt it from Import, or choose another name.",
                spec.balancer.name
            )));
        }
        let client = aws.elbv2();
        let ec2 = aws.ec2();
        let invalid =
            |error: app::domain::balancer::BalancerError| ApplyError::Invalid(error.to_string());

        // Read and check everything first: a refusal must come before the first write.
        self.spend(aws, "ec2:DescribeNetwork").await?;
        let network = ec2.network().await?.network();
        let desired = spec.check(&network).map_err(|problems| {
            let text: Vec<String> = problems.iter().map(|(_, e)| e.to_string()).collect();
            ApplyError::Invalid(text.join(" "))
        })?;
        let known: BTreeMap<String, String> = applied
            .as_ref()
            .map(|a| a.group_arns.clone())
            .unwrap_or_default();
        let own_before = applied.as_ref().and_then(|a| a.own_security_group.clone());
        if let Some(lb) = &found {
            // What AWS has, shaped as declared: Belfry's own group as the flag.
            let mut balancer = lb.spec.clone();
            if let Some(own) = &own_before {
                balancer.security_groups.retain(|g| g != own);
                balancer.own_security_group = true;
            }
            let observed = BalancerSetup {
                balancer,
                groups: Vec::new(),
                listeners: Vec::new(),
            };
            if let Some(error) = desired.blocked(&observed).into_iter().next() {
                return Err(invalid(error));
            }
        }
        let mut observed_groups = BTreeMap::new();
        for group in &desired.groups {
            self.spend(aws, "elasticloadbalancing:DescribeTargetGroups")
                .await?;
            let Some(observed) = elbv2::group_named(&client, &group.name).await? else {
                continue;
            };
            // Belfry's: applied by it, used by this load balancer (adopted with it), or
            // tagged with this resource.
            let mine = known.get(&group.name) == Some(&observed.arn)
                || found
                    .as_ref()
                    .is_some_and(|lb| observed.balancers.contains(&lb.arn))
                || self.tagged_ours(aws, row, &observed.arn).await?;
            if !mine {
                return Err(ApplyError::Invalid(format!(
                    "A target group named {} exists in AWS and is not this load balancer's: choose another name.",
                    group.name
                )));
            }
            if group.replaces(&observed.spec) {
                return Err(invalid(app::domain::balancer::BalancerError::Replace {
                    name: group.name.clone(),
                }));
            }
            observed_groups.insert(group.name.clone(), observed);
        }
        // New targets must be running (AWS refuses to register a stopped instance).
        let before = BalancerSetup {
            balancer: desired.balancer.clone(),
            groups: observed_groups.values().map(|g| g.spec.clone()).collect(),
            listeners: Vec::new(),
        };
        if let Some((_, error)) = desired
            .not_running(Some(&before), &network)
            .into_iter()
            .next()
        {
            return Err(invalid(error));
        }
        let own_name = desired.balancer.own_group_name();
        let own_found = if desired.balancer.own_security_group {
            self.spend(aws, "ec2:DescribeSecurityGroups").await?;
            match ec2.group_named(&desired.balancer.vpc, &own_name).await? {
                Some((id, Some(tag))) if tag == row.id.to_string() => Some(id),
                Some(_) => {
                    return Err(ApplyError::Invalid(format!(
                        "A security group named {own_name} exists in the VPC and is not Belfry's for this load balancer: pick it from the list instead, or choose another name."
                    )));
                }
                None => None,
            }
        } else {
            None
        };

        // Writes, in dependency order.
        let tags = Tags {
            team: row.team_id,
            resource: row.id,
        }
        .pairs();
        // Before anything is made (also for an adopted load balancer, which may get new
        // groups or a security group), so that a delete after an apply that stopped halfway
        // looks for what it may have left, by tag.
        db::mark_create_started(&self.pool, row.id).await?;
        let mut security_groups = desired.balancer.security_groups.clone();
        let own_group = if desired.balancer.own_security_group {
            let id = match own_found {
                Some(id) => id,
                None => {
                    self.spend(aws, "ec2:CreateSecurityGroup").await?;
                    let id = ec2
                        .create_group(&desired.balancer.vpc, &own_name, &tags)
                        .await?;
                    self.note(
                        row,
                        "security group created",
                        json!({ "id": id, "name": own_name }),
                    )
                    .await?;
                    id
                }
            };
            // Open on exactly the listener ports.
            self.spend(aws, "ec2:DescribeSecurityGroups").await?;
            let open = ec2.open_ports(&id).await?;
            let want = desired.listener_ports();
            let missing: Vec<_> = want.iter().filter(|p| !open.contains(p)).cloned().collect();
            let extra: Vec<_> = open.iter().filter(|p| !want.contains(p)).cloned().collect();
            if !missing.is_empty() {
                self.spend(aws, "ec2:AuthorizeSecurityGroupIngress").await?;
                ec2.open(&id, &missing).await?;
            }
            if !extra.is_empty() {
                self.spend(aws, "ec2:RevokeSecurityGroupIngress").await?;
                ec2.close(&id, &extra).await?;
            }
            security_groups.push(id.clone());
            security_groups.sort();
            security_groups.dedup();
            Some(id)
        } else {
            None
        };

        // 1. The load balancer.
        let balancer = match found {
            None => {
                self.spend(aws, "elasticloadbalancing:CreateLoadBalancer")
                    .await?;
                let made =
                    elbv2::create_balancer(&client, &desired.balancer, &security_groups, &tags)
                        .await?;
                self.crash(FaultPoint::AfterCreateCall, Kind::LoadBalancer)?;
                self.note(row, "created", json!({ "dns_name": made.dns_name }))
                    .await?;
                made
            }
            Some(lb) => {
                if lb.spec.subnets != desired.balancer.subnets {
                    self.spend(aws, "elasticloadbalancing:SetSubnets").await?;
                    elbv2::set_subnets(&client, &lb.arn, &desired.balancer.subnets).await?;
                    self.note(row, "subnets set", json!(desired.balancer.subnets))
                        .await?;
                }
                if lb.spec.security_groups != security_groups {
                    self.spend(aws, "elasticloadbalancing:SetSecurityGroups")
                        .await?;
                    elbv2::set_security_groups(&client, &lb.arn, &security_groups).await?;
                    self.note(row, "security groups set", json!(security_groups))
                        .await?;
                }
                lb
            }
        };

        // 2. Target groups and their targets.
        let mut group_arns = BTreeMap::new();
        for group in &desired.groups {
            let arn = match observed_groups.get(&group.name) {
                None => {
                    self.spend(aws, "elasticloadbalancing:CreateTargetGroup")
                        .await?;
                    let arn = elbv2::create_group(&client, group, &tags).await?;
                    // AWS makes every group with a 300-second delay.
                    if group.deregistration_delay_seconds != 300 {
                        self.spend(aws, "elasticloadbalancing:ModifyTargetGroupAttributes")
                            .await?;
                        elbv2::set_deregistration_delay(
                            &client,
                            &arn,
                            group.deregistration_delay_seconds,
                        )
                        .await?;
                    }
                    if !group.instances.is_empty() {
                        self.spend(aws, "elasticloadbalancing:RegisterTargets")
                            .await?;
                        elbv2::register(&client, &arn, &group.instances, group.port).await?;
                    }
                    self.note(
                        row,
                        "target group created",
                        json!({ "name": group.name, "targets": group.instances }),
                    )
                    .await?;
                    arn
                }
                Some(observed) => {
                    let arn = observed.arn.clone();
                    if group.health != observed.spec.health {
                        self.spend(aws, "elasticloadbalancing:ModifyTargetGroup")
                            .await?;
                        elbv2::modify_health(&client, &arn, group).await?;
                    }
                    if group.deregistration_delay_seconds
                        != observed.spec.deregistration_delay_seconds
                    {
                        self.spend(aws, "elasticloadbalancing:ModifyTargetGroupAttributes")
                            .await?;
                        elbv2::set_deregistration_delay(
                            &client,
                            &arn,
                            group.deregistration_delay_seconds,
                        )
                        .await?;
                    }
                    let (add, remove) = group.registrations(&observed.spec.instances);
                    if !add.is_empty() {
                        self.spend(aws, "elasticloadbalancing:RegisterTargets")
                            .await?;
                        elbv2::register(&client, &arn, &add, group.port).await?;
                    }
                    if !remove.is_empty() {
                        // AWS drains each for the group's deregistration delay.
                        let remove: Vec<(String, Option<u16>)> = remove
                            .into_iter()
                            .map(|id| {
                                let port = observed.ports.get(&id).copied().flatten();
                                (id, port)
                            })
                            .collect();
                        self.spend(aws, "elasticloadbalancing:DeregisterTargets")
                            .await?;
                        elbv2::deregister(&client, &arn, &remove).await?;
                    }
                    let changes = group.diff(&observed.spec);
                    if !changes.is_empty() {
                        self.note(
                            row,
                            &format!("target group {} updated", group.name),
                            serde_json::to_value(&changes).unwrap_or_default(),
                        )
                        .await?;
                    }
                    arn
                }
            };
            group_arns.insert(group.name.clone(), arn);
        }

        // 3. Listeners, each forwarding to its group's ARN.
        let names: BTreeMap<String, String> = group_arns
            .iter()
            .map(|(name, arn)| (arn.clone(), name.clone()))
            .collect();
        self.spend(aws, "elasticloadbalancing:DescribeListeners")
            .await?;
        let have = elbv2::listeners(&client, &balancer.arn).await?;
        for want in &desired.listeners {
            let group_arn = match &want.action {
                ListenerAction::Forward(name) => group_arns.get(name).map(String::as_str),
                ListenerAction::RedirectToHttps => None,
            };
            match have.iter().find(|l| l.port == want.port) {
                None => {
                    self.spend(aws, "elasticloadbalancing:CreateListener")
                        .await?;
                    elbv2::create_listener(&client, &balancer.arn, want, group_arn, &tags).await?;
                    self.note(
                        row,
                        &format!("listener {} created", want.port),
                        json!(want.describe()),
                    )
                    .await?;
                }
                Some(listener) if listener.spec(&names) != *want => {
                    self.spend(aws, "elasticloadbalancing:ModifyListener")
                        .await?;
                    elbv2::modify_listener(&client, &listener.arn, want, group_arn).await?;
                    self.note(
                        row,
                        &format!("listener {} changed", want.port),
                        json!({
                            "from": listener.spec(&names).describe(),
                            "to": want.describe()
                        }),
                    )
                    .await?;
                }
                Some(_) => {}
            }
        }
        for listener in &have {
            if !desired.listeners.iter().any(|l| l.port == listener.port) {
                self.spend(aws, "elasticloadbalancing:DeleteListener")
                    .await?;
                elbv2::delete_listener(&client, &listener.arn).await?;
                self.note(
                    row,
                    &format!("listener {} deleted", listener.port),
                    serde_json::Value::Null,
                )
                .await?;
            }
        }

        // 4. Groups the setup no longer has, now that no listener uses them: their targets
        // drain for the group's deregistration delay before the group goes.
        for (name, arn) in &known {
            if !group_arns.contains_key(name) && !self.retire_group(aws, row, name, arn).await? {
                return Ok(self.draining(name));
            }
        }
        // Belfry's security group, when the setup stopped asking for it.
        if let Some(old) = own_before.filter(|old| own_group.as_ref() != Some(old))
            && let Some(waiting) = self.delete_own_group(aws, &old).await?
        {
            return Ok(waiting);
        }

        let record = AppliedBalancer {
            setup: desired,
            arn: balancer.arn.clone(),
            dns_name: balancer.dns_name.clone(),
            group_arns,
            own_security_group: own_group,
        };
        let observed = serde_json::to_value(&record).unwrap_or_default();
        db::record_in_sync(&self.pool, row.id, row.generation, &balancer.arn, &observed).await?;
        Ok(Outcome::Done)
    }

    /// Deletes Belfry's own security group. AWS refuses while something still uses it (the
    /// load balancer's network interfaces linger for a while after it goes, and instances'
    /// groups may refer to it): then the job looks again later and says why.
    async fn delete_own_group(&self, aws: &Aws, id: &str) -> Result<Option<Outcome>, ApplyError> {
        self.spend(aws, "ec2:DeleteSecurityGroup").await?;
        match aws.ec2().delete_group(id).await {
            Ok(()) => Ok(None),
            Err(error) if error.code.as_deref() == Some("DependencyViolation") => {
                Ok(Some(Outcome::Later(
                    format!(
                        "Waiting for AWS to release security group {id} before deleting it (it is still in use: {}). If another security group refers to it, remove that rule, or orphan this load balancer.",
                        error.message
                    ),
                    self.drain_check.as_millis() as i64,
                )))
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Deletes in dependency order: the listeners, the load balancer, then the groups (once
    /// their targets have drained) and Belfry's security group. Some(outcome) while AWS is
    /// not done yet.
    async fn remove_balancer(
        &self,
        aws: &Aws,
        row: &ResourceRow,
        spec: &BalancerSetup,
        found: Option<ObservedBalancer>,
        applied: Option<&AppliedBalancer>,
    ) -> Result<Option<Outcome>, ApplyError> {
        let client = aws.elbv2();
        if let Some(lb) = &found {
            self.spend(aws, "elasticloadbalancing:DescribeListeners")
                .await?;
            for listener in elbv2::listeners(&client, &lb.arn).await? {
                self.spend(aws, "elasticloadbalancing:DeleteListener")
                    .await?;
                elbv2::delete_listener(&client, &listener.arn).await?;
            }
            self.spend(aws, "elasticloadbalancing:DeleteLoadBalancer")
                .await?;
            elbv2::delete_balancer(&client, &lb.arn).await?;
        }
        // The groups Belfry made: those it applied, and any of the setup's names that carry
        // the row's tag (a create that stopped before its status was written).
        let mut groups: BTreeMap<String, String> =
            applied.map(|a| a.group_arns.clone()).unwrap_or_default();
        for group in &spec.groups {
            if groups.contains_key(&group.name) || row.create_started_at.is_none() {
                continue;
            }
            self.spend(aws, "elasticloadbalancing:DescribeTargetGroups")
                .await?;
            if let Some(observed) = elbv2::group_named(&client, &group.name).await?
                && self.tagged_ours(aws, row, &observed.arn).await?
            {
                groups.insert(group.name.clone(), observed.arn);
            }
        }
        for (name, arn) in &groups {
            if !self.retire_group(aws, row, name, arn).await? {
                return Ok(Some(self.draining(name)));
            }
        }
        let own = match applied.and_then(|a| a.own_security_group.clone()) {
            Some(id) => Some(id),
            None if spec.balancer.own_security_group && row.create_started_at.is_some() => {
                self.spend(aws, "ec2:DescribeSecurityGroups").await?;
                aws.ec2()
                    .group_named(&spec.balancer.vpc, &spec.balancer.own_group_name())
                    .await?
                    .filter(|(_, tag)| tag.as_deref() == Some(row.id.to_string().as_str()))
                    .map(|(id, _)| id)
            }
            None => None,
        };
        if let Some(id) = own {
            return self.delete_own_group(aws, &id).await;
        }
        Ok(None)
    }

    /// Deregisters the group's targets, and deletes the group once none of them is still
    /// draining (AWS keeps each for the group's deregistration delay, so that requests in
    /// flight finish). False while some drain: the job runs again later.
    async fn retire_group(
        &self,
        aws: &Aws,
        row: &ResourceRow,
        name: &str,
        arn: &str,
    ) -> Result<bool, ApplyError> {
        let client = aws.elbv2();
        self.spend(aws, "elasticloadbalancing:DescribeTargetHealth")
            .await?;
        let Some(health) = elbv2::target_health(&client, arn).await? else {
            return Ok(true);
        };
        let active: Vec<(String, Option<u16>)> = health
            .iter()
            .filter(|t| t.state != "draining")
            .map(|t| (t.id.clone(), Some(t.port).filter(|p| *p != 0)))
            .collect();
        if !active.is_empty() {
            // Target health is eventually consistent: a target just deregistered may still
            // read as healthy. Look again on the next run.
            self.spend(aws, "elasticloadbalancing:DeregisterTargets")
                .await?;
            elbv2::deregister(&client, arn, &active).await?;
            return Ok(false);
        }
        if health.iter().any(|t| t.state == "draining") {
            return Ok(false);
        }
        self.spend(aws, "elasticloadbalancing:DeleteTargetGroup")
            .await?;
        elbv2::delete_group(&client, arn).await?;
        self.note(row, "target group deleted", json!({ "name": name }))
            .await?;
        Ok(true)
    }

    fn draining(&self, group: &str) -> Outcome {
        Outcome::Later(
            format!(
                "Waiting for the targets of {group} to drain (its deregistration delay) before deleting it."
            ),
            self.drain_check.as_millis() as i64,
        )
    }

    async fn note(
        &self,
        row: &ResourceRow,
        what: &str,
        detail: serde_json::Value,
    ) -> Result<(), ApplyError> {
        let detail = (!detail.is_null()).then_some(detail);
        db::event(&self.pool, row.team_id, row.id, what, detail).await?;
        Ok(())
    }
}
