//! The AWS call budget is shared through Postgres: callers in different processes (here, two
//! pools standing in for two replicas) draw from one bucket and never spend more than it has.
mod common;

use server::reconciler::budget::Budget;
use std::time::Duration;

#[tokio::test]
async fn two_replicas_share_one_bucket_and_the_sixth_call_waits() {
    let url = common::fresh_database().await;
    let first = sqlx::PgPool::connect(&url).await.unwrap();
    app::db::MIGRATOR.run(&first).await.unwrap();
    let second = sqlx::PgPool::connect(&url).await.unwrap();
    // Five tokens and almost no refill: five calls go at once, the sixth must wait.
    let budget = Budget {
        per_second: 0.001,
        burst: 5.0,
    };
    let mut takers = tokio::task::JoinSet::new();
    for i in 0..6 {
        let pool = if i % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        takers.spawn(async move {
            budget
                .take(&pool, "acct|ap-northeast-2|cloudwatch:PutMetricAlarm")
                .await
        });
    }
    let mut done = 0;
    let waited = tokio::time::timeout(Duration::from_millis(1500), async {
        while let Some(result) = takers.join_next().await {
            result.unwrap().unwrap();
            done += 1;
        }
    })
    .await;
    assert!(waited.is_err(), "all six went through");
    assert_eq!(done, 5, "exactly the bucket's five went through");
    // Another API has its own bucket.
    budget
        .take(&first, "acct|ap-northeast-2|cloudwatch:DescribeAlarms")
        .await
        .unwrap();
    takers.abort_all();
}
