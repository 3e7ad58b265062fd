//! Teams, roles and invitations over HTTP: who may call what, scoped to their own team.
mod common;

use common::{TestApp, spawn_app};
use serde_json::Value;

const PASSWORD: &str = "correct horse battery staple";

/// An endpoint, its arguments, and the status each caller gets (0: allowed).
type Expectation<'a> = (&'a str, Vec<(&'a str, &'a str)>, [u16; 5]);

struct World {
    app: TestApp,
    admin: String,
    editor: String,
    viewer: String,
    /// Admin of another team, not a member of the first.
    stranger: String,
    team_a: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let admin = app.first_admin("ada@example.com", PASSWORD).await;
    let editor = app.invite(&admin, "editor", "bob@example.com").await;
    let viewer = app.invite(&admin, "viewer", "carol@example.com").await;
    // Carol starts a second team and invites Erin as its admin: Erin is in no team of Ada's.
    let response = app
        .call("create_team", &[("name", "Other")], Some(&viewer))
        .await;
    assert!(response.status().is_success() || response.status().is_redirection());
    let team_a = app.whoami(Some(&admin)).await["team_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let stranger = app.invite(&viewer, "admin", "erin@example.com").await;
    World {
        app,
        admin,
        editor,
        viewer,
        stranger,
        team_a,
    }
}

#[tokio::test]
async fn every_endpoint_answers_each_role_as_it_should() {
    let w = world().await;
    // The viewer made team "Other" current when creating it: move back to team A.
    let switched = w
        .app
        .call("switch_team", &[("team_id", &w.team_a)], Some(&w.viewer))
        .await;
    assert!(switched.status().is_success() || switched.status().is_redirection());

    // Team A has a topic and an alarm (declared, not applied).
    let topic: String = w
        .app
        .call_json("create_topic", &[("name", "ops")], Some(&w.admin))
        .await;
    let alarm_form = |name: &'static str| {
        vec![
            ("form[name]", name),
            ("form[namespace]", "AWS/EBS"),
            ("form[metric_name]", "VolumeWriteBytes"),
            ("form[statistic]", "Sum"),
            ("form[period_seconds]", "300"),
            ("form[evaluation_periods]", "1"),
            ("form[threshold]", "100000"),
            ("form[comparison]", "GreaterThanThreshold"),
        ]
    };
    let alarm: String = w
        .app
        .call_json("save_alarm", &alarm_form("base"), Some(&w.admin))
        .await;

    // (endpoint, arguments, anonymous, viewer, editor, admin of A, admin of another team)
    // 0: allowed. 409: the editor made the same name first; 404: not in the caller's team.
    let team_a = w.team_a.clone();
    let matrix: Vec<Expectation> = vec![
        ("my_teams", vec![], [200, 200, 200, 200, 200]),
        ("team_members", vec![], [401, 200, 200, 200, 200]),
        ("audit_log", vec![], [401, 200, 200, 200, 200]),
        (
            "create_invitation",
            vec![("role", "viewer")],
            [401, 403, 403, 200, 200],
        ),
        (
            "switch_team",
            vec![("team_id", team_a.as_str())],
            [401, 0, 0, 0, 404],
        ),
        ("overview", vec![], [200, 200, 200, 200, 200]),
        (
            "list_resources",
            vec![("kind", "alarm")],
            [401, 200, 200, 200, 200],
        ),
        ("plan", vec![], [401, 200, 200, 200, 200]),
        ("alarm_states", vec![], [401, 200, 200, 200, 200]),
        (
            "load_alarm_form",
            vec![("id", alarm.as_str())],
            [401, 200, 200, 200, 404],
        ),
        (
            "create_topic",
            vec![("name", "mine")],
            [401, 403, 200, 409, 200],
        ),
        ("save_alarm", alarm_form("mine"), [401, 403, 200, 409, 200]),
        (
            "save_rule",
            vec![("form[name]", "tick"), ("form[schedule]", "rate(1 hour)")],
            [401, 403, 200, 409, 200],
        ),
        (
            "load_rule_form",
            vec![("template", "business-hours")],
            [401, 200, 200, 200, 200],
        ),
        (
            "load_rule_form",
            vec![("id", alarm.as_str())],
            [401, 404, 404, 404, 404],
        ),
        ("lambda_functions", vec![], [401, 200, 200, 200, 200]),
        (
            "save_schedule",
            vec![
                ("form[name]", "nightly"),
                ("form[expression]", "cron(0 2 * * ? *)"),
                ("form[timezone]", "Asia/Seoul"),
                (
                    "form[target_arn]",
                    "arn:aws:sqs:ap-northeast-2:123456789012:jobs",
                ),
                ("form[role_arn]", "arn:aws:iam::123456789012:role/scheduler"),
            ],
            [401, 403, 200, 409, 200],
        ),
        ("load_schedule_form", vec![], [401, 200, 200, 200, 200]),
        (
            "load_schedule_form",
            vec![("id", alarm.as_str())],
            [401, 404, 404, 404, 404],
        ),
        (
            "list_page",
            vec![("kind", "alarm")],
            [401, 200, 200, 200, 200],
        ),
        ("read_network", vec![], [401, 200, 200, 200, 200]),
        ("load_balancer_form", vec![], [401, 200, 200, 200, 200]),
        (
            "load_balancer_form",
            vec![("id", alarm.as_str())],
            [401, 404, 404, 404, 404],
        ),
        (
            "live_balancer",
            vec![("id", alarm.as_str())],
            [401, 404, 404, 404, 404],
        ),
        // Checked against the network before anything is stored: no VPC, no subnets.
        (
            "save_balancer",
            vec![("form[name]", "web")],
            [401, 403, 422, 422, 422],
        ),
        ("importable_balancers", vec![], [401, 403, 200, 200, 200]),
        (
            "adopt_balancer",
            vec![(
                "arn",
                "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:loadbalancer/app/nobody/0123456789abcdef",
            )],
            [401, 403, 404, 404, 404],
        ),
        ("importable_schedules", vec![], [401, 403, 200, 200, 200]),
        (
            "adopt_schedule",
            vec![("id", "default/nobody-made-this")],
            [401, 403, 404, 404, 404],
        ),
        (
            "create_subscription",
            vec![
                ("topic", topic.as_str()),
                ("protocol", "email"),
                ("endpoint", "a@example.com"),
            ],
            [401, 403, 200, 409, 404],
        ),
        (
            "send_test_notification",
            vec![("id", alarm.as_str())],
            [401, 403, 409, 409, 404],
        ),
        (
            "resend_confirmation",
            vec![("id", topic.as_str())],
            [401, 403, 404, 404, 404],
        ),
        ("importable_alarms", vec![], [401, 403, 200, 200, 200]),
        (
            "adopt_alarm",
            vec![("name", "no-such-alarm")],
            [401, 403, 404, 404, 404],
        ),
        ("apply_plan", vec![], [401, 403, 200, 200, 200]),
        (
            "set_self_heal",
            vec![("on", "false")],
            [401, 403, 403, 200, 200],
        ),
        ("aws_connection", vec![], [401, 403, 403, 200, 200]),
        (
            "save_aws_connection",
            vec![("region", "ap-northeast-2")],
            [401, 403, 403, 200, 200],
        ),
        // The editor's request deletes it; then it is going already.
        (
            "delete_resource",
            vec![("id", topic.as_str())],
            [401, 403, 200, 404, 404],
        ),
    ];
    let who: [Option<&str>; 5] = [
        None,
        Some(&w.viewer),
        Some(&w.editor),
        Some(&w.admin),
        Some(&w.stranger),
    ];
    for (endpoint, args, expected) in &matrix {
        for (index, cookie) in who.iter().enumerate() {
            let response = w.app.call(endpoint, args, *cookie).await;
            let status = response.status().as_u16();
            match expected[index] {
                // 0: allowed, success or the redirect that follows it.
                0 => assert!(
                    (200..400).contains(&status),
                    "{endpoint} as #{index}: {status}"
                ),
                code => assert_eq!(status, code, "{endpoint} as #{index}"),
            }
        }
    }
}

#[tokio::test]
async fn members_and_the_audit_log_are_scoped_to_the_current_team() {
    let w = world().await;
    let members: Value = w
        .app
        .call_json("team_members", &[], Some(&w.stranger))
        .await;
    let emails: Vec<&str> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["email"].as_str().unwrap())
        .collect();
    // Erin was invited into Carol's team "Other": she sees its members, not team A's.
    assert!(emails.contains(&"erin@example.com"), "{emails:?}");
    assert!(!emails.contains(&"ada@example.com"), "{emails:?}");

    let log: Value = w.app.call_json("audit_log", &[], Some(&w.admin)).await;
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"user.signup"));
    assert!(actions.contains(&"invitation.create"));
    assert!(actions.contains(&"member.join"));
    assert!(
        !actions.contains(&"team.create"),
        "team.create happened in another team: {actions:?}"
    );
}

#[tokio::test]
async fn an_invitation_works_once() {
    let app = spawn_app().await;
    let admin = app.first_admin("ada@example.com", PASSWORD).await;
    let path: String = app
        .call_json("create_invitation", &[("role", "editor")], Some(&admin))
        .await;
    let token = path.trim_start_matches("/invite/").to_owned();
    let info: Value = app
        .call_json("invitation_info", &[("token", &token)], None)
        .await;
    assert_eq!(info["team_name"], "Platform");
    assert_eq!(info["role"], "editor");
    assert_eq!(info["usable"], true);

    let first = app
        .call(
            "accept_invitation",
            &[
                ("token", &token),
                ("email", "bob@example.com"),
                ("password", PASSWORD),
            ],
            None,
        )
        .await;
    assert!(first.status().is_success() || first.status().is_redirection());
    let again = app
        .call(
            "accept_invitation",
            &[
                ("token", &token),
                ("email", "eve@example.com"),
                ("password", PASSWORD),
            ],
            None,
        )
        .await;
    assert_eq!(again.status(), 409);
    let info: Value = app
        .call_json("invitation_info", &[("token", &token)], None)
        .await;
    assert_eq!(info["usable"], false);
    let unknown = app
        .call("invitation_info", &[("token", &"0".repeat(64))], None)
        .await;
    assert_eq!(unknown.status(), 404);

    // Only the token's hash is stored.
    let pool = sqlx::PgPool::connect(&app.database_url).await.unwrap();
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_sha256 FROM invitations")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), 32);
    assert!(!String::from_utf8_lossy(&stored).contains(&token));
}

#[tokio::test]
async fn an_admin_sets_the_aws_connection_and_no_secret_is_stored() {
    let app = spawn_app().await;
    let admin = app.first_admin("ada@example.com", PASSWORD).await;
    let editor = app.invite(&admin, "editor", "bob@example.com").await;
    let role = "arn:aws:iam::123456789012:role/belfry";

    let refused = app
        .call(
            "save_aws_connection",
            &[("region", "ap-northeast-2"), ("role_arn", role)],
            Some(&editor),
        )
        .await;
    assert_eq!(refused.status(), 403);
    let bad = app
        .call(
            "save_aws_connection",
            &[("region", "Seoul"), ("role_arn", role)],
            Some(&admin),
        )
        .await;
    assert_eq!(bad.status(), 422);
    let body: Value = bad.json().await.unwrap();
    assert_eq!(body["Invalid"]["field"], "region");

    let saved = app
        .call(
            "save_aws_connection",
            &[
                ("region", "ap-northeast-2"),
                ("role_arn", role),
                ("endpoint_url", ""),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(saved.status(), 200);
    let first: Value = app.call_json("aws_connection", &[], Some(&admin)).await;
    assert_eq!(first["region"], "ap-northeast-2");
    assert_eq!(first["role_arn"], role);
    assert!(first["endpoint_url"].is_null());
    let external_id = first["external_id"].as_str().unwrap().to_owned();
    assert!(
        external_id.starts_with("belfry-") && external_id.len() > 40,
        "{external_id}"
    );

    // Saving again keeps the external id: the role's trust policy names it.
    app.call(
        "save_aws_connection",
        &[("region", "us-east-1"), ("role_arn", role)],
        Some(&admin),
    )
    .await;
    let second: Value = app.call_json("aws_connection", &[], Some(&admin)).await;
    assert_eq!(second["region"], "us-east-1");
    assert_eq!(second["external_id"], external_id.as_str());

    let log: Value = app
        .call_json("audit_log", &[("action", "aws_connection.")], Some(&admin))
        .await;
    let rows = log.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(
        rows[0]["before"]
            .as_str()
            .unwrap()
            .contains("ap-northeast-2")
    );
    assert!(rows[0]["after"].as_str().unwrap().contains("us-east-1"));

    // The table has no column that could hold a key or a secret.
    let pool = sqlx::PgPool::connect(&app.database_url).await.unwrap();
    let columns: Vec<String> = sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns WHERE table_name = 'aws_connections' ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        columns,
        [
            "endpoint_url",
            "external_id",
            "region",
            "role_arn",
            "team_id",
            "updated_at"
        ]
    );
}

#[tokio::test]
async fn a_change_that_rolls_back_leaves_no_audit_row() {
    let app = spawn_app().await;
    let admin = app.first_admin("ada@example.com", PASSWORD).await;
    let pool = sqlx::PgPool::connect(&app.database_url).await.unwrap();
    // A fault at commit time: a deferred trigger refuses a team named "Doomed" only when the
    // transaction commits, after the team and its audit row have both been written in it.
    sqlx::raw_sql(
        r#"CREATE FUNCTION refuse_doomed() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             IF NEW.name = 'Doomed' THEN RAISE EXCEPTION 'injected fault'; END IF;
             RETURN NEW;
           END $$;
           CREATE CONSTRAINT TRIGGER refuse_doomed AFTER INSERT ON teams
             DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_doomed();"#,
    )
    .execute(&pool)
    .await
    .unwrap();
    let audit_rows = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM audit WHERE action = 'team.create'")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    let before = audit_rows().await;

    let response = app
        .call("create_team", &[("name", "Doomed")], Some(&admin))
        .await;
    assert_eq!(response.status(), 500);
    let teams: i64 = sqlx::query_scalar("SELECT count(*) FROM teams WHERE name = 'Doomed'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(teams, 0, "the refused team is not there");
    assert_eq!(audit_rows().await, before, "nor is its audit row");

    // The same call for another name commits both.
    let response = app
        .call("create_team", &[("name", "Spared")], Some(&admin))
        .await;
    assert!(response.status().is_success() || response.status().is_redirection());
    assert_eq!(audit_rows().await, before + 1);
}
