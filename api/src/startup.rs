//! Building and running the application: the same code serves `plog serve` and the tests,
//! which bind port 0 and read the port back.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::clock::Clock;
use crate::config::ServeConfig;
use crate::limits::{AddressLimits, AdminTokenLimiter, PurchaseLimits, RestoreLimits};
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
        // The offline sandbox's clock can be moved (`/sandbox/clock`, behind the admin token), to
        // show what time does without waiting; a server with live keys keeps the system's.
        let clock = if config.sandbox { Clock::movable() } else { Clock::system() };
        Application::build_with_clock(config, clock).await
    }

    /// [`Application::build`] on a given clock (tests pass one they move).
    pub async fn build_with_clock(config: ServeConfig, clock: Clock) -> anyhow::Result<Application> {
        config.validate()?;
        let store = Store::open(&config.database).await?;
        store.migrate().await?;
        let metrics = Arc::new(crate::metrics::Metrics::default());
        let mail_queued = crate::receipts::sender::MailQueued::default();
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
        let stripe_js_url =
            config.stripe_js_url(&public_url).unwrap_or_else(|| crate::stripe::STRIPE_JS_URL.to_owned());
        let mailer = Mailer::new(&config.mail)?;
        if mailer.is_none() {
            tracing::info!("no PLOG_SMTP_URL: receipts by mail and restoring access are not offered");
        }
        let address_limits = AddressLimits::new(&config.address_limits);
        let hash_keys = config.hash_keys();
        let purchase_limits = PurchaseLimits::new(&config.purchase_limits, hash_keys.current.clone());
        let creator_limits = crate::limits::CreatorLimits::new(config.platform.writes_per_creator);
        let state = Arc::new(AppContext {
            config,
            own_origin: crate::sites::canonical_origin(&public_url).ok(),
            public_url,
            stripe_js_url,
            store,
            stripe,
            purchase_limits,
            admin_tokens: AdminTokenLimiter::default(),
            creator_limits,
            widget,
            mailer,
            restore_limits: RestoreLimits::default(),
            address_limits,
            hash_keys,
            clock,
            tally: crate::payments::tally::Tally::new(metrics.clone(), mail_queued.clone()),
            metrics,
            mail_queued,
            offers: Default::default(),
            origins: Default::default(),
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
                self.state.tally.clone(),
                every.into(),
                self.state.clock.clone(),
            ))
        });
        let sender = self.state.mailer.clone().map(|mailer| {
            tokio::spawn(crate::receipts::sender::run(
                store.clone(),
                mailer,
                self.state.clock.clone(),
                self.state.metrics.clone(),
                self.state.mail_queued.clone(),
                self.state.public_url.clone(),
            ))
        });
        // Sites listed before (or by the CLI, or by another replica) are registered for wallets.
        let wallet_domains = tokio::spawn(crate::wallets::run_periodically(
            store.clone(),
            self.state.stripe.clone(),
            self.state.config.platform.clone(),
            self.state.clock.clone(),
        ));
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
                    state.admin_tokens.forget_idle();
                    state.creator_limits.forget_idle();
                    state.restore_limits.forget_idle();
                    state.address_limits.forget_idle();
                    let started_before = state.clock.now() - crate::offers::discounts::HOLD_SECS;
                    match state.store.release_stale_discounts(started_before).await {
                        Ok(0) => {}
                        Ok(released) => {
                            state.offers.forget_codes();
                            tracing::info!(released, "gave back discount uses of purchases never paid")
                        }
                        Err(error) => {
                            tracing::warn!(error = %format!("{error:#}"), "could not give back discount uses")
                        }
                    }
                }
            }
        });
        tracing::info!(address = %self.local_addr(), public_url = %self.state.public_url, "plog is serving");
        let (stop, stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop.send(true);
        });
        let header_timeout = std::time::Duration::from_secs(self.state.config.requests.header_timeout_secs);
        let app = crate::http::router(self.state);
        let serve = serve_connections(self.listener, app, header_timeout, stopped.clone());
        let mut overdue = stopped;
        let deadline = async move {
            let _ = overdue.wait_for(|stop| *stop).await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        };
        tokio::select! {
            served = serve => served.context("Failed to serve HTTP")?,
            () = deadline => tracing::warn!("requests still in flight after {SHUTDOWN_GRACE:?}: stopping anyway"),
        }
        forgetter.abort();
        wallet_domains.abort();
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

/// Accepts connections until `stop` turns true, then lets each finish its request in flight.
/// Like `axum::serve`, with what it lacks: a client must send a request's headers within
/// `header_timeout`, and a kept-alive connection idle that long is closed (hyper's header-read
/// timer also runs while a connection waits for its next request). Without it, half-sent
/// requests hold sockets and tasks for as long as the client likes. Each request carries the
/// peer's address (`ConnectInfo`), which the rate limits read.
async fn serve_connections(
    listener: TcpListener,
    app: axum::Router,
    header_timeout: std::time::Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> anyhow::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;

    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(header_timeout);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
            // The guard `wait_for` returns is not `Send`: dropped inside.
            () = async { let _ = stop.wait_for(|stop| *stop).await; } => break,
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut request: axum::http::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            app.clone().oneshot(request.map(axum::body::Body::new))
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
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
