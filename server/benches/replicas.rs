//! Three Belfry servers against one Postgres, alarms changing all the time, one server killed
//! (SIGKILL) and started again every 10 seconds (run by `scripts/bench`, not by the tests).
//!
//! At the proxy in front of moto it counts every PutMetricAlarm, and every time one arrives
//! for an alarm while another for the same alarm is still in flight (two applies of one
//! resource at once). When the churn stops it waits for every alarm to be in sync at its
//! latest change, then reads moto: each alarm must have the threshold it was last given. It
//! prints the figures and fails if a change was lost or two applies overlapped.
//!
//! `BELFRY_BENCH_ALARMS` (default 40), `BELFRY_BENCH_SECONDS` (churn, default 60) and
//! `BELFRY_BENCH_LEASE` (seconds a dead server's jobs wait, default 5).
mod common;
#[allow(dead_code)]
#[path = "../tests/common/proxy.rs"]
mod proxy;

use app::db::resources::{self as db, Edit};
use app::domain::alarm::Template;
use app::domain::plan::Kind;
use common::{BenchDatabase, env};
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_server(database: &str, aws: &str, lease: u64) -> Child {
    Command::new(env!("CARGO_BIN_EXE_belfry"))
        .arg("serve")
        .env("DATABASE_URL", database)
        .env("AWS_ENDPOINT_URL", aws)
        .env("AWS_REGION", "ap-northeast-2")
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{}", free_port()))
        .env("BELFRY_LEASE_SECONDS", lease.to_string())
        .env("BELFRY_RESYNC_SECONDS", "3600")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("belfry serve starts")
}

/// The servers; killed (and waited for) also when the bench panics.
struct Servers(Vec<Child>);

impl Drop for Servers {
    fn drop(&mut self) {
        for server in &mut self.0 {
            let _ = server.kill();
            let _ = server.wait();
        }
    }
}

#[tokio::main]
async fn main() {
    let alarms = setting("BELFRY_BENCH_ALARMS", 40) as usize;
    let churn = Duration::from_secs(setting("BELFRY_BENCH_SECONDS", 60));
    let lease = setting("BELFRY_BENCH_LEASE", 5);
    let moto = env("BELFRY_TEST_MOTO_URL");
    let bench = BenchDatabase::create("replicas").await;
    let database = bench.url.clone();
    let (pool, team, user) = (bench.pool.clone(), bench.team, bench.user);

    let proxy = proxy::Proxy::start(&moto).await;
    let mut servers = Servers(
        (0..3)
            .map(|_| start_server(&database, &proxy.url, lease))
            .collect(),
    );

    // The churn: every 50 ms one alarm is declared or given a new threshold, and the plan
    // is applied; every 10 s one server is killed and started again.
    let tag = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let mut ids: HashMap<usize, uuid::Uuid> = HashMap::new();
    let mut want: HashMap<String, f64> = HashMap::new();
    let mut changes = 0usize;
    let mut kills = 0usize;
    let started = Instant::now();
    let mut last_kill = Instant::now();
    let mut step = 0usize;
    while started.elapsed() < churn {
        let i = step % alarms;
        step += 1;
        let mut spec = Template::EbsWriteBytes.spec();
        spec.name = format!("replicas-{tag}-{i:03}");
        spec.dimensions[0].value = format!("vol-{i:017x}");
        spec.threshold = 100_000.0 + step as f64;
        let json = serde_json::to_value(&spec).unwrap();
        match ids.get(&i) {
            None => {
                let id = db::create(&pool, team, user, Kind::Alarm, &spec.name, json)
                    .await
                    .unwrap()
                    .unwrap();
                ids.insert(i, id);
            }
            Some(id) => {
                let version: i32 =
                    sqlx::query_scalar("SELECT version FROM resources WHERE id = $1")
                        .bind(id)
                        .fetch_one(&pool)
                        .await
                        .unwrap();
                let edit = db::update(
                    &pool,
                    team,
                    user,
                    *id,
                    Kind::Alarm,
                    version,
                    &spec.name,
                    json,
                )
                .await
                .unwrap();
                assert!(matches!(edit, Edit::Done), "the change was refused");
            }
        }
        want.insert(spec.name.clone(), spec.threshold);
        changes += 1;
        db::release_planned(&pool, team, Some(user)).await.unwrap();
        // Only the bench kills servers: one that exits by itself (or never starts) fails it.
        for server in &mut servers.0 {
            if let Some(status) = server.try_wait().unwrap() {
                panic!("a server exited by itself: {status}");
            }
        }
        if last_kill.elapsed() >= Duration::from_secs(10) {
            let k = kills % servers.0.len();
            servers.0[k].kill().unwrap();
            servers.0[k].wait().unwrap();
            servers.0[k] = start_server(&database, &proxy.url, lease);
            kills += 1;
            last_kill = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The churn stops: every alarm must reach its last change.
    let stopped = Instant::now();
    loop {
        let behind: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM resources WHERE status <> 'in_sync' OR observed_generation <> generation",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        if behind == 0 {
            break;
        }
        assert!(
            stopped.elapsed() < Duration::from_secs(300),
            "{behind} alarms not in sync 5 minutes after the churn stopped"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let drained = stopped.elapsed();
    // A replica whose lease ran out mid-apply could still write late: give it longer than a
    // lease before reading AWS.
    tokio::time::sleep(Duration::from_secs(lease + 2)).await;
    drop(servers);

    let cloudwatch = server::aws::Aws::for_endpoint(&moto, "ap-northeast-2")
        .await
        .cloudwatch();
    let mut lost = Vec::new();
    let names: Vec<String> = want.keys().cloned().collect();
    for chunk in names.chunks(100) {
        let found = cloudwatch
            .describe_alarms()
            .set_alarm_names(Some(chunk.to_vec()))
            .send()
            .await
            .unwrap();
        let have: HashMap<String, f64> = found
            .metric_alarms()
            .iter()
            .map(|a| {
                (
                    a.alarm_name().unwrap_or_default().to_owned(),
                    a.threshold().unwrap_or_default(),
                )
            })
            .collect();
        for name in chunk {
            if have.get(name) != want.get(name) {
                lost.push(format!(
                    "{name}: AWS has {:?}, the last change said {:?}",
                    have.get(name),
                    want.get(name)
                ));
            }
        }
    }
    let puts = proxy.calls("PutMetricAlarm");
    println!("servers: 3, one killed and restarted every 10 s ({kills} kills)");
    println!(
        "changes: {changes} to {alarms} alarms in {:.0?}, lease {lease} s",
        churn
    );
    println!(
        "PutMetricAlarm calls: {puts} ({:.2} per change; changes made while one waits are applied together)",
        puts as f64 / changes as f64
    );
    println!("in sync {:.1?} after the churn stopped", drained);
    println!("two applies of one alarm at once: {}", proxy.overlaps());
    println!("alarms whose last change is not in AWS: {}", lost.len());
    drop(pool);
    bench.drop_database().await;
    assert!(lost.is_empty(), "{lost:#?}");
    assert_eq!(proxy.overlaps(), 0, "two applies of one alarm overlapped");
}
