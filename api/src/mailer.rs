//! Sending one mail over SMTP (lettre): the transport `PLOG_SMTP_URL` names, the sender
//! `PLOG_MAIL_FROM`, and what became of a delivery — sent, refused for good (a 5xx: the address
//! does not exist), or failed for now (the server is down or said 4xx: try again later).
//! What the mails say and when they go is `receipts/`.

use std::time::Duration;

use anyhow::Context;
use lettre::message::{Mailbox, MultiPart, header};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::config::MailConfig;

/// A mail ready to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The recipient's address.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text part.
    pub text: String,
    /// The HTML part.
    pub html: String,
    /// The `Message-ID`, stable per mail so a resend after a crash is recognisably the same.
    pub message_id: String,
    /// The `Content-Language` (`en`, `ja`).
    pub language: String,
}

/// What became of one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The server took it.
    Sent,
    /// Refused for good (5xx): trying again would not help.
    Refused(String),
    /// Not sent this time (unreachable, 4xx, a timeout): try again later.
    Failed(String),
}

/// The SMTP transport and the sender.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the transport: its URL may carry a password.
        f.debug_struct("Mailer").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

impl Mailer {
    /// The mailer of the configuration, or `None` when no SMTP server is configured.
    pub fn new(config: &MailConfig) -> anyhow::Result<Option<Mailer>> {
        let Some(url) = &config.smtp_url else { return Ok(None) };
        let from = config.mail_from.as_deref().context("PLOG_SMTP_URL needs PLOG_MAIL_FROM")?;
        let from: Mailbox = from.parse().with_context(|| format!("PLOG_MAIL_FROM {from:?} is not an address"))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
            .map_err(|e| anyhow::anyhow!("PLOG_SMTP_URL cannot be used: {e}"))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        Ok(Some(Mailer { transport, from }))
    }

    /// Sends one mail: plain text and HTML as alternatives.
    pub async fn send(&self, mail: &Outgoing) -> Delivery {
        let to: Mailbox = match mail.to.parse() {
            Ok(to) => to,
            Err(e) => return Delivery::Refused(format!("not an address: {e}")),
        };
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(mail.message_id.clone()))
            .header(ContentLanguage(mail.language.clone()))
            .multipart(MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone()));
        let message = match message {
            Ok(message) => message,
            Err(e) => return Delivery::Refused(format!("the mail cannot be built: {e}")),
        };
        match self.transport.send(message).await {
            Ok(_) => Delivery::Sent,
            Err(e) if e.is_permanent() => Delivery::Refused(e.to_string()),
            Err(e) => Delivery::Failed(e.to_string()),
        }
    }

    /// Checks the server answers (start-up logs, `plog doctor`).
    pub async fn test_connection(&self) -> anyhow::Result<bool> {
        self.transport.test_connection().await.map_err(|e| anyhow::anyhow!("{e}"))
    }
}

/// `Content-Language`, so mail clients know which language the receipt is in.
#[derive(Debug, Clone)]
struct ContentLanguage(String);

impl header::Header for ContentLanguage {
    fn name() -> header::HeaderName {
        header::HeaderName::new_from_ascii_str("Content-Language")
    }

    fn parse(text: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ContentLanguage(text.to_owned()))
    }

    fn display(&self) -> header::HeaderValue {
        header::HeaderValue::new(Self::name(), self.0.clone())
    }
}
