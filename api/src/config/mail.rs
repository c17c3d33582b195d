//! Mail: the SMTP server receipts and restore codes go through, and the sender's address.
//! Without `PLOG_SMTP_URL` plog sends nothing, the widget offers no receipt field and no
//! restore, and start-up says so.

use clap::Args;
use secrecy::SecretString;

use super::parse_secret;

/// SMTP settings.
#[derive(Debug, Clone, Args)]
pub struct MailConfig {
    /// SMTP server for receipts and restore codes: `smtps://USER:PASSWORD@HOST` (TLS, port 465),
    /// `smtp://USER:PASSWORD@HOST:587?tls=required` (STARTTLS), or `smtp://HOST:PORT` (no TLS:
    /// a relay on the same machine only). Unset: no receipts and no restore.
    #[arg(long = "smtp-url", env = "PLOG_SMTP_URL", value_parser = parse_secret, hide_env_values = true)]
    pub smtp_url: Option<SecretString>,
    /// The sender of every mail, e.g. `Ramen Notes <receipts@example.org>`; needed with
    /// `PLOG_SMTP_URL`.
    #[arg(long = "mail-from", env = "PLOG_MAIL_FROM")]
    pub mail_from: Option<String>,
}
