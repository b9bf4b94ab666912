//! Official PDFs from the running app on every backend: the campaign report, the decision
//! and its certificates, a reply letter and the council's minutes, read back with poppler's
//! `pdftotext`; who may download what; bad input refused.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::get;

/// Without poppler-utils the checks of the text are skipped, unless `CI` is set.
fn poppler() -> bool {
    let found = Command::new("pdftotext")
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "pdftotext (poppler-utils) is required when CI is set"
        );
        eprintln!("SKIPPED: pdftotext not found (install poppler-utils)");
    }
    found
}

fn run(program: &str, args: &[&str], pdf: &[u8]) -> String {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(pdf).unwrap();
    let path = file.path().to_str().unwrap().to_owned();
    let mut all: Vec<&str> = args.to_vec();
    all.push(&path);
    if program == "pdftotext" {
        all.push("-");
    }
    let out = Command::new(program).args(&all).output().unwrap();
    assert!(
        out.status.success(),
        "{program}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The text, in reading order and in content order (wrapped table cells stay whole in the
/// second), with runs of whitespace made single spaces.
fn text(pdf: &[u8]) -> String {
    let both = format!(
        "{}\n{}",
        run("pdftotext", &["-layout"], pdf),
        run("pdftotext", &["-raw"], pdf)
    );
    both.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn pages(pdf: &[u8]) -> usize {
    run("pdfinfo", &[], pdf)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

async fn fetch(app: &common::TestApp, path: &str, token: Option<&str>) -> (u16, String, Vec<u8>) {
    let mut req = app.client().get(app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let kind = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, kind, res.bytes().await.unwrap().to_vec())
}

fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn the_campaign_report_carries_the_figures_and_commended_models() {
    each_backend!(|app| {
        let admin = app.token("demo.tinh").await;
        let (_, campaigns) = get(&app, "/api/v1/campaigns", Some(&admin)).await;
        let list = campaigns["items"]
            .as_array()
            .or(campaigns.as_array())
            .unwrap()
            .clone();
        let (_, honour) = get(&app, "/api/v1/honour-roll", None).await;
        let commended = honour.as_array().unwrap()[0].clone();
        let campaign = list
            .iter()
            .find(|c| c["year"] == commended["year"])
            .unwrap_or_else(|| panic!("campaign of {commended}"))
            .clone();
        let id = campaign["id"].as_i64().unwrap();

        let path = format!("/api/v1/reports/campaigns/{id}.pdf?period=year_end");
        let (status, kind, pdf) = fetch(&app, &path, Some(&admin)).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&pdf));
        assert_eq!(kind, "application/pdf");
        assert!(pdf.starts_with(b"%PDF-"));
        if poppler() {
            let t = text(&pdf);
            assert!(t.contains("ĐẢNG CỘNG SẢN VIỆT NAM"), "{t}");
            assert!(t.contains("BÁO CÁO"));
            assert!(
                t.contains(&format!("Tổng kết năm {}", campaign["year"])),
                "{t}"
            );
            assert!(
                t.contains(&words(commended["title"].as_str().unwrap())),
                "{t}"
            );
            assert!(t.contains("Mô hình theo lĩnh vực"), "a chart's title: {t}");
            assert!(pages(&pdf) >= 2);
        }
        let (status, _, pdf) = fetch(
            &app,
            &format!("/api/v1/reports/campaigns/{id}.pdf?period=mid_year"),
            Some(&admin),
        )
        .await;
        assert_eq!(status, 200);
        if poppler() {
            assert!(text(&pdf).contains("Sơ kết 6 tháng đầu năm"));
        }

        // Who may download it, and bad input.
        let officer = app.token("demo.longxuyen").await;
        assert_eq!(fetch(&app, &path, Some(&officer)).await.0, 403);
        assert_eq!(fetch(&app, &path, None).await.0, 401);
        let supervisor = app.token("demo.mttq").await;
        assert_eq!(fetch(&app, &path, Some(&supervisor)).await.0, 200);
        let (status, _, body) = fetch(
            &app,
            &format!("/api/v1/reports/campaigns/{id}.pdf?period=weekly"),
            Some(&admin),
        )
        .await;
        assert_eq!(status, 422);
        assert!(String::from_utf8_lossy(&body).contains("invalid_period"));
        assert_eq!(
            fetch(&app, "/api/v1/reports/campaigns/999999.pdf", Some(&admin))
                .await
                .0,
            404
        );
        assert_eq!(
            fetch(&app, "/api/v1/reports/campaigns/abc.pdf", Some(&admin))
                .await
                .0,
            404
        );
    });
}

#[tokio::test]
async fn a_decision_and_its_certificates() {
    each_backend!(|app| {
        let (_, honour) = get(&app, "/api/v1/honour-roll", None).await;
        let decision_id = honour[0]["decision_id"].as_i64().unwrap();
        let (_, d) = get(&app, &format!("/api/v1/decisions/{decision_id}"), None).await;
        let (status, kind, pdf) = fetch(
            &app,
            &format!("/api/v1/decisions/{decision_id}/document.pdf"),
            None,
        )
        .await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&pdf));
        assert_eq!(kind, "application/pdf");
        let recipients = d["recipients"].as_array().unwrap();
        if poppler() {
            let t = text(&pdf);
            assert!(t.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), "{t}");
            assert!(t.contains("Độc lập - Tự do - Hạnh phúc"));
            assert!(t.contains("QUYẾT ĐỊNH"));
            assert!(t.contains(d["number"].as_str().unwrap()), "{t}");
            for r in recipients {
                assert!(
                    t.contains(&words(r["name"].as_str().unwrap())),
                    "{r} in {t}"
                );
            }
            assert!(t.contains("Nơi nhận"));
        }
        let (status, _, certs) = fetch(
            &app,
            &format!("/api/v1/decisions/{decision_id}/certificates.pdf"),
            None,
        )
        .await;
        assert_eq!(status, 200);
        if poppler() {
            assert_eq!(
                pages(&certs),
                recipients.len(),
                "one certificate per recipient"
            );
            assert!(text(&certs).contains(&words(recipients[0]["name"].as_str().unwrap())));
        }
        // The page links to the same documents.
        let html = app
            .client()
            .get(app.url(&format!("/khen-thuong/{decision_id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains(&format!("/khen-thuong/{decision_id}/quyet-dinh.pdf")));
        let (status, kind, _) = fetch(
            &app,
            &format!("/khen-thuong/{decision_id}/giay-khen.pdf"),
            None,
        )
        .await;
        assert_eq!((status, kind.as_str()), (200, "application/pdf"));
        assert_eq!(
            fetch(&app, "/api/v1/decisions/999999/document.pdf", None)
                .await
                .0,
            404
        );
        assert_eq!(
            fetch(&app, "/khen-thuong/x/quyet-dinh.pdf", None).await.0,
            404
        );
    });
}

#[tokio::test]
async fn a_reply_letter_is_addressed_by_code_and_the_minutes_follow_the_council() {
    each_backend!(|app| {
        let admin = app.token("demo.tinh").await;
        let (_, answered) = get(
            &app,
            "/api/v1/petitions?state=answered&per_page=50",
            Some(&admin),
        )
        .await;
        let p = answered["items"][0].clone();
        let code = p["tracking_code"].as_str().unwrap();
        let (_, public) = get(&app, &format!("/api/v1/petitions/{code}"), None).await;
        let (status, _, pdf) =
            fetch(&app, &format!("/api/v1/petitions/{code}/reply.pdf"), None).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&pdf));
        if poppler() {
            let t = text(&pdf);
            assert!(t.contains(code), "{t}");
            assert!(t.contains("V/v trả lời kiến nghị của công dân"));
            let answer = words(public["answer"].as_str().unwrap());
            let start: String = answer.chars().take(40).collect();
            assert!(t.contains(&start), "{start} in {t}");
            assert!(
                !t.contains("Kính gửi: Ông") && !t.contains("Kính gửi: Bà"),
                "never named: {t}"
            );
        }
        // Not answered yet: no letter.
        let (_, open) = get(
            &app,
            "/api/v1/petitions?state=received&per_page=50",
            Some(&admin),
        )
        .await;
        let waiting = open["items"][0]["tracking_code"].as_str().unwrap();
        assert_eq!(
            fetch(
                &app,
                &format!("/api/v1/petitions/{waiting}/reply.pdf"),
                None
            )
            .await
            .0,
            404
        );
        assert_eq!(
            fetch(&app, "/kien-nghi/KN-0000-0000-0000/cong-van.pdf", None)
                .await
                .0,
            404
        );

        // The council's minutes: for those who see the council.
        let (status, council) = get(&app, "/api/v1/councils/1", Some(&admin)).await;
        assert_eq!(status, 200, "{council}");
        let (status, _, pdf) = fetch(&app, "/api/v1/councils/1/minutes.pdf", Some(&admin)).await;
        assert_eq!(status, 200);
        if poppler() {
            let t = text(&pdf);
            assert!(t.contains("BIÊN BẢN"), "{t}");
            assert!(t.contains(&words(council["name"].as_str().unwrap())), "{t}");
        }
        assert_eq!(
            fetch(&app, "/api/v1/councils/1/minutes.pdf", None).await.0,
            401
        );
        let reporter = app.token("demo.hoinongdan").await;
        assert_eq!(
            fetch(&app, "/api/v1/councils/1/minutes.pdf", Some(&reporter))
                .await
                .0,
            403
        );
    });
}

/// The year-end report of 2026 counts that year's care: the households the demo's two Tết
/// drives reached and what people gave (the campaign is made if the demo has none for 2026).
#[tokio::test]
async fn the_year_end_report_counts_support_and_contributions() {
    each_backend!(|app| {
        let admin = app.token("demo.tinh").await;
        let (_, campaigns) = get(&app, "/api/v1/campaigns", Some(&admin)).await;
        let list = campaigns["items"]
            .as_array()
            .or(campaigns.as_array())
            .unwrap()
            .clone();
        let id = match list.iter().find(|c| c["year"] == 2026) {
            Some(c) => c["id"].as_i64().unwrap(),
            None => {
                let (status, c) = common::post(
                    &app,
                    "/api/v1/campaigns",
                    &admin,
                    serde_json::json!({"year": 2026, "title": "Dân vận khéo năm 2026", "title_groups": ["Dân vận khéo"],
                        "registration_opens": "2026-01-15", "registration_closes": "2026-10-15",
                        "midyear_review": "2026-06-30", "yearend_review": "2026-12-15", "commendation_quota": 5}),
                )
                .await;
                assert_eq!(status, 201, "{c}");
                c["id"].as_i64().unwrap()
            }
        };
        let (status, _, pdf) = fetch(
            &app,
            &format!("/api/v1/reports/campaigns/{id}.pdf?period=year_end"),
            Some(&admin),
        )
        .await;
        assert_eq!(status, 200);
        if poppler() {
            let t = text(&pdf);
            // Long Xuyên: five households (one from both drives); Núi Cấm: two.
            assert!(
                t.contains("Hộ khó khăn được hỗ trợ qua các đợt: 7 hộ."),
                "{t}"
            );
            assert!(t.contains("Giá trị hỗ trợ đã trao: 6.200.000 đồng."), "{t}");
            assert!(
                t.contains("Hiến đất (m²): 246 m²."),
                "120 + 85,5 + 40 m², rounded: {t}"
            );
            assert!(
                t.contains("Hộ được hỗ trợ theo xã, phường"),
                "the chart's title: {t}"
            );
        }
    });
}
