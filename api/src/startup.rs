//! Building and running the application: the same code serves `plog serve` and the tests,
//! which bind port 0 and read the port back.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::ServeConfig;
use crate::limits::{AddressLimits, PurchaseLimits, RestoreLimits, SignInLimiter};
use crate::mailer::Mailer;
use crate::state::{AppContext, AppState};
use crate::store::Store;
use crate::stripe::StripeApi;
use crate::widget_build::WidgetAssets;

/// A bound, ready-to-run plog server.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Validates the configuration, opens and migrates the database, builds the Stripe client
    /// and binds the listen address.
    pub async fn build(config: ServeConfig) -> anyhow::Result<Application> {
        config.validate()?;
        let store = Store::open(&config.database).await?;
        store.migrate().await?;
        let metrics = store.metrics().clone();
        let stripe = StripeApi::new(&config.stripe.access, metrics.clone())?;
        let listener =
            TcpListener::bind(config.listen).await.with_context(|| format!("Failed to listen on {}", config.listen))?;
        let local = listener.local_addr()?;
        let public_url = crate::config::public_origin(config.public_url.as_deref(), local);
        let widget = match WidgetAssets::find(config.widget_dir.as_deref()) {
            Ok(assets) => {
                tracing::info!(files = %assets.origin(), "the widget is served");
                Some(assets)
            }
            Err(error) => {
                tracing::warn!(error = %format!("{error:#}"), "the widget is not served");
                None
            }
        };
        let stripe_js_url = config.stripe_js_url(&public_url);
        let mailer = Mailer::new(&config.mail)?;
        if mailer.is_none() {
            tracing::info!("no PLOG_SMTP_URL: receipts by mail and restoring access are not offered");
        }
        let address_limits = AddressLimits::new(&config.address_limits);
        let purchase_limits = PurchaseLimits::new(&config.purchase_limits, config.stripe.webhook_secret.clone());
        let state = Arc::new(AppContext {
            config,
            own_origin: crate::sites::canonical_origin(&public_url).ok(),
            public_url,
            stripe_js_url,
            store,
            stripe,
            purchase_limits,
            sign_ins: SignInLimiter::default(),
            widget,
            mailer,
            restore_limits: RestoreLimits::default(),
            address_limits,
            metrics,
        });
        Ok(Application { listener, state })
    }

    /// The address actually bound (port 0 becomes a real port).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// The shared state (tests use its store).
    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// Serves until `shutdown` resolves, then stops accepting, lets in-flight requests finish
    /// (for at most [`SHUTDOWN_GRACE`]) and closes the database pool.
    pub async fn run_until(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let store = self.state.store.clone();
        let reconciler = self.state.config.reconcile_every.map(|every| {
            tokio::spawn(crate::payments::reconcile::run_periodically(
                store.clone(),
                self.state.stripe.clone(),
                every.into(),
            ))
        });
        let sender =
            self.state.mailer.clone().map(|mailer| tokio::spawn(crate::receipts::sender::run(store.clone(), mailer)));
        let forgetter = tokio::spawn({
            let state = self.state.clone();
            async move {
                let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
                loop {
                    every.tick().await;
                    state.purchase_limits.forget_idle();
                    if let Err(error) = state.store.forget_idle_rates().await {
                        tracing::warn!(error = %format!("{error:#}"), "could not forget idle rate limits");
                    }
                    state.sign_ins.forget_idle();
                    state.restore_limits.forget_idle();
                    state.address_limits.forget_idle();
                }
            }
        });
        tracing::info!(address = %self.local_addr(), public_url = %self.state.public_url, "plog is serving");
        let (stop, stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop.send(true);
        });
        let mut graceful = stopped.clone();
        // Connection info gives the rate limits the client's address.
        let app = crate::http::router(self.state).into_make_service_with_connect_info::<SocketAddr>();
        let serve = axum::serve(self.listener, app).with_graceful_shutdown(async move {
            let _ = graceful.wait_for(|stop| *stop).await;
        });
        let mut overdue = stopped;
        let deadline = async move {
            let _ = overdue.wait_for(|stop| *stop).await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        };
        tokio::select! {
            served = async { serve.await } => served.context("Failed to serve HTTP")?,
            () = deadline => tracing::warn!("requests still in flight after {SHUTDOWN_GRACE:?}: stopping anyway"),
        }
        forgetter.abort();
        if let Some(sender) = sender {
            sender.abort();
        }
        if let Some(reconciler) = reconciler {
            reconciler.abort();
        }
        store.close().await;
        tracing::info!("plog stopped");
        Ok(())
    }
}

/// How long a shutdown waits for requests in flight.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(20);

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
