//! `plog serve` as real processes, for the tests that need more than one replica, a `kill -9`
//! or a SIGTERM.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::*;

/// A running `plog serve` process; killed when dropped.
pub struct PlogProcess {
    child: Child,
    pub address: String,
}

impl PlogProcess {
    /// Starts plog on `database_url` and `port`, and waits until it is ready.
    pub async fn start(database_url: &str, port: u16) -> PlogProcess {
        PlogProcess::start_with(database_url, port, &[]).await
    }

    /// Starts plog with extra environment variables.
    pub async fn start_with(database_url: &str, port: u16, env: &[(&str, &str)]) -> PlogProcess {
        PlogProcess::start_logging(database_url, port, env, None).await
    }

    /// Starts plog with extra environment variables, writing everything it prints (standard
    /// output and error) to `log` if given.
    pub async fn start_logging(
        database_url: &str,
        port: u16,
        env: &[(&str, &str)],
        log: Option<&std::path::Path>,
    ) -> PlogProcess {
        let (stdout, stderr) = match log {
            Some(path) => {
                let file = std::fs::File::create(path).expect("create the log file");
                (Stdio::from(file.try_clone().unwrap()), Stdio::from(file))
            }
            None => (Stdio::null(), Stdio::inherit()),
        };
        let child = Command::new(env!("CARGO_BIN_EXE_plog"))
            .arg("serve")
            .env("PLOG_DATABASE_URL", database_url)
            .env("PLOG_LISTEN", format!("127.0.0.1:{port}"))
            .env("PLOG_ADMIN_TOKEN", ADMIN_TOKEN)
            .env("STRIPE_SECRET_KEY", SECRET_KEY)
            .env("STRIPE_PUBLISHABLE_KEY", PUBLISHABLE_KEY)
            .env("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
            .env("STRIPE_API_BASE", localstripe())
            .env("RUST_LOG", "warn")
            // Storms of purchases from one address: the limits have tests of their own.
            .env("PLOG_RATE_PER_IP", "off")
            .env("PLOG_RATE_PER_PAYWALL", "off")
            .env("PLOG_RATE_MAX_PENDING_PER_IP", "0")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .expect("start plog");
        let address = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(r) = http.get(format!("{address}/readyz")).send().await
                && r.status().is_success()
            {
                break;
            }
            assert!(Instant::now() < deadline, "plog did not become ready on port {port}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        PlogProcess { child, address }
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill").arg(format!("-{name}")).arg(self.child.id().to_string()).status().unwrap();
        assert!(status.success());
    }

    /// `kill -9`: no chance to finish anything.
    pub fn kill_hard(&mut self) {
        self.signal("KILL");
        let _ = self.child.wait();
    }

    /// SIGTERM: the graceful way.
    pub fn terminate(&self) {
        self.signal("TERM");
    }

    /// Waits for the process to exit; its success.
    pub fn wait(&mut self, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.success();
            }
            assert!(Instant::now() < deadline, "plog did not exit within {within:?}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for PlogProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
