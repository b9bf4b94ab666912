//! Petition pages as a browser uses them: the public form with an attachment (multipart,
//! CSRF), the receipt that reveals no personal data, the handler's case page where the
//! petitioner's details are shown only on request and every view is logged, and the
//! province's settings page (rules, time limits, Open311 keys).
#![allow(clippy::unwrap_used)]

mod common;

use common::csrf_of;

/// A 1×1 PNG, a valid attachment.
const TINY_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xDE, 0x00, 0x00, 0x00, 0x0C, 0x49, 0x44, 0x41, 0x54, 0x08, 0xD7, 0x63, 0xF8, 0xFF, 0xFF, 0x3F,
    0x00, 0x05, 0xFE, 0x02, 0xFE, 0xDC, 0xCC, 0x59, 0xE7, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E,
    0x44, 0xAE, 0x42, 0x60, 0x82,
];

fn form(csrf_free: bool) -> reqwest::multipart::Form {
    let f = reqwest::multipart::Form::new()
        .text("kind", "feedback")
        .text("field", "environment")
        .text("unit_code", "30307")
        .text("title", "Nước thải tràn ra đường Hà Hoàng Hổ")
        .text(
            "content",
            "Cống đầu hẻm 7 bị tắc, nước thải tràn ra đường và bốc mùi nhiều ngày.",
        )
        .text("name", "Nguyễn Thị Hoa")
        .text("phone", "0912 000 111")
        .text("email", "hoa@example.vn")
        .text("website", "");
    let f = if csrf_free {
        f
    } else {
        f.text("consent", "yes")
    };
    f.part(
        "files",
        reqwest::multipart::Part::bytes(TINY_PNG.to_vec())
            .file_name("cong.png")
            .mime_str("image/png")
            .unwrap(),
    )
}

#[tokio::test]
async fn a_citizen_submits_through_the_form_and_staff_work_the_case() {
    each_backend!(|app| {
        let b = app.browser();
        let page = b.get(app.url("/kien-nghi")).send().await.unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(
            html.contains("Luật Bảo vệ dữ liệu cá nhân"),
            "the consent says what, why, who"
        );
        // A multipart form carries its token in the action's query string.
        let csrf = html
            .split("?_csrf=")
            .nth(1)
            .and_then(|t| t.split('"').next())
            .unwrap()
            .to_string();
        let before = app.count("petitions").await;

        // Without consent: the form comes back with the message, nothing is written.
        let r = b
            .post(app.url(&format!("/kien-nghi?_csrf={csrf}")))
            .multipart(form(true))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("Cần đồng ý cho xử lý dữ liệu cá nhân"));
        assert!(
            html.contains("Nước thải tràn ra đường Hà Hoàng Hổ"),
            "what was typed is kept"
        );
        assert_eq!(app.count("petitions").await, before);

        // An attachment over 10 MiB: refused with a message, nothing written.
        let big = reqwest::multipart::Form::new()
            .text("kind", "feedback")
            .text("field", "environment")
            .text("unit_code", "30307")
            .text("title", "Tệp quá lớn")
            .text(
                "content",
                "Nội dung đủ dài để không bị từ chối vì quá ngắn.",
            )
            .text("name", "Nguyễn Thị Hoa")
            .text("phone", "0912 000 111")
            .text("consent", "yes")
            .part(
                "files",
                reqwest::multipart::Part::bytes(vec![0u8; 11 * 1024 * 1024])
                    .file_name("video.png")
                    .mime_str("image/png")
                    .unwrap(),
            );
        let r = b
            .post(app.url(&format!("/kien-nghi?_csrf={csrf}")))
            .multipart(big)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("Tệp quá lớn"));
        assert_eq!(app.count("petitions").await, before);

        // Without the CSRF token: refused.
        let r = b
            .post(app.url("/kien-nghi"))
            .multipart(form(false))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        assert_eq!(app.count("petitions").await, before);

        let r = b
            .post(app.url(&format!("/kien-nghi?_csrf={csrf}")))
            .multipart(form(false))
            .send()
            .await
            .unwrap();
        let status = r.status();
        let location = r
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string());
        assert_eq!(status, 303, "{}", r.text().await.unwrap_or_default());
        let location = location.unwrap();
        assert!(location.starts_with("/kien-nghi/KN-"), "{location}");
        let receipt = b
            .get(app.url(&location))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(receipt.contains("id=\"tracking-code\""));
        for private in ["Nguyễn Thị Hoa", "0912 000 111", "hoa@example.vn"] {
            assert!(!receipt.contains(private), "the receipt shows {private}");
        }
        assert_eq!(app.count("petitions").await, before + 1);

        // The citizen asks what is held about them: code and phone must match.
        let data_path = format!("{}/du-lieu", location.split('?').next().unwrap());
        let r = b
            .post(app.url(&data_path))
            .form(&[
                ("_csrf", csrf_of(&receipt).as_str()),
                ("contact", "0999 999 999"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        assert!(!r.text().await.unwrap().contains("Nguyễn Thị Hoa"));
        let r = b
            .post(app.url(&data_path))
            .form(&[
                ("_csrf", csrf_of(&receipt).as_str()),
                ("contact", "0912 000 111"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let held = r.text().await.unwrap();
        assert!(
            held.contains("id=\"held\"")
                && held.contains("Nguyễn Thị Hoa")
                && held.contains("hoa@example.vn")
        );
        assert!(app.count("petition_files").await >= 1);

        // The ward's handler (demo.ubndlx) sees it; the details are hidden until asked for.
        let h = app.browser();
        app.sign_in(&h, "demo.ubndlx", &app.password_of("demo.ubndlx"))
            .await;
        let queue = h
            .get(app.url("/xu-ly"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let code = location
            .trim_start_matches("/kien-nghi/")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        assert!(
            queue.contains(&code),
            "the new petition is in the ward's queue"
        );
        let id: i64 = queue
            .split(&code)
            .next()
            .unwrap()
            .rsplit("href=\"/xu-ly/")
            .next()
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let case = h
            .get(app.url(&format!("/xu-ly/{id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !case.contains("0912000111"),
            "contact details need an explicit, logged view"
        );
        assert!(case.contains("cong.png"), "the attachment is listed");
        let audit_before = app.count("audit_log").await;
        let r = h
            .post(app.url(&format!("/xu-ly/{id}/nguoi-gui")))
            .form(&[("_csrf", csrf_of(&case).as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let shown = r.text().await.unwrap();
        assert!(shown.contains("0912000111") && shown.contains("Nguyễn Thị Hoa"));
        assert_eq!(
            app.count("audit_log").await,
            audit_before + 1,
            "the view is logged"
        );
        let file_path = format!("/xu-ly/{id}/tep/");
        let file_url: String = case
            .split(&format!("href=\"{file_path}"))
            .nth(1)
            .and_then(|t| t.split('"').next())
            .map(|n| format!("{file_path}{n}"))
            .unwrap();
        let file = h.get(app.url(&file_url)).send().await.unwrap();
        assert_eq!(file.status(), 200);
        assert_eq!(file.headers()["content-type"], "image/png");
        // Not to the public, not to another body.
        assert_ne!(
            app.browser()
                .get(app.url(&file_url))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );

        // The handler accepts, attaches the reply letter and answers; the citizen sees the
        // letter with the answer, and never the files the petitioner sent.
        let case_csrf = csrf_of(&case);
        let act = |action: &'static str| {
            let h = h.clone();
            let url = app.url(&format!("/xu-ly/{id}/xu-ly"));
            let csrf = case_csrf.clone();
            async move {
                h.post(url)
                    .form(&[
                        ("_csrf", csrf.as_str()),
                        ("action", action),
                        ("answer", "Đã nạo vét cống đầu hẻm 7 ngày 26/11."),
                    ])
                    .send()
                    .await
                    .unwrap()
                    .status()
            }
        };
        assert_eq!(act("accept").await, 303);
        let letter = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(TINY_PNG.to_vec())
                .file_name("cong-van-tra-loi.png")
                .mime_str("image/png")
                .unwrap(),
        );
        let r = h
            .post(app.url(&format!("/xu-ly/{id}/tai-lieu?_csrf={case_csrf}")))
            .multipart(letter)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(act("answer").await, 303);
        let tracking = b
            .get(app.url(&location))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            tracking.contains("cong-van-tra-loi.png"),
            "the answer lists its document"
        );
        assert!(
            !tracking.contains("cong.png\""),
            "the petitioner's own file is not public"
        );
        let doc = tracking
            .split(&format!("href=\"/kien-nghi/{code}/tep/"))
            .nth(1)
            .and_then(|t| t.split('"').next())
            .unwrap()
            .to_string();
        let r = b
            .get(app.url(&format!("/kien-nghi/{code}/tep/{doc}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        // The petitioner's photo, by its id, is not served through the public route.
        let own_id: i64 = file_url.rsplit('/').next().unwrap().parse().unwrap();
        let r = b
            .get(app.url(&format!("/kien-nghi/{code}/tep/{own_id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);

        // Another body's handler cannot open it.
        let other = app.browser();
        app.sign_in(&other, "demo.nuicam", &app.password_of("demo.nuicam"))
            .await;
        let r = other
            .get(app.url(&format!("/xu-ly/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);

        // The province's settings page: rules of the demo, a new Open311 key shown once.
        let a = app.browser();
        app.sign_in(&a, "demo.tinh", &app.password_of("demo.tinh"))
            .await;
        let settings = a.get(app.url("/quan-tri/kien-nghi")).send().await.unwrap();
        assert_eq!(settings.status(), 200);
        let html = settings.text().await.unwrap();
        assert!(html.contains("Công an phường Long Xuyên"));
        let r = a
            .post(app.url("/quan-tri/kien-nghi/khoa"))
            .form(&[("_csrf", csrf_of(&html).as_str()), ("name", "Ứng dụng thử")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("id=\"new-key\""));
        let r = a
            .post(app.url("/quan-tri/kien-nghi/thoi-han"))
            .form(&[
                ("_csrf", csrf_of(&html).as_str()),
                ("kind", "feedback"),
                ("accept_days", "0"),
                ("resolve_days", "15"),
                ("complex_days", "15"),
                ("extension_days", "0"),
                ("max_extensions", "0"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "a time limit of 0 days is refused");
        // The handler may not open the settings.
        assert_eq!(
            h.get(app.url("/quan-tri/kien-nghi"))
                .send()
                .await
                .unwrap()
                .status(),
            403
        );
    });
}
