//! Pages as a browser uses them: sign-in with CSRF, the admin's account pages, password
//! change, language, escaping and security headers.
#![allow(clippy::unwrap_used)]

mod common;

use common::csrf_of;

#[tokio::test]
async fn sign_in_dashboard_sign_out() {
    each_backend!(|app| {
        let b = app.browser();
        let home = b.get(app.url("/")).send().await.unwrap();
        assert_eq!(home.status(), 200);
        let html = home.text().await.unwrap();
        assert!(html.contains("<html lang=\"vi\">"));
        assert!(html.contains("href=\"/dang-nhap\""));
        assert!(html.contains("href=\"/mo-hinh\"") && html.contains("href=\"/kien-nghi\""));

        // A form posted without its token is refused and signs nobody in.
        let r = b
            .post(app.url("/dang-nhap"))
            .form(&[
                ("username", "demo.tinh"),
                ("password", app.password_of("demo.tinh").as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        assert_eq!(
            b.get(app.url("/bang-dieu-khien"))
                .send()
                .await
                .unwrap()
                .status(),
            303
        );

        let r = app.sign_in(&b, "demo.tinh", "wrong password").await;
        assert_eq!(r.status(), 401);
        let html = r.text().await.unwrap();
        assert!(html.contains("class=\"alert alert-error\" role=\"alert\""));

        let r = app
            .sign_in(&b, "demo.tinh", &app.password_of("demo.tinh"))
            .await;
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/bang-dieu-khien");
        let cookie = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            cookie.contains("dv_session=")
                && cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Lax")
        );

        let dash = b
            .get(app.url("/bang-dieu-khien"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(dash.contains("<h1>Bảng điều khiển</h1>"));
        assert!(dash.contains("Quản trị cấp tỉnh"));
        assert!(dash.contains("id=\"logout\""));

        let csrf = csrf_of(&dash);
        let r = b
            .post(app.url("/dang-xuat"))
            .form(&[("_csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(
            b.get(app.url("/bang-dieu-khien"))
                .send()
                .await
                .unwrap()
                .status(),
            303,
            "signed out"
        );
    });
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    each_backend!(|app| {
        let b = app.browser();
        app.sign_in(&b, "demo.tinh", &app.password_of("demo.tinh"))
            .await;
        let page = b
            .get(app.url("/to-chuc"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = csrf_of(&page);
        let before = app.count("organisations").await;
        let form = [
            ("_csrf", csrf.as_str()),
            ("name", "Tổ tự quản"),
            ("kind", "collective"),
            ("unit_code", "30307"),
        ];
        let r = b
            .post(app.url("/to-chuc"))
            .header("origin", "https://evil.example")
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let r = b
            .post(app.url("/to-chuc"))
            .form(&[
                ("_csrf", "forged"),
                ("name", "Tổ tự quản"),
                ("kind", "collective"),
                ("unit_code", "30307"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        assert_eq!(app.count("organisations").await, before);
        let r = b
            .post(app.url("/to-chuc"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(app.count("organisations").await, before + 1);
    });
}

#[tokio::test]
async fn admin_creates_and_disables_an_account_in_the_browser() {
    each_backend!(|app| {
        let admin = app.browser();
        app.sign_in(&admin, "demo.tinh", &app.password_of("demo.tinh"))
            .await;
        let form_page = admin
            .get(app.url("/quan-tri/tai-khoan/moi"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = csrf_of(&form_page);

        // Bad input re-shows the form with the Vietnamese message, and writes nothing.
        let before = app.count("accounts").await;
        let r = admin
            .post(app.url("/quan-tri/tai-khoan/moi"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("username", "x"),
                ("display_name", ""),
                ("role", "unit_officer"),
                ("unit_code", "12345"),
                ("organisation_id", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("Tên đăng nhập gồm 3–64 ký tự"));
        assert!(html.contains("Không có đơn vị hành chính mã “12345”."));
        assert!(html.contains("aria-invalid=\"true\""));
        assert_eq!(app.count("accounts").await, before);

        let r = admin
            .post(app.url("/quan-tri/tai-khoan/moi"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("username", "canbo.triton"),
                ("display_name", "Nguyễn Văn Út <script>"),
                ("role", "unit_officer"),
                ("unit_code", "30544"),
                ("organisation_id", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("Nguyễn Văn Út &#60;script&#62;")
                || html.contains("Nguyễn Văn Út &lt;script&gt;"),
            "output is escaped"
        );
        assert!(!html.contains("Út <script>"));
        let start =
            html.find("<p class=\"mono\"><strong>").unwrap() + "<p class=\"mono\"><strong>".len();
        let password = html[start..].split('<').next().unwrap().to_string();

        let user = app.browser();
        assert_eq!(
            app.sign_in(&user, "canbo.triton", &password).await.status(),
            303
        );
        assert_eq!(
            user.get(app.url("/bang-dieu-khien"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );

        let account = danvan_storage::accounts::by_username(app.db(), "canbo.triton")
            .await
            .unwrap()
            .unwrap();
        let r = admin
            .post(app.url(&format!("/quan-tri/tai-khoan/{}/vo-hieu", account.id)))
            .form(&[("_csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(
            user.get(app.url("/bang-dieu-khien"))
                .send()
                .await
                .unwrap()
                .status(),
            303,
            "the disabled user's session ended"
        );
        assert_eq!(
            app.sign_in(&user, "canbo.triton", &password).await.status(),
            401
        );
        let list = admin
            .get(app.url("/quan-tri/tai-khoan"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(list.contains("Đã vô hiệu"));
    });
}

#[tokio::test]
async fn password_change_ends_other_sessions() {
    each_backend!(|app| {
        let old = app.password_of("demo.hoidong");
        let a = app.browser();
        let other = app.browser();
        app.sign_in(&a, "demo.hoidong", &old).await;
        app.sign_in(&other, "demo.hoidong", &old).await;
        let page = a
            .get(app.url("/tai-khoan/mat-khau"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = csrf_of(&page);
        let r = a
            .post(app.url("/tai-khoan/mat-khau"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("current_password", old.as_str()),
                ("new_password", "ngắn"),
                ("confirm_password", "ngắn"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("ít nhất 10 ký tự"));
        let new = "Một câu mật khẩu mới đủ dài";
        let r = a
            .post(app.url("/tai-khoan/mat-khau"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("current_password", old.as_str()),
                ("new_password", new),
                ("confirm_password", new),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(
            a.get(app.url("/bang-dieu-khien"))
                .send()
                .await
                .unwrap()
                .status(),
            200,
            "this session stays"
        );
        assert_eq!(
            other
                .get(app.url("/bang-dieu-khien"))
                .send()
                .await
                .unwrap()
                .status(),
            303,
            "the other one ended"
        );
        assert_eq!(
            app.sign_in(&app.browser(), "demo.hoidong", new)
                .await
                .status(),
            303
        );
    });
}

#[tokio::test]
async fn language_headers_and_assets() {
    each_backend!(|app| {
        let b = app.browser();
        let r = b
            .get(app.url("/ngon-ngu/en?next=/don-vi"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/don-vi");
        let html = b
            .get(app.url("/don-vi"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("<html lang=\"en\">"));
        assert!(html.contains("Administrative units"));
        let r = b
            .get(app.url("/ngon-ngu/vi?next=//evil.example/x"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.headers()["location"],
            "/bang-dieu-khien",
            "no open redirect"
        );

        let r = b.get(app.url("/")).send().await.unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'")
                && csp.contains("frame-ancestors 'none'")
                && !csp.contains("unsafe-inline")
        );
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(
            h.get("strict-transport-security").is_none(),
            "no HSTS on plain HTTP"
        );

        let css = b.get(app.url("/static/app.css")).send().await.unwrap();
        assert_eq!(css.status(), 200);
        let etag = css.headers()["etag"].to_str().unwrap().to_string();
        let again = b
            .get(app.url("/static/app.css"))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304);
        let font = b
            .get(app.url("/static/fonts/BeVietnamPro-Regular.woff2"))
            .send()
            .await
            .unwrap();
        assert_eq!(font.headers()["content-type"], "font/woff2");
        let font = font.bytes().await.unwrap();
        assert_eq!(&font[..4], b"wOF2", "a WOFF2 font");

        let units = b
            .get(app.url("/don-vi?parent=89&at=2024-06-01"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(units.contains("Thành phố Long Xuyên"));
        let missing = b.get(app.url("/khong-co-trang-nay")).send().await.unwrap();
        assert_eq!(missing.status(), 404);
    });
}

#[tokio::test]
async fn behind_tls_sets_hsts_and_secure_cookies() {
    let config = danvan_web::Config {
        behind_tls: true,
        ..Default::default()
    };
    let app = common::TestApp::spawn_with(danvan_storage::Backend::Sqlite, config).await;
    let r = app
        .browser()
        .get(app.url("/dang-nhap"))
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .contains("max-age=")
    );
    assert!(
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Secure")
    );
    app.stop().await;
}

#[tokio::test]
async fn the_admin_enters_a_day_off_in_the_calendar() {
    each_backend!(|app| {
        let admin = app.browser();
        app.sign_in(&admin, "demo.tinh", &app.password_of("demo.tinh"))
            .await;
        let html = admin
            .get(app.url("/quan-tri/lich?year=2026"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("17/02/2026"), "Tết 2026 is listed");
        assert!(
            html.contains("27/04/2026"),
            "the compensatory Monday after Giỗ Tổ on a Sunday"
        );
        let csrf = csrf_of(&html);
        let r = admin
            .post(app.url("/quan-tri/lich"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("date", "2026-03-09"),
                ("kind", "day_off"),
                ("reason", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "a reason is required");
        assert_eq!(app.count("calendar_days").await, 0);
        let r = admin
            .post(app.url("/quan-tri/lich"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("date", "2026-03-09"),
                ("kind", "day_off"),
                ("reason", "Nghỉ theo quyết định của tỉnh <b>"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(
            html.contains("09/03/2026") && !html.contains("tỉnh <b>"),
            "listed, and escaped"
        );
        let r = admin
            .post(app.url("/quan-tri/lich/xoa"))
            .form(&[("_csrf", csrf.as_str()), ("date", "2026-03-09")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(app.count("calendar_days").await, 0);

        let officer = app.browser();
        app.sign_in(
            &officer,
            "demo.longxuyen",
            &app.password_of("demo.longxuyen"),
        )
        .await;
        assert_eq!(
            officer
                .get(app.url("/quan-tri/lich"))
                .send()
                .await
                .unwrap()
                .status(),
            403
        );
        assert_eq!(
            app.browser()
                .get(app.url("/quan-tri/lich"))
                .send()
                .await
                .unwrap()
                .status(),
            303
        );
    });
}
