//! An SMTP server on 127.0.0.1 that keeps every mail it is given, for tests (feature `sink`).
//!
//! It speaks just enough SMTP for lettre and ordinary clients: the 220 greeting, EHLO/HELO
//! (offering 8BITMIME, SMTPUTF8 and AUTH PLAIN/LOGIN, accepting any credentials), MAIL FROM,
//! RCPT TO, DATA with dot-unstuffing, RSET, NOOP and QUIT. No TLS.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), danvan_mail::MailError> {
//! use danvan_mail::{sink::SmtpSink, MailConfig, Mailer};
//! use std::time::Duration;
//! let sink = SmtpSink::start().await;
//! let cfg = MailConfig { url: sink.url(), from: "noreply@danvan.example".into() };
//! Mailer::new(&cfg)?.send("a@danvan.example", "Kiến nghị", "Nội dung").await?;
//! let mails = sink.wait_for(1, Duration::from_secs(5)).await;
//! assert_eq!(mails[0].subject().as_deref(), Some("Kiến nghị"));
//! # Ok(()) }
//! ```

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use tokio::io::{AsyncBufReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Longest command line and longest message accepted; a test client gone wrong gets an error
/// instead of filling the memory.
const MAX_LINE: usize = 4096;
const MAX_DATA: usize = 16 * 1024 * 1024;

/// One mail as the sink received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The envelope sender (MAIL FROM), without the angle brackets.
    pub from: String,
    /// The envelope recipients (RCPT TO) that were accepted, without the angle brackets.
    pub to: Vec<String>,
    /// The message after dot-unstuffing, headers and body, CRLF line ends, without the final
    /// `.` line (bytes that are not UTF-8 are replaced).
    pub data: String,
    /// The user name given with AUTH on that connection, if any.
    pub auth_user: Option<String>,
}

impl ReceivedMail {
    /// The Subject header, RFC 2047 encoded words decoded.
    pub fn subject(&self) -> Option<String> {
        self.parsed()?.subject().map(str::to_owned)
    }

    /// The first text body, its transfer encoding (quoted-printable, base64) and charset decoded,
    /// with `\n` line ends and no trailing ones, so that it compares equal to the text given to
    /// the sender. (A 7-bit body gains a final line end on the wire that a base64 one does not,
    /// and the two cannot be told apart from an original that had one.)
    pub fn text(&self) -> Option<String> {
        let text = self.parsed()?.body_text(0)?.replace("\r\n", "\n");
        Some(text.trim_end_matches('\n').to_owned())
    }

    /// The first value of a header, decoded: text as text, addresses as `Name <a@b>, c@d`,
    /// anything else (dates, content types) as it was written.
    pub fn header(&self, name: &str) -> Option<String> {
        let msg = self.parsed()?;
        let value = msg.header(name.to_owned())?;
        if let Some(text) = value.as_text() {
            return Some(text.to_owned());
        }
        if let Some(list) = value.as_address() {
            let shown: Vec<String> = list
                .iter()
                .map(|addr| match (addr.name(), addr.address()) {
                    (Some(n), Some(a)) => format!("{n} <{a}>"),
                    (n, a) => n.or(a).unwrap_or_default().to_owned(),
                })
                .collect();
            return Some(shown.join(", "));
        }
        msg.header_raw(name.to_owned())
            .map(|raw| raw.trim().to_owned())
    }

    fn parsed(&self) -> Option<mail_parser::Message<'_>> {
        mail_parser::MessageParser::default().parse(self.data.as_bytes())
    }
}

#[derive(Default)]
struct State {
    mails: Vec<ReceivedMail>,
    rejected: HashSet<String>,
}

struct Shared {
    state: Mutex<State>,
    /// The number of mails received, so that `wait_for` sleeps until it grows.
    count: watch::Sender<usize>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not hide the mails from the others.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The running sink. Dropping it stops accepting connections.
pub struct SmtpSink {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept: JoinHandle<()>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

impl SmtpSink {
    /// Listens on a free port of 127.0.0.1, serving connections on the current tokio runtime.
    ///
    /// # Panics
    /// If no port of 127.0.0.1 can be bound, which no test can work around.
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the SMTP sink on 127.0.0.1");
        let addr = listener
            .local_addr()
            .expect("local address of the SMTP sink");
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            count: watch::channel(0).0,
        });
        let for_accept = Arc::clone(&shared);
        let accept = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let shared = Arc::clone(&for_accept);
                tokio::spawn(async move {
                    // A client that hangs up mid-session is not the sink's concern.
                    let _ = serve(stream, &shared).await;
                });
            }
        });
        SmtpSink {
            addr,
            shared,
            accept,
        }
    }

    /// The URL for [`crate::MailConfig::url`]: `smtp://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// The address the sink listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The mails received so far, oldest first.
    pub async fn messages(&self) -> Vec<ReceivedMail> {
        self.shared.lock().mails.clone()
    }

    /// Waits until at least `n` mails have arrived or `timeout` has passed, then returns all of
    /// them (fewer than `n` on timeout: assert on the length).
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<ReceivedMail> {
        let mut rx = self.shared.count.subscribe();
        // The sender lives in `self`, so the only early end is the timeout.
        let _ = tokio::time::timeout(timeout, rx.wait_for(|c| *c >= n)).await;
        self.messages().await
    }

    /// Refuses `RCPT TO` for this address from now on with `550 5.1.1`, the answer of a relay
    /// that knows the mailbox does not exist.
    pub async fn reject(&self, address: &str) {
        self.shared
            .lock()
            .rejected
            .insert(address.to_ascii_lowercase());
    }

    /// Forgets the mails received so far.
    pub async fn clear(&self) {
        self.shared.lock().mails.clear();
        self.shared.count.send_replace(0);
    }
}

/// One SMTP session, until QUIT or the client hangs up.
async fn serve(stream: TcpStream, shared: &Shared) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    reply(&mut write, "220 danvan-sink ESMTP ready").await?;

    let mut from: Option<String> = None;
    let mut to: Vec<String> = Vec::new();
    let mut auth_user: Option<String> = None;
    let mut line = Vec::new();
    loop {
        if !read_line(&mut read, &mut line, MAX_LINE).await? {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&line).into_owned();
        let text = text.trim_end_matches(['\r', '\n']);
        let (verb, arg) = match text.split_once(' ') {
            Some((v, a)) => (v.to_ascii_uppercase(), a.trim()),
            None => (text.to_ascii_uppercase(), ""),
        };
        match verb.as_str() {
            "EHLO" => {
                reply(
                    &mut write,
                    "250-danvan-sink\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-AUTH PLAIN LOGIN\r\n250 SIZE 16777216",
                )
                .await?;
            }
            "HELO" => reply(&mut write, "250 danvan-sink").await?,
            "MAIL" => match path_arg(arg, "FROM:") {
                Some(addr) => {
                    from = Some(addr);
                    to.clear();
                    reply(&mut write, "250 2.1.0 OK").await?;
                }
                None => reply(&mut write, "501 5.5.4 syntax: MAIL FROM:<address>").await?,
            },
            "RCPT" => match (from.is_some(), path_arg(arg, "TO:")) {
                (false, _) => reply(&mut write, "503 5.5.1 MAIL first").await?,
                (true, None) => reply(&mut write, "501 5.5.4 syntax: RCPT TO:<address>").await?,
                (true, Some(addr)) => {
                    let refused = shared.lock().rejected.contains(&addr.to_ascii_lowercase());
                    if refused {
                        reply(&mut write, "550 5.1.1 mailbox unavailable").await?;
                    } else {
                        to.push(addr);
                        reply(&mut write, "250 2.1.5 OK").await?;
                    }
                }
            },
            "DATA" => {
                let Some(sender) = from.take().filter(|_| !to.is_empty()) else {
                    reply(&mut write, "503 5.5.1 RCPT first").await?;
                    continue;
                };
                reply(&mut write, "354 end data with <CR><LF>.<CR><LF>").await?;
                match read_data(&mut read).await? {
                    Some(data) => {
                        let mail = ReceivedMail {
                            from: sender,
                            to: std::mem::take(&mut to),
                            data,
                            auth_user: auth_user.clone(),
                        };
                        let count = {
                            let mut state = shared.lock();
                            state.mails.push(mail);
                            state.mails.len()
                        };
                        // Reply before waking waiters would be as good; waking first lets a
                        // test see the mail as soon as the client sees the 250.
                        shared.count.send_replace(count);
                        reply(&mut write, "250 2.0.0 queued").await?;
                    }
                    None => {
                        to.clear();
                        reply(&mut write, "552 5.3.4 message too big").await?;
                    }
                }
            }
            "RSET" => {
                from = None;
                to.clear();
                reply(&mut write, "250 2.0.0 OK").await?;
            }
            "NOOP" => reply(&mut write, "250 2.0.0 OK").await?,
            "QUIT" => {
                reply(&mut write, "221 2.0.0 bye").await?;
                return Ok(());
            }
            "AUTH" => {
                auth_user = auth(arg, &mut read, &mut write, &mut line).await?;
                if auth_user.is_some() {
                    reply(&mut write, "235 2.7.0 authenticated").await?;
                } else {
                    reply(&mut write, "535 5.7.8 authentication failed").await?;
                }
            }
            _ => reply(&mut write, "500 5.5.2 command not recognised").await?,
        }
    }
}

/// The address in `FROM:<a@b> PARAMS` / `TO:<a@b>`; `<>` (the null sender) gives "".
fn path_arg(arg: &str, prefix: &str) -> Option<String> {
    let head = arg.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = arg[prefix.len()..].trim_start();
    let rest = rest.strip_prefix('<')?;
    let end = rest.find('>')?;
    Some(rest[..end].to_owned())
}

/// AUTH PLAIN (initial response or 334 challenge) and AUTH LOGIN; any password is accepted.
async fn auth<R, W>(
    arg: &str,
    read: &mut R,
    write: &mut W,
    line: &mut Vec<u8>,
) -> std::io::Result<Option<String>>
where
    R: AsyncBufReadExt + Unpin,
    W: AsyncWrite + Unpin,
{
    let (mechanism, initial) = match arg.split_once(' ') {
        Some((m, i)) => (m.to_ascii_uppercase(), Some(i.trim().to_owned())),
        None => (arg.to_ascii_uppercase(), None),
    };
    match mechanism.as_str() {
        "PLAIN" => {
            let decoded = match initial {
                Some(i) => B64.decode(i).ok(),
                None => challenge("334 ", read, write, line).await?,
            };
            // authzid NUL authcid NUL password
            Ok(decoded.and_then(|d| {
                let user = d.split(|b| *b == 0).nth(1)?;
                Some(String::from_utf8_lossy(user).into_owned())
            }))
        }
        "LOGIN" => {
            let user = match initial {
                Some(i) => B64.decode(i).ok(),
                // "Username:"
                None => challenge("334 VXNlcm5hbWU6", read, write, line).await?,
            };
            // "Password:"
            let password = challenge("334 UGFzc3dvcmQ6", read, write, line).await?;
            Ok(user
                .filter(|_| password.is_some())
                .map(|u| String::from_utf8_lossy(&u).into_owned()))
        }
        _ => Ok(None),
    }
}

/// Sends a 334 prompt and decodes the base64 answer; `None` if it is not base64 or the client
/// hung up.
async fn challenge<R, W>(
    prompt: &str,
    read: &mut R,
    write: &mut W,
    line: &mut Vec<u8>,
) -> std::io::Result<Option<Vec<u8>>>
where
    R: AsyncBufReadExt + Unpin,
    W: AsyncWrite + Unpin,
{
    reply(write, prompt).await?;
    if !read_line(read, line, MAX_LINE).await? {
        return Ok(None);
    }
    Ok(B64.decode(String::from_utf8_lossy(line).trim()).ok())
}

/// The lines after DATA up to the lone `.`, dot-unstuffed; `None` when over [`MAX_DATA`].
async fn read_data<R>(read: &mut R) -> std::io::Result<Option<String>>
where
    R: AsyncBufReadExt + Unpin,
{
    let mut data = Vec::new();
    let mut line = Vec::new();
    let mut too_big = false;
    loop {
        if !read_line(read, &mut line, MAX_DATA).await? {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let content = line
            .strip_suffix(b"\n")
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .unwrap_or(&line);
        if content == b"." {
            break;
        }
        let content = content.strip_prefix(b".").unwrap_or(content);
        if data.len() + content.len() + 2 > MAX_DATA {
            // Keep reading to the end marker so the session stays in step.
            too_big = true;
            continue;
        }
        data.extend_from_slice(content);
        data.extend_from_slice(b"\r\n");
    }
    Ok((!too_big).then(|| String::from_utf8_lossy(&data).into_owned()))
}

/// Reads one line (with its `\n`) into `line`; false at end of stream. A line longer than
/// `max` is an error, which ends the session.
async fn read_line<R>(read: &mut R, line: &mut Vec<u8>, max: usize) -> std::io::Result<bool>
where
    R: AsyncBufReadExt + Unpin,
{
    line.clear();
    loop {
        let buf = read.fill_buf().await?;
        if buf.is_empty() {
            return Ok(!line.is_empty());
        }
        let (taken, done) = match buf.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        line.extend_from_slice(&buf[..taken]);
        read.consume(taken);
        if line.len() > max {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "line too long",
            ));
        }
        if done {
            return Ok(true);
        }
    }
}

/// One write per reply: split writes meet Nagle and delayed ACKs and cost ~40 ms each.
async fn reply<W: AsyncWrite + Unpin>(write: &mut W, text: &str) -> std::io::Result<()> {
    write.write_all(format!("{text}\r\n").as_bytes()).await?;
    write.flush().await
}
