//! What every request handler and server function can reach.
use crate::aws::Aws;
use crate::cli::ServeArgs;
use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sqlx::PgPool;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub aws: Aws,
    pub sessions: app::api::guard::SessionPolicy,
    pub trusted_proxy_hops: usize,
}

impl AppState {
    pub fn new(args: &ServeArgs, pool: PgPool, aws: Aws) -> Self {
        // Built here rather than read from cargo-leptos' variables, so `cargo run`, tests and
        // the release binary all find the same site.
        let leptos_options = LeptosOptions::builder()
            .output_name("belfry")
            .site_root(args.site_root.to_string_lossy().into_owned())
            .site_pkg_dir("pkg")
            .site_addr(args.site_addr)
            .build();
        AppState {
            leptos_options,
            pool,
            aws,
            sessions: args.session_policy(),
            trusted_proxy_hops: args.trusted_proxy_hops,
        }
    }
}

impl AppState {
    /// What server functions reach through Leptos context.
    pub fn backend(&self) -> app::api::guard::Backend {
        app::api::guard::Backend {
            pool: self.pool.clone(),
            sessions: self.sessions,
            trusted_proxy_hops: self.trusted_proxy_hops,
            catalog: std::sync::Arc::new(crate::reconciler::Reconciler::new(
                self.pool.clone(),
                self.aws.clone(),
            )),
        }
    }
}
