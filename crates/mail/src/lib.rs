//! E-mail notifications over SMTP.
//!
//! ```no_run
//! # async fn demo() -> Result<(), danvan_mail::MailError> {
//! use danvan_mail::{MailConfig, Mailer};
//! let cfg = MailConfig {
//!     url: "smtp://127.0.0.1:25".into(),
//!     from: "Dân vận khéo <noreply@danvan.example>".into(),
//! };
//! let mailer = Mailer::new(&cfg)?;
//! mailer
//!     .send("can.bo@danvan.example", "Kiến nghị sắp đến hạn", "Còn 3 ngày để trả lời.")
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! Each [`Mailer::send`] opens its own SMTP connection: notifications are rare, and a pool would
//! only hold idle connections that relays drop anyway. TLS (STARTTLS or `smtps://`) needs the
//! `tls` feature; the `sink` feature adds `sink::SmtpSink`, an SMTP server for tests.

use std::fmt;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
#[cfg(feature = "tls")]
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[cfg(feature = "sink")]
pub mod sink;

/// How long one [`Mailer::send`] may take in all (connect, greeting, every command, the message),
/// unless changed with [`Mailer::with_timeout`]. lettre itself only bounds the TCP connect, so a
/// relay that accepts and then stalls would otherwise hold a job forever.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where and as whom to send.
#[derive(Clone, PartialEq, Eq)]
pub struct MailConfig {
    /// The relay: `smtp://host:port` or `smtp://user:pass@host:port` (user and password
    /// percent-encoded). Plain SMTP; with the `tls` feature also `smtp://host:587?tls=required`
    /// (STARTTLS, refusing a relay that does not offer it) and `smtps://host:465`. Over plain
    /// SMTP a password crosses the network in clear: use it only with a relay on the same host
    /// or a trusted network.
    pub url: String,
    /// The sender, `noreply@example.vn` or `Dân vận khéo <noreply@example.vn>`.
    pub from: String,
}

/// The password is left out so that a logged configuration does not leak it.
impl fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailConfig")
            .field("url", &redact(&self.url))
            .field("from", &self.from)
            .finish()
    }
}

fn redact(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            // Only fails for URLs that cannot have a password, which this one has.
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "<unparsable>".to_owned(),
    }
}

/// Why a mail was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// The relay URL is malformed, or asks for TLS in a build without the `tls` feature.
    #[error("mail configuration: {0}")]
    Config(String),
    /// The sender or a recipient is not a valid address. Retrying will not help.
    #[error("invalid e-mail address: {0}")]
    Address(String),
    /// The relay answered with a permanent (5xx) refusal, e.g. an unknown mailbox. Retrying
    /// will not help.
    #[error("mail refused by the relay: {0}")]
    Rejected(String),
    /// The relay could not be reached, timed out, failed TLS or answered with a transient (4xx)
    /// error. Worth retrying later.
    #[error("mail transport: {0}")]
    Transport(String),
}

impl MailError {
    /// Whether sending the same mail later may succeed (a job should retry it).
    pub fn is_transient(&self) -> bool {
        matches!(self, MailError::Transport(_))
    }
}

/// Sends plain-text UTF-8 mails through one SMTP relay. Cheap to clone; `Send + Sync`.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    timeout: Duration,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The transport's own Debug would print the credentials.
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// Checks the URL and the sender address; connects only when sending.
    pub fn new(cfg: &MailConfig) -> Result<Mailer, MailError> {
        let from = parse_mailbox(&cfg.from)?;
        let transport = transport(&cfg.url)
            .map_err(|why| MailError::Config(format!("{}: {why}", redact(&cfg.url))))?;
        Ok(Mailer {
            transport,
            from,
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// The same mailer with another bound on one whole send. lettre's own connect timeout stays
    /// at [`DEFAULT_TIMEOUT`]; this deadline covers the connect as well.
    pub fn with_timeout(mut self, timeout: Duration) -> Mailer {
        self.timeout = timeout;
        self
    }

    /// Sends one plain-text mail to `to` (`a@b.vn` or `Tên <a@b.vn>`). The subject is encoded
    /// as an RFC 2047 word and the body as quoted-printable or base64 when not ASCII, so any
    /// relay carries Vietnamese unharmed. Line breaks and other control characters in the
    /// subject become single spaces.
    pub async fn send(&self, to: &str, subject: &str, text_body: &str) -> Result<(), MailError> {
        let to = parse_mailbox(to)?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(one_line(subject))
            .header(ContentType::TEXT_PLAIN)
            .body(text_body.to_owned())
            .map_err(|e| MailError::Address(e.to_string()))?;
        match tokio::time::timeout(self.timeout, self.transport.send(message)).await {
            Err(_) => Err(MailError::Transport(format!(
                "no answer within {} ms",
                self.timeout.as_millis()
            ))),
            Ok(Err(e)) if e.is_permanent() => Err(MailError::Rejected(e.to_string())),
            Ok(Err(e)) => Err(MailError::Transport(e.to_string())),
            Ok(Ok(_)) => Ok(()),
        }
    }
}

/// The transport for a relay URL. Parsed here rather than by lettre's `from_url`, which exists
/// only in builds with TLS, and stricter than it: an unknown scheme, `tls` value or query key is
/// an error, so that a typo cannot quietly send in clear.
fn transport(raw: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let url = url::Url::parse(raw).map_err(|e| e.to_string())?;
    let host = match url.host() {
        Some(url::Host::Domain(d)) if !d.is_empty() => d.to_owned(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        // Without the brackets, which name resolution does not take.
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        _ => return Err("no host".to_owned()),
    };
    let mut tls = None;
    for (key, value) in url.query_pairs() {
        match key.as_ref() {
            "tls" if tls.is_none() => tls = Some(value.into_owned()),
            _ => return Err(format!("unknown parameter {key:?}")),
        }
    }
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.as_str());
    builder = match (url.scheme(), tls.as_deref()) {
        ("smtp", None) => builder.port(url.port().unwrap_or(25)),
        #[cfg(feature = "tls")]
        ("smtp", Some("required")) => builder
            .port(url.port().unwrap_or(587))
            .tls(Tls::Required(tls_parameters(host)?)),
        #[cfg(feature = "tls")]
        ("smtps", None) => builder
            .port(url.port().unwrap_or(465))
            .tls(Tls::Wrapper(tls_parameters(host)?)),
        (scheme, None) => return Err(format!("unsupported scheme {scheme:?}{NO_TLS}")),
        (_, Some(tls)) => return Err(format!("unsupported tls={tls:?}{NO_TLS}")),
    };
    if !url.username().is_empty() || url.password().is_some() {
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|d| d.into_owned())
                .map_err(|_| "user or password is not UTF-8 once percent-decoded".to_owned())
        };
        let user = decode(url.username())?;
        let password = decode(url.password().unwrap_or_default())?;
        builder = builder.credentials(Credentials::new(user, password));
    }
    Ok(builder.timeout(Some(DEFAULT_TIMEOUT)).build())
}

#[cfg(feature = "tls")]
const NO_TLS: &str = "";
#[cfg(not(feature = "tls"))]
const NO_TLS: &str = " (this build has no TLS: the `tls` feature of danvan-mail is off)";

#[cfg(feature = "tls")]
fn tls_parameters(host: String) -> Result<TlsParameters, String> {
    TlsParameters::new(host).map_err(|e| e.to_string())
}

/// Subjects are often user-typed titles. lettre already encodes a line break so that it cannot
/// start a header, but mail clients then show it raw or cut the subject there.
fn one_line(subject: &str) -> String {
    let spaced: String = subject
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn parse_mailbox(raw: &str) -> Result<Mailbox, MailError> {
    raw.trim()
        .parse::<Mailbox>()
        .map_err(|e| MailError::Address(format!("{raw:?}: {e}")))
}
