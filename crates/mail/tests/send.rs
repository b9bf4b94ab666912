//! Mailer against the in-process SMTP sink: what arrives, and how failures are told apart.

use std::time::{Duration, Instant};

use danvan_mail::sink::SmtpSink;
use danvan_mail::{MailConfig, MailError, Mailer};

const WAIT: Duration = Duration::from_secs(5);
const FROM: &str = "Ban Dân vận Tỉnh ủy <noreply@danvan.example>";

fn mailer(url: String) -> Mailer {
    Mailer::new(&MailConfig {
        url,
        from: FROM.to_owned(),
    })
    .expect("valid mail configuration")
}

#[tokio::test]
async fn two_vietnamese_mails_arrive_decoded() -> Result<(), MailError> {
    let sink = SmtpSink::start().await;
    let mailer = mailer(sink.url());

    let body1 = "Kính gửi đồng chí,\n\nKiến nghị số 12 của ông Nguyễn Văn Ấn (xã Mỹ Hòa Hưng) \
                 còn 3 ngày làm việc để trả lời.\nTrân trọng.";
    mailer
        .send("can.bo.xa@danvan.example", "Kiến nghị sắp đến hạn", body1)
        .await?;
    let subject2 = "Mô hình “Dân vận khéo” đã được duyệt — đợt 2026";
    let body2 = "Mô hình của đơn vị đã được cán bộ dân vận xã duyệt.\n\
                 Đường dẫn: http://127.0.0.1:8080/mo-hinh/7";
    mailer
        .send("Trần Thị Bích <bich@danvan.example>", subject2, body2)
        .await?;

    let mails = sink.wait_for(2, WAIT).await;
    assert_eq!(mails.len(), 2, "{mails:#?}");

    let first = &mails[0];
    assert_eq!(first.from, "noreply@danvan.example");
    assert_eq!(first.to, vec!["can.bo.xa@danvan.example".to_owned()]);
    assert_eq!(first.subject().as_deref(), Some("Kiến nghị sắp đến hạn"));
    assert_eq!(first.text().expect("a text body"), body1);
    assert_eq!(first.header("From").as_deref(), Some(FROM));
    // Non-ASCII reaches the relay encoded, so a 7-bit relay cannot mangle it.
    assert!(first.data.is_ascii(), "{}", first.data);

    let second = &mails[1];
    assert_eq!(second.to, vec!["bich@danvan.example".to_owned()]);
    assert_eq!(
        second.header("To").as_deref(),
        Some("Trần Thị Bích <bich@danvan.example>")
    );
    assert_eq!(second.subject().as_deref(), Some(subject2));
    assert_eq!(second.text().expect("a text body"), body2);
    assert_eq!(second.auth_user, None);
    Ok(())
}

#[tokio::test]
async fn lines_starting_with_a_dot_survive() -> Result<(), MailError> {
    let sink = SmtpSink::start().await;
    // ASCII, so it travels as 7bit and the dot lines reach the wire as they are.
    let body = "first\n.\n.hidden\n..two\nlast";
    mailer(sink.url())
        .send("a@danvan.example", "dots", body)
        .await?;
    let mails = sink.wait_for(1, WAIT).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].text().expect("a text body"), body);
    Ok(())
}

#[tokio::test]
async fn invalid_addresses_are_refused_before_any_connection() {
    let sink = SmtpSink::start().await;
    let mailer = mailer(sink.url());
    for to in [
        "",
        "không-phải-địa-chỉ",
        "a@",
        "@danvan.example",
        "a@b.vn, c@d.vn",
        "a@b.vn\r\nRCPT TO:<x@y.vn>",
    ] {
        let err = mailer
            .send(to, "Kiến nghị", "nội dung")
            .await
            .expect_err(to);
        assert!(matches!(err, MailError::Address(_)), "{to:?}: {err:?}");
        assert!(!err.is_transient());
    }

    let bad_from = Mailer::new(&MailConfig {
        url: sink.url(),
        from: "Dân vận khéo".to_owned(),
    })
    .expect_err("a sender without an address");
    assert!(matches!(bad_from, MailError::Address(_)), "{bad_from:?}");

    assert!(
        sink.wait_for(1, Duration::from_millis(200))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn a_closed_port_is_a_transport_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let err = mailer(format!("smtp://127.0.0.1:{port}"))
        .send("a@danvan.example", "Kiến nghị", "nội dung")
        .await
        .expect_err("nothing listens there");
    assert!(matches!(err, MailError::Transport(_)), "{err:?}");
    assert!(err.is_transient());
}

#[tokio::test]
async fn a_silent_relay_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    // Accepts and never greets.
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            open.push(stream);
        }
    });
    let started = Instant::now();
    let err = mailer(format!("smtp://127.0.0.1:{port}"))
        .with_timeout(Duration::from_millis(300))
        .send("a@danvan.example", "Kiến nghị", "nội dung")
        .await
        .expect_err("no greeting");
    assert!(matches!(err, MailError::Transport(_)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
    held.abort();
}

#[tokio::test]
async fn a_refused_mailbox_is_permanent() {
    let sink = SmtpSink::start().await;
    sink.reject("khong.ton.tai@danvan.example").await;
    let err = mailer(sink.url())
        .send("khong.ton.tai@danvan.example", "Kiến nghị", "nội dung")
        .await
        .expect_err("the sink refuses that mailbox");
    assert!(matches!(err, MailError::Rejected(_)), "{err:?}");
    assert!(!err.is_transient());
    assert!(sink.messages().await.is_empty());
}

#[tokio::test]
async fn credentials_in_the_url_are_used() -> Result<(), MailError> {
    let sink = SmtpSink::start().await;
    // user "thong.bao", password "p@ss:w/rd", percent-encoded as a URL wants them.
    let url = format!("smtp://thong.bao:p%40ss%3Aw%2Frd@{}", sink.addr());
    mailer(url)
        .send("a@danvan.example", "Kiến nghị", "nội dung")
        .await?;
    let mails = sink.wait_for(1, WAIT).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].auth_user.as_deref(), Some("thong.bao"));
    Ok(())
}

#[tokio::test]
async fn a_line_break_in_the_subject_becomes_a_space() -> Result<(), MailError> {
    let sink = SmtpSink::start().await;
    mailer(sink.url())
        .send(
            "a@danvan.example",
            "Kiến nghị\r\nBcc: ke.xau@example.com",
            "nội dung",
        )
        .await?;
    let mails = sink.wait_for(1, WAIT).await;
    assert_eq!(mails.len(), 1);
    let data = &mails[0].data;
    assert!(
        !data
            .lines()
            .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
        "{data}"
    );
    assert_eq!(
        mails[0].subject().as_deref(),
        Some("Kiến nghị Bcc: ke.xau@example.com")
    );
    assert_eq!(mails[0].to, vec!["a@danvan.example".to_owned()]);
    Ok(())
}

#[test]
fn bad_urls_are_configuration_errors() {
    for url in [
        "",
        "127.0.0.1:25",
        "http://127.0.0.1:25",
        "smtp://",
        "smtp://relay.danvan.example?tls=require",
        // Opportunistic STARTTLS falls back to clear text whenever an attacker strips the offer.
        "smtp://relay.danvan.example?tls=opportunistic",
        "smtp://relay.danvan.example?timeout=5",
    ] {
        let err = Mailer::new(&MailConfig {
            url: url.to_owned(),
            from: FROM.to_owned(),
        })
        .expect_err(url);
        assert!(matches!(err, MailError::Config(_)), "{url:?}: {err:?}");
    }
}

#[test]
fn good_urls_are_accepted() {
    for url in [
        "smtp://relay.danvan.example",
        "smtp://relay.danvan.example:2525",
        "smtp://thong.bao:bi%20mat@10.0.0.5:25",
        "smtp://[::1]:25",
    ] {
        let made = Mailer::new(&MailConfig {
            url: url.to_owned(),
            from: FROM.to_owned(),
        });
        assert!(made.is_ok(), "{url:?}: {made:?}");
    }
}

#[test]
fn the_password_stays_out_of_debug_output() {
    let cfg = MailConfig {
        url: "smtp://thong.bao:bi-mat@relay.danvan.example:587".to_owned(),
        from: FROM.to_owned(),
    };
    let shown = format!("{cfg:?}");
    assert!(!shown.contains("bi-mat"), "{shown}");
    assert!(shown.contains("relay.danvan.example"), "{shown}");
    let mailer = Mailer::new(&cfg).expect("valid configuration");
    assert!(!format!("{mailer:?}").contains("bi-mat"));
}

/// Without the `tls` feature a URL asking for TLS is refused up front rather than sent in clear.
#[cfg(not(feature = "tls"))]
#[test]
fn tls_urls_need_the_tls_feature() {
    for url in [
        "smtp://relay.danvan.example:587?tls=required",
        "smtps://relay.danvan.example",
    ] {
        let err = Mailer::new(&MailConfig {
            url: url.to_owned(),
            from: FROM.to_owned(),
        })
        .expect_err(url);
        assert!(matches!(err, MailError::Config(_)), "{url:?}: {err:?}");
    }
}

/// With `tls=required`, a relay that offers no STARTTLS (the sink) is refused, not used in clear.
#[cfg(feature = "tls")]
#[tokio::test]
async fn required_tls_is_not_downgraded() {
    let sink = SmtpSink::start().await;
    let url = format!("{}?tls=required", sink.url());
    let err = mailer(url)
        .send("a@danvan.example", "Kiến nghị", "nội dung")
        .await
        .expect_err("the sink offers no STARTTLS");
    assert!(matches!(err, MailError::Transport(_)), "{err:?}");
    assert!(sink.messages().await.is_empty());
}
