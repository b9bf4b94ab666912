//! Headless-browser test: the real `danvan` binary driven by Chromium through
//! chromedriver (WebDriver, via fantoccini), with axe-core accessibility checks.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian packages
//! `chromium` and `chromium-driver`) and axe-core installed with
//! `npm ci --prefix crates/cli/tests/browser`; see `tests/browser/README.md`.
//! Set `DANVAN_SKIP_BROWSER=1` to skip it (it prints a notice and passes).
//!
//! One server, one chromedriver and one browser session serve every step, to
//! keep the run short on a small machine.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::wd::TimeoutConfiguration;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

mod support;
use support::{Serve, TestDatabase};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const INSTALL_HINT: &str =
    "install chromium and chromium-driver, see crates/cli/tests/browser/README.md";
const PUBLIC_PAGES: [&str; 8] = [
    "/",
    "/dang-nhap",
    "/mo-hinh",
    "/kien-nghi",
    "/ket-qua",
    "/don-vi",
    "/dien-hinh",
    "/khen-thuong/1/giay-khen/1",
];
const DASHBOARD: &str = "/bang-dieu-khien";
const DASHBOARD_H1: &str = "Bảng điều khiển";
/// A 1×1 white PNG: the evidence photo the journey uploads.
const TINY_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
    0xDE, 0x00, 0x00, 0x00, 0x0C, 0x49, 0x44, 0x41, 0x54, 0x08, 0xD7, 0x63, 0xF8, 0xFF, 0xFF, 0x3F,
    0x00, 0x05, 0xFE, 0x02, 0xFE, 0xDC, 0xCC, 0x59, 0xE7, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E,
    0x44, 0xAE, 0x42, 0x60, 0x82,
];
/// How long to wait for something to appear in the browser.
const UI_TIMEOUT: Duration = Duration::from_secs(15);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_journeys() {
    if std::env::var("DANVAN_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("NOTICE: DANVAN_SKIP_BROWSER=1: the headless-browser test is skipped");
        return;
    }
    for binary in [CHROMEDRIVER, CHROMIUM] {
        assert!(
            Path::new(binary).exists(),
            "{binary} is missing: {INSTALL_HINT} (or set DANVAN_SKIP_BROWSER=1 to skip this test)"
        );
    }
    let axe_source = read_axe_source();
    journeys(&axe_source, None).await;
    if let Some(admin_url) = std::env::var("DANVAN_TEST_POSTGRES")
        .ok()
        .filter(|u| u.starts_with("postgres"))
    {
        journeys(&axe_source, Some(admin_url)).await;
    }
}

/// Every step, against a server on SQLite (`None`) or on a fresh PostgreSQL database made
/// on the server `postgres` names.
async fn journeys(axe_source: &str, postgres: Option<String>) {
    let database = match postgres {
        Some(admin_url) => Some(TestDatabase::create(admin_url).await),
        None => None,
    };
    let app = Serve::demo(database.as_ref().map(|db| db.url.as_str()))
        .start()
        .await;
    let driver = start_chromedriver().await;
    let client = connect_browser(&driver).await;
    let b = Browser {
        client,
        base: app.base_url.clone(),
    };

    // Every serious or critical axe violation of every page, reported at the end.
    let mut a11y_failures: Vec<String> = Vec::new();

    step("1. sign-in journey: wrong password, right password, sign out");
    let admin = app.account("province_admin");
    b.goto("/").await;
    b.click(r#"a[href="/dang-nhap"]"#).await;
    b.wait_for_path("/dang-nhap").await;
    b.submit_sign_in(&admin.username, &format!("{}-wrong", admin.password))
        .await;
    let alert = b.wait_for(".alert-error").await;
    assert_eq!(
        alert
            .attr("role")
            .await
            .expect("read role of .alert-error")
            .as_deref(),
        Some("alert"),
        "the .alert-error shown after a wrong password must have role=alert"
    );
    assert_eq!(
        b.path().await,
        "/dang-nhap",
        "a wrong password must re-show the sign-in form"
    );
    b.submit_sign_in(&admin.username, &admin.password).await;
    b.expect_dashboard("province_admin").await;
    b.sign_out().await;

    let officer = app.account("unit_officer");
    b.goto("/dang-nhap").await;
    b.submit_sign_in(&officer.username, &officer.password).await;
    b.expect_dashboard("unit_officer").await;
    b.sign_out().await;

    step("2. keyboard-only sign-in (Tab, Enter)");
    b.goto("/dang-nhap").await;
    let username = b.wait_for("input#username").await;
    username.clear().await.expect("clear #username");
    // Element Send Keys focuses #username first; then Tab must move focus to #password.
    username
        .send_keys(&format!("{}{}", admin.username, Key::Tab))
        .await
        .expect("type the username and Tab");
    let focused = b
        .client
        .active_element()
        .await
        .expect("get the focused element");
    assert_eq!(
        focused
            .attr("id")
            .await
            .expect("read id of the focused element")
            .as_deref(),
        Some("password"),
        "Tab from #username must move the focus to #password"
    );
    focused
        .send_keys(&format!("{}{}", admin.password, Key::Enter))
        .await
        .expect("type the password and Enter");
    b.expect_dashboard("province_admin (keyboard)").await;
    // While signed in: the dashboard's accessibility.
    a11y_failures.extend(
        b.axe_check(axe_source, "dashboard (/bang-dieu-khien)")
            .await,
    );
    b.sign_out().await;

    step("3. phone width 360x740: no horizontal scrolling");
    b.client
        .set_window_size(360, 740)
        .await
        .expect("resize the window to 360x740");
    let mut too_wide = Vec::new();
    for page in PUBLIC_PAGES {
        b.goto(page).await;
        let (scroll_width, inner_width) = b.widths().await;
        assert!(
            inner_width <= 400,
            "the window did not shrink to phone width: innerWidth is {inner_width}"
        );
        if scroll_width > inner_width {
            too_wide.push(format!(
                "{page}: scrollWidth {scroll_width} > innerWidth {inner_width}"
            ));
        }
    }
    assert!(
        too_wide.is_empty(),
        "pages scroll sideways at 360 px wide:\n  {}",
        too_wide.join("\n  ")
    );
    b.client
        .set_window_size(1280, 900)
        .await
        .expect("resize the window back to 1280x900");

    step("4. accessibility (axe-core, WCAG 2.1 A/AA) of the public pages");
    for page in PUBLIC_PAGES {
        b.goto(page).await;
        a11y_failures.extend(b.axe_check(axe_source, page).await);
    }
    // Switch to English from the home page; the next page must say lang="en".
    b.goto("/").await;
    assert_eq!(
        b.html_lang().await,
        "vi",
        "the default language must be Vietnamese"
    );
    b.click(r#"a[hreflang="en"]"#).await;
    b.wait_until(
        "<html lang=\"en\"> after following a[hreflang=\"en\"]",
        async || b.html_lang().await == "en",
    )
    .await;
    a11y_failures.extend(b.axe_check(axe_source, "English home").await);

    step("5. the movement: register, approve, report with evidence, verify, see it in public");
    b.goto("/ngon-ngu/vi?next=/").await;
    let reporter = app.account("reporter");
    let officer = app.account("unit_officer");
    let title = format!("Thắp sáng đường quê {}", std::process::id());
    b.goto("/dang-nhap").await;
    b.submit_sign_in(&reporter.username, &reporter.password)
        .await;
    b.expect_dashboard("reporter").await;
    b.goto("/mo-hinh/dang-ky").await;
    b.type_into("#title", &title).await;
    b.select("#field", "economy").await;
    b.type_into(
        "#summary",
        "Vận động các hộ lắp đèn năng lượng mặt trời dọc đường quê.",
    )
    .await;
    b.select("#kind1", "households").await;
    b.type_into("#target1", "150").await;
    b.click_to_new_page(r#"button[name="submit"][value="1"]"#)
        .await;
    b.wait_for(".alert-success").await;
    let model_path = b.path().await;
    assert!(
        model_path.starts_with("/mo-hinh/"),
        "after registering the browser is on {model_path}"
    );
    a11y_failures.extend(
        b.axe_check(axe_source, "a model's page, as its reporter")
            .await,
    );
    b.sign_out().await;

    b.goto("/dang-nhap").await;
    b.submit_sign_in(&officer.username, &officer.password).await;
    b.expect_dashboard("unit officer").await;
    b.click(&format!(r#"a[href="{model_path}"]"#)).await;
    b.click_to_new_page(r#"button[name="action"][value="approve"]"#)
        .await;
    b.wait_for(".alert-success").await;
    let badge = b
        .wait_for(".badge-ok")
        .await
        .text()
        .await
        .expect("read the state");
    assert_eq!(badge, "Đã đăng ký");
    b.sign_out().await;

    b.goto("/dang-nhap").await;
    b.submit_sign_in(&reporter.username, &reporter.password)
        .await;
    b.expect_dashboard("reporter").await;
    b.goto(&model_path).await;
    b.type_into(r#"input[name^="value_"]"#, "120").await;
    b.type_into("#narrative", "Đã lắp 120 bộ đèn cho 120 hộ.")
        .await;
    b.click_to_new_page(r#"form[action$="/bao-cao"] button[type="submit"]"#)
        .await;
    b.wait_for(".alert-success").await;
    let photo = std::env::temp_dir().join(format!("danvan-evidence-{}.png", std::process::id()));
    std::fs::write(&photo, TINY_PNG).expect("write the evidence photo");
    b.wait_for("#file")
        .await
        .send_keys(&photo.display().to_string())
        .await
        .expect("choose the photo");
    b.type_into("#caption", "Đèn đường trước nhà văn hoá").await;
    b.click_to_new_page(r#"form[action*="/minh-chung"] button[type="submit"]"#)
        .await;
    b.wait_for(".alert-success").await;
    b.wait_for(r#"img[src^="/tep/"]"#).await;
    b.sign_out().await;

    b.goto("/dang-nhap").await;
    b.submit_sign_in(&officer.username, &officer.password).await;
    b.expect_dashboard("unit officer").await;
    b.goto(&model_path).await;
    b.click_to_new_page(r#"form[action*="/xac-minh"] button[value="verify"]"#)
        .await;
    b.wait_for(".alert-success").await;
    b.sign_out().await;

    // In public: the showcase lists it, its page shows the verified result.
    b.goto("/mo-hinh?field=economy").await;
    b.click(&format!(r#"a[href="{model_path}"]"#)).await;
    let h1 = b
        .wait_for("h1")
        .await
        .text()
        .await
        .expect("read the model's title");
    assert_eq!(h1, title);
    let meter = b
        .wait_for("meter")
        .await
        .attr("value")
        .await
        .expect("read the meter");
    assert_eq!(meter.as_deref(), Some("80"), "120 of 150 households");
    a11y_failures.extend(b.axe_check(axe_source, "a model's public page").await);
    b.goto("/mo-hinh").await;
    a11y_failures.extend(b.axe_check(axe_source, "the showcase with models").await);
    let _ = std::fs::remove_file(&photo);

    step("6. launch a campaign; a new reporter elsewhere replicates the model");
    let admin = app.account("province_admin");
    b.goto("/dang-nhap").await;
    b.submit_sign_in(&admin.username, &admin.password).await;
    b.expect_dashboard("province admin").await;
    b.goto("/quan-tri/dot-thi-dua").await;
    let year = b
        .wait_for("#year")
        .await
        .prop("value")
        .await
        .expect("read the year")
        .unwrap_or_default();
    b.type_into("#title", "Dân vận khéo trong chuyển đổi số")
        .await;
    b.set_value("#registration_opens", &format!("{year}-01-01"))
        .await;
    b.set_value("#registration_closes", &format!("{year}-12-31"))
        .await;
    b.set_value("#midyear_review", &format!("{year}-06-30"))
        .await;
    b.set_value("#yearend_review", &format!("{year}-12-20"))
        .await;
    b.click_to_new_page(r#"form[action="/quan-tri/dot-thi-dua"] button[type="submit"]"#)
        .await;
    b.wait_for(".alert-success").await;
    a11y_failures.extend(b.axe_check(axe_source, "campaigns (admin)").await);
    b.goto("/quan-tri/tai-khoan/moi").await;
    b.type_into("#username", "baocao.oceo").await;
    b.type_into("#display_name", "Trần Thị Bé Ba").await;
    b.select("#role", "reporter").await;
    b.type_into("#unit_code", "30688").await;
    b.select_by_text("#organisation_id", "Hội Liên hiệp Phụ nữ xã Óc Eo")
        .await;
    b.click(r#"form[action="/quan-tri/tai-khoan/moi"] button[type="submit"]"#)
        .await;
    let new_password = b
        .wait_for(".alert-success .mono strong")
        .await
        .text()
        .await
        .expect("read the new password");
    b.sign_out().await;

    b.goto("/dang-nhap").await;
    b.submit_sign_in("baocao.oceo", &new_password).await;
    b.expect_dashboard("new reporter").await;
    b.goto(&model_path).await;
    b.click(&format!(
        r#"a[href="/mo-hinh/dang-ky?source={}"]"#,
        model_path.trim_start_matches("/mo-hinh/")
    ))
    .await;
    b.type_into("#title", &format!("{title} (nhân rộng tại Óc Eo)"))
        .await;
    b.select("#field", "economy").await;
    b.type_into("#summary", "Học cách làm của phường Long Xuyên.")
        .await;
    b.select("#kind1", "households").await;
    b.type_into("#target1", "60").await;
    b.click_to_new_page(r#"button[name="submit"][value="1"]"#)
        .await;
    b.wait_for(".alert-success").await;
    b.wait_for(&format!(r#"dd a[href="{model_path}"]"#)).await;
    b.sign_out().await;

    step("7. a council scores the model, the round closes, the province commends it");
    let member = app.account("council_member");
    let model_id = model_path.trim_start_matches("/mo-hinh/").to_string();
    b.goto("/dang-nhap").await;
    b.submit_sign_in(&admin.username, &admin.password).await;
    b.expect_dashboard("province admin").await;
    b.goto("/hoi-dong").await;
    b.select_by_text("#campaign_id", "Phong trào thi đua").await;
    b.type_into("#name", "Hội đồng thẩm định bổ sung").await;
    b.type_into("#unit_code", "91").await;
    b.click_to_new_page(r#"form[action="/hoi-dong"] button[type="submit"]"#)
        .await;
    b.wait_for(".alert-success").await;
    let council_path = b.path().await;
    b.select_by_text("#account_id", "Phạm Quốc Việt").await;
    b.click_to_new_page(r#"form[action$="/thanh-vien"] button[type="submit"]"#)
        .await;
    b.wait_for(".alert-success").await;
    b.select("#initiative_id", &model_id).await;
    b.click_to_new_page(r#"form[action$="/phan-cong"] button[type="submit"]"#)
        .await;
    b.wait_for(".alert-success").await;
    a11y_failures.extend(b.axe_check(axe_source, "a council (admin)").await);
    b.sign_out().await;

    b.goto("/dang-nhap").await;
    b.submit_sign_in(&member.username, &member.password).await;
    b.expect_dashboard("council member").await;
    b.goto(&council_path).await;
    for (criterion, points) in [
        ("results", "38"),
        ("creativity", "19"),
        ("spread", "18"),
        ("participation", "19"),
    ] {
        b.type_into(&format!("#p{model_id}_{criterion}"), points)
            .await;
    }
    a11y_failures.extend(b.axe_check(axe_source, "a score sheet").await);
    b.click_to_new_page(&format!(
        r#"form[action$="/cham-diem"]:has(input[value="{model_id}"]) button[type="submit"]"#
    ))
    .await;
    b.wait_for(".alert-success").await;
    b.sign_out().await;

    b.goto("/dang-nhap").await;
    b.submit_sign_in(&admin.username, &admin.password).await;
    b.expect_dashboard("province admin").await;
    b.goto(&council_path).await;
    b.click(r#"form[action$="/ket-thuc"] button[type="submit"]"#)
        .await;
    // The page's script asks for confirmation before closing the round.
    b.client
        .accept_alert()
        .await
        .expect("confirm closing the round");
    b.wait_for(".alert-success").await;
    b.click(r#"form[action$="/de-xuat-khen-thuong"] button[type="submit"]"#)
        .await;
    b.wait_for(r#"form[action$="/ban-hanh"]"#).await;
    b.type_into("#number", "131/QĐ-UBND").await;
    b.set_value("#signed_on", &format!("{year}-12-22")).await;
    b.type_into("#issuing_body", "Ủy ban nhân dân tỉnh An Giang")
        .await;
    b.type_into("#signer_name", "Lê Văn Phước").await;
    b.type_into("#signer_title", "Phó Chủ tịch").await;
    b.click_to_new_page(r#"form[action$="/ban-hanh"] button[type="submit"]"#)
        .await;
    b.wait_for(".alert-success").await;
    b.sign_out().await;

    b.goto("/dien-hinh").await;
    b.click(&format!(r#"a[href="{model_path}"]"#)).await;
    b.wait_for_path(&model_path).await;
    let page = b.client.source().await.expect("read the model page");
    assert!(
        page.contains("131/QĐ-UBND"),
        "the model page lists its commendation"
    );

    step("8. a citizen on a phone submits a petition and follows it to its answer");
    b.client
        .set_window_size(360, 740)
        .await
        .expect("resize the window to 360x740");
    b.goto("/kien-nghi").await;
    b.select("#kind", "feedback").await;
    b.select("#field", "environment").await;
    b.select("#unit_code", "30307").await;
    b.type_into("#title", "Cống thoát nước hẻm 7 bị tắc").await;
    b.type_into(
        "#content",
        "Cống thoát nước đầu hẻm 7 đường Hà Hoàng Hổ bị tắc, nước thải tràn ra đường, bốc mùi hôi.",
    )
    .await;
    b.type_into("#name", "Nguyễn Thị Hoa").await;
    b.type_into("#phone", "0912 000 111").await;
    a11y_failures.extend(
        b.axe_check(axe_source, "the petition form, filled (phone)")
            .await,
    );
    b.click("#consent").await;
    b.click("#submit-petition").await;
    let code = b
        .wait_for("#tracking-code")
        .await
        .text()
        .await
        .expect("read the tracking code");
    assert!(code.starts_with("KN-"), "a tracking code is shown: {code}");
    let track_path = format!("/kien-nghi/{code}");
    assert_eq!(
        b.path().await,
        track_path,
        "the receipt is the tracking page"
    );
    let receipt = b.client.source().await.expect("read the receipt");
    assert!(
        !receipt.contains("0912 000 111") && !receipt.contains("Nguyễn Thị Hoa"),
        "the public page never shows the petitioner's personal data"
    );
    let (scroll_width, inner_width) = b.widths().await;
    assert!(scroll_width <= inner_width, "the receipt fits a phone");
    a11y_failures.extend(
        b.axe_check(axe_source, "the petition receipt (phone)")
            .await,
    );

    // The ward's handler accepts and answers it, publishing the answer.
    b.client
        .set_window_size(1280, 900)
        .await
        .expect("resize the window back to 1280x900");
    let handler = app.account("demo.ubndlx");
    b.goto("/dang-nhap").await;
    b.submit_sign_in(&handler.username, &handler.password).await;
    b.expect_dashboard("the ward's petition handler").await;
    b.goto("/xu-ly").await;
    a11y_failures.extend(b.axe_check(axe_source, "the petition queue").await);
    // The queue is ordered by due date: find the citizen's case by its code.
    let href = b
        .client
        .execute(
            "for (const tr of document.querySelectorAll('#queue tbody tr')) { \
               if (tr.textContent.includes(arguments[0])) return tr.querySelector('a').getAttribute('href'); } \
             return null;",
            vec![json!(code)],
        )
        .await
        .expect("look the case up in the queue");
    let href = href
        .as_str()
        .expect("the new petition is in the handler's queue")
        .to_string();
    b.click(&format!(r#"#queue a[href="{href}"]"#)).await;
    b.wait_for_path(&href).await;
    let case_path = b.path().await;
    let case = b.client.source().await.expect("read the case");
    assert!(
        case.contains(&code),
        "the handler opened the citizen's case ({case_path})"
    );
    a11y_failures.extend(b.axe_check(axe_source, "a petition case (handler)").await);
    b.click("#do-accept").await;
    b.wait_for("#do-answer").await;
    b.set_value(
        "#answer-text",
        "Ngày 26/11, Tổ vệ sinh môi trường đã nạo vét cống đầu hẻm 7; nước đã thoát bình thường.",
    )
    .await;
    b.click("#publish").await;
    b.click("#do-answer").await;
    b.wait_until("the case is answered", async || {
        b.client
            .source()
            .await
            .map(|s| s.contains("Đã trả lời"))
            .unwrap_or(false)
    })
    .await;
    b.sign_out().await;

    // Back on the phone, the citizen reads the answer and rates it.
    b.client
        .set_window_size(360, 740)
        .await
        .expect("resize the window to 360x740");
    b.goto("/kien-nghi").await;
    b.type_into("#ma", &code.to_lowercase()).await;
    b.click(r#"form[action="/kien-nghi/tra-cuu"] button[type="submit"]"#)
        .await;
    b.wait_for_path(&track_path).await;
    let answer = b
        .wait_for("#answer")
        .await
        .text()
        .await
        .expect("read the answer");
    assert!(
        answer.contains("nạo vét cống"),
        "the citizen sees the answer: {answer}"
    );
    b.click("#sat-yes").await;
    b.click_to_new_page("#rate-submit").await;
    b.wait_for(".alert-success").await;
    a11y_failures.extend(
        b.axe_check(axe_source, "the answered petition (phone)")
            .await,
    );
    b.goto("/kien-nghi/tra-loi?q=nao+vet+cong").await;
    let record = b.client.source().await.expect("read the public record");
    assert!(
        record.contains("Cống thoát nước hẻm 7"),
        "the published answer is found without diacritics"
    );
    b.client
        .set_window_size(1280, 900)
        .await
        .expect("resize the window back to 1280x900");

    step("9. dashboards: the officer's statistics with charts, then the public figures on a phone");
    let officer = app.account("unit_officer");
    b.goto("/dang-nhap").await;
    b.submit_sign_in(&officer.username, &officer.password).await;
    b.expect_dashboard("unit_officer").await;
    b.click(r#"nav a[href="/bang-dieu-khien/thong-ke"]"#).await;
    b.wait_for_path("/bang-dieu-khien/thong-ke").await;
    b.wait_for("#chart-states-title").await;
    // The charts are drawn: each SVG has a real size on the page and bars in it.
    let drawn = b
        .client
        .execute(
            "return [...document.querySelectorAll('svg.chart-svg')].map(s => { \
               const r = s.getBoundingClientRect(); \
               return [s.getAttribute('aria-labelledby'), Math.round(r.width), Math.round(r.height), s.querySelectorAll('rect').length]; });",
            vec![],
        )
        .await
        .expect("measure the charts");
    let charts = drawn.as_array().cloned().unwrap_or_default();
    assert!(
        charts.len() >= 4,
        "the officer's page draws its charts: {drawn}"
    );
    for c in &charts {
        let size = |i: usize| c.get(i).and_then(Value::as_u64).unwrap_or(0);
        assert!(
            size(1) > 200 && size(2) > 100 && size(3) > 2,
            "chart drawn with bars: {c}"
        );
    }
    let artifacts = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("artifacts");
    std::fs::create_dir_all(&artifacts).expect("create the artifacts directory");
    // A tall window, so that the screenshot holds the whole page with every chart.
    b.client
        .set_window_size(1280, 3200)
        .await
        .expect("resize the window for the screenshot");
    let shot = artifacts.join("statistics-officer.png");
    std::fs::write(
        &shot,
        b.client.screenshot().await.expect("take a screenshot"),
    )
    .expect("keep the screenshot");
    b.client
        .set_window_size(1280, 900)
        .await
        .expect("resize the window back to 1280x900");
    eprintln!("   screenshot kept: {}", shot.display());
    a11y_failures.extend(b.axe_check(axe_source, "the officer's statistics").await);
    b.sign_out().await;

    b.client
        .set_window_size(360, 740)
        .await
        .expect("resize the window to 360x740");
    b.goto("/thong-ke").await;
    b.wait_for("#chart-fields-title").await;
    let (scroll, inner) = b.widths().await;
    assert!(
        scroll <= inner,
        "the public statistics fit a phone ({scroll} > {inner})"
    );
    b.client
        .execute(
            "document.getElementById('fields-h').scrollIntoView({behavior: 'instant'});",
            vec![],
        )
        .await
        .expect("scroll to the charts");
    let shot = artifacts.join("statistics-public-phone.png");
    std::fs::write(
        &shot,
        b.client.screenshot().await.expect("take a screenshot"),
    )
    .expect("keep the screenshot");
    eprintln!("   screenshot kept: {}", shot.display());
    a11y_failures.extend(
        b.axe_check(axe_source, "the public statistics (phone)")
            .await,
    );
    b.client
        .set_window_size(1280, 900)
        .await
        .expect("resize the window back to 1280x900");

    step("10. a Tết drive in two communes: announce, deliver, see who is still uncovered");
    let admin = app.account("province_admin");
    b.goto("/dang-nhap").await;
    b.submit_sign_in(&admin.username, &admin.password).await;
    b.expect_dashboard("province_admin").await;
    b.click(r#"nav a[href="/cham-lo"]"#).await;
    b.wait_for_path("/cham-lo").await;
    let drive_title = format!("Tết sum vầy {}", std::process::id());
    b.type_into("#title", &drive_title).await;
    b.select_by_text("#organisation_id", "Hội Liên hiệp Phụ nữ xã Óc Eo")
        .await;
    b.set_value("#starts_on", "2026-01-25").await;
    b.set_value("#ends_on", "2026-02-20").await;
    b.type_into("#items", "Gạo 10 kg, dầu ăn và 300.000 đồng")
        .await;
    b.click(r#"input[name="unit_codes"][value="30307"]"#).await;
    b.click(r#"input[name="unit_codes"][value="30538"]"#).await;
    b.click_to_new_page(r#"form[action="/cham-lo"] button[type="submit"]"#)
        .await;
    b.wait_for("#uncovered").await;
    let drive_path = b.path().await;
    assert!(
        drive_path.starts_with("/cham-lo/dot/"),
        "after announcing, the drive's page: {drive_path}"
    );
    let communes = b
        .client
        .execute(
            "return [...document.querySelectorAll('table[aria-labelledby=\"coverage-h\"] tbody th')].map(t => t.textContent.trim());",
            vec![],
        )
        .await
        .expect("read the communes of the drive");
    assert_eq!(
        communes,
        json!(["Phường Long Xuyên", "Xã Núi Cấm"]),
        "the drive covers the two communes"
    );
    let count = async |id: &str| -> i64 {
        b.wait_for(&format!("#{id}"))
            .await
            .text()
            .await
            .unwrap_or_default()
            .trim()
            .parse()
            .unwrap_or(-1)
    };
    assert_eq!(
        (count("covered").await, count("uncovered-count").await),
        (0, 10)
    );
    // One delivery in each commune, from the list of those not reached yet.
    for head in ["Chau Sóc Kha", "Lê Thị Bảy"] {
        deliver_to(&b, head, "300.000").await;
        b.wait_for(".alert-success").await;
    }
    assert_eq!(
        (count("covered").await, count("uncovered-count").await),
        (2, 8)
    );
    a11y_failures.extend(b.axe_check(axe_source, "a support drive's coverage").await);
    b.sign_out().await;

    // The ward's officer sees only the ward, and is warned of a household helped twice.
    let officer = app.account("unit_officer");
    b.goto("/dang-nhap").await;
    b.submit_sign_in(&officer.username, &officer.password).await;
    b.expect_dashboard("unit_officer").await;
    b.goto(&drive_path).await;
    b.wait_for("#uncovered").await;
    assert_eq!(
        (count("covered").await, count("uncovered-count").await),
        (1, 5)
    );
    let names = b
        .client
        .execute(
            "return [...document.querySelectorAll('#uncovered tbody th')].map(t => t.textContent.trim());",
            vec![],
        )
        .await
        .expect("read the uncovered households");
    let names = names.to_string();
    assert!(
        names.contains("Nguyễn Thị Lệ")
            && !names.contains("Chau Sóc Kha")
            && !names.contains("Lê Thị Bảy"),
        "the ward's uncovered households only: {names}"
    );
    deliver_to(&b, "Nguyễn Thị Lệ", "300.000").await;
    let warning = b
        .wait_for(".alert-warning")
        .await
        .text()
        .await
        .unwrap_or_default();
    assert!(
        warning.contains("Tết vì người nghèo Xuân Bính Ngọ 2026"),
        "the officer is told of the other drive: {warning}"
    );
    assert_eq!(
        (count("covered").await, count("uncovered-count").await),
        (2, 4)
    );
    b.sign_out().await;

    step(
        "11. an officer writes a story, submits and publishes it: on /tin-tuc, its page and the feed",
    );
    let officer = app.account("unit_officer");
    b.goto("/dang-nhap").await;
    b.submit_sign_in(&officer.username, &officer.password).await;
    b.expect_dashboard("unit_officer").await;
    b.click(r#"nav a[href="/bang-dieu-khien/tin-tuc"]"#).await;
    b.wait_for_path("/bang-dieu-khien/tin-tuc").await;
    b.click_to_new_page("#new-story").await;
    let story_title = format!("Đêm hội trăng rằm ở Bình Khánh {}", std::process::id());
    let story_slug = format!("dem-hoi-trang-ram-o-binh-khanh-{}", std::process::id());
    b.type_into("#title", &story_title).await;
    b.type_into(
        "#summary",
        "Thiếu nhi khóm Bình Khánh rước đèn trên con đường bà con vừa hiến đất mở rộng.",
    )
    .await;
    b.type_into(
        "#body",
        "## Đêm hội\n\nCác cháu rước đèn trên con đường mới.\n\n- Múa lân\n- Phá cỗ\n\n> Đường rộng, trẻ con vui.",
    )
    .await;
    b.click(r#"input[name="initiative_ids"]"#).await;
    b.click_to_new_page("#save-story").await;
    b.wait_for(".alert-success").await;
    let story_photo = std::env::temp_dir().join(format!("danvan-story-{}.png", std::process::id()));
    std::fs::write(&story_photo, TINY_PNG).expect("write the story's photo");
    b.wait_for("#file")
        .await
        .send_keys(&story_photo.display().to_string())
        .await
        .expect("choose the photo");
    b.type_into("#alt", "Thiếu nhi rước đèn trên đường mới")
        .await;
    b.click_to_new_page(r#"form[action*="/anh"] button[type="submit"]"#)
        .await;
    b.wait_for(".alert-success").await;
    b.click_to_new_page("#story-submit").await;
    b.wait_for(".alert-success").await;
    b.click_to_new_page("#story-publish").await;
    b.wait_for(".alert-success").await;
    let story_state = b
        .wait_for("#story-state")
        .await
        .text()
        .await
        .expect("read the story's state");
    assert_eq!(story_state, "Đã đăng");
    b.sign_out().await;
    let _ = std::fs::remove_file(&story_photo);

    // In public: the list has it, its page shows it with its preview tags, the feed carries it.
    b.goto("/tin-tuc").await;
    a11y_failures.extend(b.axe_check(axe_source, "the stories").await);
    b.click(&format!(r#"a[href="/tin-tuc/{story_slug}"]"#))
        .await;
    b.wait_for_path(&format!("/tin-tuc/{story_slug}")).await;
    let h1 = b
        .wait_for("h1")
        .await
        .text()
        .await
        .expect("read the story's title");
    assert_eq!(h1, story_title);
    b.wait_for(".story-body blockquote").await;
    b.wait_for(r#"img[alt="Thiếu nhi rước đèn trên đường mới"][loading="lazy"]"#)
        .await;
    let og = b
        .client
        .execute(
            "return ['og:title', 'og:url', 'og:image'].map(p => document.querySelector(`meta[property=\"${p}\"]`)?.content || '');",
            vec![],
        )
        .await
        .expect("read the preview tags");
    assert_eq!(og[0], json!(story_title));
    assert!(
        og[1]
            .as_str()
            .unwrap_or("")
            .ends_with(&format!("/tin-tuc/{story_slug}")),
        "og:url {og}"
    );
    assert!(
        og[2].as_str().unwrap_or("").starts_with("http"),
        "og:image is absolute: {og}"
    );
    a11y_failures.extend(b.axe_check(axe_source, "a story's page").await);
    let feed = b
        .client
        .execute(
            "const x = new XMLHttpRequest(); x.open('GET', '/tin-tuc/feed.xml', false); x.send(); \
             return [x.status, x.getResponseHeader('Content-Type'), x.responseText];",
            vec![],
        )
        .await
        .expect("read the feed");
    assert_eq!(feed[0], json!(200));
    assert!(
        feed[1]
            .as_str()
            .unwrap_or("")
            .starts_with("application/atom+xml"),
        "feed type {}",
        feed[1]
    );
    let feed_text = feed[2].as_str().unwrap_or("");
    assert!(
        feed_text.contains(&story_title) && feed_text.contains(&format!("/tin-tuc/{story_slug}")),
        "the feed carries the story"
    );

    assert!(
        a11y_failures.is_empty(),
        "serious or critical accessibility violations:\n{}",
        a11y_failures.join("\n")
    );

    // Orderly shutdown; the guards also clean up when a step above panics.
    b.client.close().await.expect("close the browser session");
    drop(driver);
    app.stop().await;
    if let Some(database) = database {
        database.drop_now().await;
    }
}

/// Records a delivery from a drive's page to the uncovered household with this head.
async fn deliver_to(b: &Browser, head: &str, value: &str) {
    let id = b
        .client
        .execute(
            "const row = [...document.querySelectorAll('#uncovered tbody tr')].find(r => r.querySelector('th').textContent.trim() === arguments[0]); \
             return row ? row.querySelector('input[name=household_id]').value : null;",
            vec![json!(head)],
        )
        .await
        .expect("find the household's row");
    let id = id
        .as_str()
        .unwrap_or_else(|| panic!("{head} is not among the uncovered households"))
        .to_string();
    b.type_into(&format!("#value-{id}"), value).await;
    b.click_to_new_page(&format!(r#"form:has(#value-{id}) button[type="submit"]"#))
        .await;
}

fn step(name: &str) {
    eprintln!("browser test: {name}");
}

// ---------------------------------------------------------------------------
// chromedriver and Chromium
// ---------------------------------------------------------------------------

/// chromedriver in a process group of its own: dropping it kills the whole
/// group, Chromium included, even when a step panicked.
struct Driver {
    child: Child,
    url: String,
    profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.start_kill();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("find a free local port for chromedriver")
}

async fn start_chromedriver() -> Driver {
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("start {CHROMEDRIVER}: {e}; {INSTALL_HINT}"));
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
        profile: tempfile::tempdir().expect("create a temp Chromium profile dir"),
    };
    let http = reqwest::Client::new();
    let started = Instant::now();
    loop {
        let ready = http
            .get(format!("{}/status", driver.url))
            .timeout(Duration::from_secs(2))
            .send()
            .await
            .is_ok_and(|response| response.status().is_success());
        if ready {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "chromedriver did not answer on {} within 30 s",
            driver.url
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    driver
}

async fn connect_browser(driver: &Driver) -> Client {
    let profile = driver.profile.path().display();
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                format!("--user-data-dir={profile}"),
                "--window-size=1280,900",
            ],
        },
    });
    let Value::Object(capabilities) = capabilities else {
        unreachable!("json! of an object literal is an object")
    };
    let client = ClientBuilder::rustls()
        .expect("set up fantoccini's HTTP connector (rustls with the system roots)")
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .unwrap_or_else(|e| panic!("open a Chromium session through chromedriver: {e}"));
    client
        .update_timeouts(TimeoutConfiguration::new(
            Some(Duration::from_secs(60)),
            Some(Duration::from_secs(30)),
            Some(Duration::ZERO),
        ))
        .await
        .expect("set WebDriver timeouts");
    client
}

// ---------------------------------------------------------------------------
// Browser helpers
// ---------------------------------------------------------------------------

struct Browser {
    client: Client,
    base: String,
}

impl Browser {
    async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    async fn path(&self) -> String {
        self.client
            .current_url()
            .await
            .expect("read the current URL")
            .path()
            .to_string()
    }

    async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        match self
            .client
            .wait()
            .at_most(UI_TIMEOUT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => panic!(
                "no element `{css}` on {} within {UI_TIMEOUT:?}: {e}",
                self.path().await
            ),
        }
    }

    async fn click(&self, css: &str) {
        let element = self.wait_for(css).await;
        // Bring it to the middle of the window: a long form's button may sit below the fold.
        let arg = serde_json::to_value(&element).expect("element as a WebDriver argument");
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});",
                vec![arg],
            )
            .await
            .unwrap_or_else(|e| panic!("scroll to `{css}`: {e}"));
        if let Err(e) = element.click().await {
            let shot = std::env::temp_dir().join("danvan-browser-failure.png");
            if let Ok(png) = self.client.screenshot().await {
                let _ = std::fs::write(&shot, png);
            }
            panic!("click `{css}`: {e} (screenshot: {})", shot.display());
        }
    }

    /// Clicks something that loads a new page and waits until the new page is there, so
    /// that what is looked for next is not found on the old page (which may show the same
    /// kind of message).
    async fn click_to_new_page(&self, css: &str) {
        self.client
            .execute("document.documentElement.dataset.leaving = '1';", vec![])
            .await
            .expect("mark the current page");
        self.click(css).await;
        self.wait_until("the next page to load", async || {
            self.client
                .execute(
                    "return document.readyState === 'complete' && document.documentElement.dataset.leaving !== '1';",
                    vec![],
                )
                .await
                .map(|v| v == json!(true))
                .unwrap_or(false)
        })
        .await;
    }

    /// Polls `condition` until it holds, or fails after [`UI_TIMEOUT`].
    async fn wait_until(&self, what: &str, condition: impl AsyncFn() -> bool) {
        let started = Instant::now();
        while !condition().await {
            if started.elapsed() > UI_TIMEOUT {
                panic!(
                    "waited {UI_TIMEOUT:?} for {what}; the browser is on {}",
                    self.path().await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn wait_for_path(&self, path: &str) {
        self.wait_until(&format!("the URL path {path}"), async || {
            self.path().await == path
        })
        .await;
    }

    /// Fills in the sign-in form on the current page and submits it.
    async fn submit_sign_in(&self, username: &str, password: &str) {
        let user_field = self.wait_for("input#username").await;
        assert_eq!(
            user_field
                .attr("name")
                .await
                .expect("read name of #username")
                .as_deref(),
            Some("username")
        );
        user_field.clear().await.expect("clear #username");
        user_field
            .send_keys(username)
            .await
            .expect("type the username");
        let password_field = self.wait_for("input#password").await;
        assert_eq!(
            password_field
                .attr("name")
                .await
                .expect("read name of #password")
                .as_deref(),
            Some("password")
        );
        password_field.clear().await.expect("clear #password");
        password_field
            .send_keys(password)
            .await
            .expect("type the password");
        // The sign-in form's own button, not some other form's (language, search…).
        self.click(r#"form:has(#password) button[type="submit"]"#)
            .await;
    }

    async fn type_into(&self, css: &str, text: &str) {
        let field = self.wait_for(css).await;
        field
            .clear()
            .await
            .unwrap_or_else(|e| panic!("clear `{css}`: {e}"));
        field
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into `{css}`: {e}"));
    }

    /// Sets a field's value directly (date inputs take typed digits in the browser's locale order).
    async fn set_value(&self, css: &str, value: &str) {
        let element = self.wait_for(css).await;
        let arg = serde_json::to_value(&element).expect("element as a WebDriver argument");
        self.client
            .execute(
                "arguments[0].value = arguments[1];",
                vec![arg, json!(value)],
            )
            .await
            .unwrap_or_else(|e| panic!("set `{css}` to {value}: {e}"));
    }

    /// Chooses the option whose visible text is `text`.
    async fn select_by_text(&self, css: &str, text: &str) {
        let element = self.wait_for(css).await;
        let arg = serde_json::to_value(&element).expect("element as a WebDriver argument");
        let found = self
            .client
            .execute(
                "const s = arguments[0]; const o = [...s.options].find(o => o.text.startsWith(arguments[1])); \
                 if (!o) return false; s.value = o.value; s.dispatchEvent(new Event('change', {bubbles: true})); return true;",
                vec![arg, json!(text)],
            )
            .await
            .unwrap_or_else(|e| panic!("choose {text} in `{css}`: {e}"));
        assert_eq!(found, json!(true), "`{css}` has no option {text}");
    }

    /// Chooses an option the way the keyboard does (a clicked option can leave Chromium's
    /// drop-down open over the page).
    async fn select(&self, css: &str, value: &str) {
        let element = self.wait_for(css).await;
        let arg = serde_json::to_value(&element).expect("element as a WebDriver argument");
        let found = self
            .client
            .execute(
                "const s = arguments[0]; if (![...s.options].some(o => o.value === arguments[1])) return false; \
                 s.value = arguments[1]; s.dispatchEvent(new Event('change', {bubbles: true})); return true;",
                vec![arg, json!(value)],
            )
            .await
            .unwrap_or_else(|e| panic!("choose {value} in `{css}`: {e}"));
        assert_eq!(found, json!(true), "`{css}` has no option {value}");
    }

    async fn expect_dashboard(&self, who: &str) {
        self.wait_for_path(DASHBOARD).await;
        let h1 = self
            .wait_for("h1")
            .await
            .text()
            .await
            .expect("read the dashboard's h1");
        assert!(
            h1.contains(DASHBOARD_H1),
            "after signing in as {who} the h1 is {h1:?}, expected it to contain {DASHBOARD_H1:?}"
        );
    }

    async fn sign_out(&self) {
        self.click("button#logout").await;
        self.wait_for_path("/").await;
        self.wait_for(r#"a[href="/dang-nhap"]"#).await;
    }

    async fn html_lang(&self) -> String {
        self.client
            .execute("return document.documentElement.lang;", vec![])
            .await
            .expect("read <html lang>")
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// (document scrollWidth, window innerWidth)
    async fn widths(&self) -> (u64, u64) {
        let value = self
            .client
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth];",
                vec![],
            )
            .await
            .expect("measure the page width");
        let width = |i: usize| value.get(i).and_then(Value::as_u64).unwrap_or(u64::MAX);
        (width(0), width(1))
    }

    /// Runs axe-core on the current page; returns one message per serious or
    /// critical violation, and prints the lesser ones as notices.
    async fn axe_check(&self, axe_source: &str, page: &str) -> Vec<String> {
        // WebDriver's Execute Script is not subject to the page's CSP in Chromium.
        self.client
            .execute(axe_source, vec![])
            .await
            .unwrap_or_else(|e| panic!("inject axe-core into {page}: {e}"));
        let result = self
            .client
            .execute_async(AXE_RUN, vec![])
            .await
            .unwrap_or_else(|e| panic!("run axe-core on {page}: {e}"));
        if let Some(error) = result.get("error").and_then(Value::as_str) {
            panic!("axe-core failed on {page}: {error}");
        }
        let violations = result
            .get("violations")
            .and_then(Value::as_array)
            .unwrap_or_else(|| panic!("axe-core gave no violations list on {page}: {result}"));
        let mut failures = Vec::new();
        for violation in violations {
            let text = |key: &str| {
                violation
                    .get(key)
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_string()
            };
            let targets: Vec<String> = violation
                .get("targets")
                .and_then(Value::as_array)
                .map(|targets| {
                    targets
                        .iter()
                        .map(|t| t.as_str().unwrap_or("?").to_string())
                        .collect()
                })
                .unwrap_or_default();
            let impact = text("impact");
            let line = format!(
                "  {page}: [{impact}] {} ({} element(s)): {} <{}>\n      at {}",
                text("id"),
                violation.get("count").unwrap_or(&Value::Null),
                text("help"),
                text("helpUrl"),
                targets.join(", ")
            );
            if impact == "serious" || impact == "critical" {
                failures.push(line);
            } else {
                eprintln!("browser test: axe notice:\n{line}");
            }
        }
        failures
    }
}

/// Runs axe (already injected) with the WCAG 2.0/2.1 A and AA rules and
/// hands back a compact summary of the violations.
const AXE_RUN: &str = r#"
const done = arguments[arguments.length - 1];
if (typeof window.axe === 'undefined') {
  done({ error: 'axe-core is not defined on the page after injection' });
  return;
}
window.axe
  .run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    resultTypes: ['violations'],
  })
  .then((results) => done({
    violations: results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      count: v.nodes.length,
      targets: v.nodes.slice(0, 5).map((n) =>
        n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : String(t))).join(' | ')),
    })),
  }))
  .catch((e) => done({ error: String(e && e.stack ? e.stack : e) }));
"#;

fn read_axe_source() -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "browser",
        "node_modules",
        "axe-core",
        "axe.min.js",
    ]
    .iter()
    .collect();
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; run npm ci --prefix crates/cli/tests/browser",
            path.display()
        )
    })
}
