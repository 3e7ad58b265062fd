//! The reconciler's AWS call budget, counted at a proxy in front of moto (run by
//! `scripts/bench`, not by the tests):
//! - creating N alarms makes exactly N PutMetricAlarm calls;
//! - a resync of N alarms that are in sync makes N/100 DescribeAlarms calls and writes nothing.
//!
//! `BELFRY_BENCH_ALARMS` sets N (1000 by default). It prints the figures and fails if a count
//! is off.
// Not every helper of the proxy, nor the database's URL, is used here.
#[allow(dead_code)]
mod common;
#[allow(dead_code)]
#[path = "../tests/common/proxy.rs"]
mod proxy;

use app::domain::alarm::Template;
use app::domain::plan::Kind;
use common::{BenchDatabase, env};
use server::aws::Aws;
use server::reconciler::Reconciler;
use server::reconciler::budget::Budget;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let count: usize = std::env::var("BELFRY_BENCH_ALARMS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let moto = env("BELFRY_TEST_MOTO_URL");
    let database = BenchDatabase::create("bench").await;
    let (pool, team, user) = (database.pool.clone(), database.team, database.user);

    let tag = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let started = Instant::now();
    for i in 0..count {
        let mut spec = Template::EbsWriteBytes.spec();
        spec.name = format!("bench-{tag}-{i:05}");
        spec.dimensions[0].value = format!("vol-{i:017x}");
        let json = serde_json::to_value(&spec).unwrap();
        app::db::resources::create(&pool, team, user, Kind::Alarm, &spec.name, json)
            .await
            .unwrap()
            .unwrap();
    }
    let declared = started.elapsed();

    let proxy = proxy::Proxy::start(&moto).await;
    let mut reconciler = Reconciler::new(
        pool.clone(),
        Aws::for_endpoint(&proxy.url, "ap-northeast-2").await,
    );
    reconciler.budget = Budget {
        per_second: 100_000.0,
        burst: 100_000.0,
    };
    app::db::resources::release_planned(&pool, team, Some(user))
        .await
        .unwrap();
    let started = Instant::now();
    reconciler.drain(Duration::from_secs(1800)).await.unwrap();
    let applied = started.elapsed();
    let puts = proxy.calls("PutMetricAlarm");
    let in_sync: i64 =
        sqlx::query_scalar("SELECT count(*) FROM resources WHERE status = 'in_sync'")
            .fetch_one(&pool)
            .await
            .unwrap();
    println!("alarms: {count}");
    println!("declare (one transaction each): {:.2?}", declared);
    println!(
        "apply: {:.2?} ({:.0} alarms/s), calls: {:?}",
        applied,
        count as f64 / applied.as_secs_f64(),
        proxy.all_calls()
    );

    proxy.reset_counts();
    let rows_before: String =
        sqlx::query_scalar("SELECT string_agg(xmin::text, ',' ORDER BY id) FROM resources")
            .fetch_one(&pool)
            .await
            .unwrap();
    let events_before: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&pool)
        .await
        .unwrap();
    let started = Instant::now();
    let report = reconciler.resync_team(team).await.unwrap();
    let resynced = started.elapsed();
    let rows_after: String =
        sqlx::query_scalar("SELECT string_agg(xmin::text, ',' ORDER BY id) FROM resources")
            .fetch_one(&pool)
            .await
            .unwrap();
    let events_after: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&pool)
        .await
        .unwrap();
    let describes = proxy.calls("DescribeAlarms");
    println!(
        "no-op resync: {:.2?}, calls: {:?}, report: {:?}",
        resynced,
        proxy.all_calls(),
        report
    );

    database.drop_database().await;

    let mut failures = Vec::new();
    if puts != count {
        failures.push(format!("{puts} PutMetricAlarm calls for {count} alarms"));
    }
    if in_sync != count as i64 {
        failures.push(format!("{in_sync} of {count} alarms in sync"));
    }
    if describes != count.div_ceil(100) {
        failures.push(format!("{describes} DescribeAlarms calls in the resync"));
    }
    if rows_before != rows_after || events_before != events_after || report.written != 0 {
        failures.push("the no-op resync wrote to the database".to_owned());
    }
    if failures.is_empty() {
        println!(
            "ok: {count} puts for {count} alarms; {describes} describes and no writes to resync them"
        );
    } else {
        eprintln!("FAILED: {}", failures.join("; "));
        std::process::exit(1);
    }
}
