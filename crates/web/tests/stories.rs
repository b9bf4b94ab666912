//! Stories for the public: writing and the publication workflow with its scope, sanitised
//! Markdown, slugs, scheduled publication, the public pages, feed and preview tags, photos,
//! views counted without cookies, and the API's validation codes.
#![allow(clippy::unwrap_used)]

mod common;

use common::{TestApp, call, csrf_of, get, post};
use danvan_storage::Db;
use serde_json::{Value, json};

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const PHONE: &str = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36";

/// The id of the demo's public model with this title.
async fn model_id(app: &TestApp, title: &str) -> i64 {
    let (s, page) = get(app, "/api/v1/initiatives?per_page=200", None).await;
    assert_eq!(s, 200);
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == title)
        .unwrap_or_else(|| panic!("demo model {title}"))["id"]
        .as_i64()
        .unwrap()
}

const LONG_XUYEN_MODEL: &str = "Hiến đất mở rộng đường giao thông nông thôn khóm Bình Khánh";
const OC_EO_MODEL: &str = "Mái ấm tình thương cho hộ nghèo, hộ cận nghèo";

fn story(title: &str, initiative_ids: &[i64], unit_codes: &[&str]) -> Value {
    json!({
        "title": title,
        "summary": "Bà con cùng nhau làm đường.",
        "body": "## Đầu tiên\n\nNội dung **chính**.\n\n- một\n- hai\n\n> Trích lời bà con",
        "initiative_ids": initiative_ids,
        "unit_codes": unit_codes,
    })
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let (s, v) = post(app, "/api/v1/stories", token, body).await;
    assert_eq!(s, 201, "{v}");
    v
}

async fn act(app: &TestApp, token: &str, id: i64, action: &str) -> (u16, Value) {
    post(
        app,
        &format!("/api/v1/stories/{id}/transitions"),
        token,
        json!({"action": action}),
    )
    .await
}

/// A page as a reader's browser fetches it: status, Set-Cookie present, body.
async fn read(app: &TestApp, path: &str, ua: &str) -> (u16, bool, String) {
    let r = app
        .client()
        .get(app.url(path))
        .header("user-agent", ua)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let cookie = r.headers().contains_key("set-cookie");
    (status, cookie, r.text().await.unwrap())
}

async fn views(app: &TestApp, story_id: i64) -> i64 {
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(views), 0) AS BIGINT) FROM story_views WHERE story_id = {story_id}"
    );
    match app.db() {
        Db::Sqlite(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(p)
            .await
            .unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(p)
            .await
            .unwrap(),
    }
}

/// A small real PNG.
fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn upload(app: &TestApp, token: &str, id: i64, bytes: Vec<u8>, alt: &str) -> (u16, Value) {
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("anh.png"),
        )
        .text("alt", alt.to_string());
    common::post_form(app, &format!("/api/v1/stories/{id}/photos"), token, form).await
}

/// The list of a /tin-tuc page, without the "most read" beside it.
fn results(html: &str) -> &str {
    let start = html.find("id=\"stories-results\"").expect("results");
    let end = html.find("<aside").expect("aside");
    &html[start..end]
}

/// The rendered body of a story page.
fn story_body(html: &str) -> &str {
    let start = html.find("<div class=\"story-body\">").expect("story body");
    let rest = &html[start..];
    &rest[..rest.find("</div>").unwrap()]
}

#[tokio::test]
async fn nothing_an_author_types_can_run_on_the_page() {
    each_backend!(|app| {
        let officer = app.token("demo.longxuyen").await;
        let mut body = story("Bài có mã độc", &[], &["30307"]);
        body["body"] = json!(concat!(
            "# Tiêu đề mục\n\n",
            "<script>alert('x')</script>\n\n",
            "Chữ <img src=x onerror=alert(1)> và <span style=\"color:red\" onmouseover=\"steal()\">màu</span>\n\n",
            "[bấm vào](javascript:alert(2)) và [trang chủ](/)\n\n",
            "<iframe src=\"https://evil.example\"></iframe>\n\n",
            "- danh sách\n\n> trích dẫn"
        ));
        let s = create(&app, &officer, body).await;
        let id = s["id"].as_i64().unwrap();
        let (st, _) = act(&app, &officer, id, "publish").await;
        assert_eq!(st, 200);
        let (st, _, html) = read(&app, s["url"].as_str().unwrap(), FIREFOX).await;
        assert_eq!(st, 200);
        let rendered = story_body(&html).to_lowercase();
        for bad in [
            "<script",
            "onerror",
            "onmouseover",
            "javascript:",
            "style=",
            "<iframe",
            "<span",
            "alert(",
        ] {
            assert!(!rendered.contains(bad), "{bad} survived: {rendered}");
        }
        assert!(rendered.contains("<h2>tiêu đề mục</h2>"), "{rendered}");
        assert!(rendered.contains("<li>danh sách</li>") && rendered.contains("<blockquote>"));
        assert!(rendered.contains("href=\"/\""), "a plain link stays");
        // The page has one h1, the story's title.
        assert_eq!(html.matches("<h1").count(), 1);
        // The summary and the title are text, escaped wherever they appear.
        let mut evil = story("<b>Tiêu đề</b> & \"nháy\"", &[], &["30307"]);
        evil["summary"] = json!("<script>alert(3)</script>");
        let s = create(&app, &officer, evil).await;
        act(&app, &officer, s["id"].as_i64().unwrap(), "publish").await;
        let (_, _, html) = read(&app, s["url"].as_str().unwrap(), FIREFOX).await;
        assert!(!html.contains("<script>alert(3)") && html.contains("&#60;script&#62;alert(3)"));
        assert!(!html.contains("<b>Tiêu đề</b>"));
    });
}

#[tokio::test]
async fn slugs_are_readable_vietnamese_and_unique() {
    each_backend!(|app| {
        let admin = app.token("demo.tinh").await;
        let title = "An Giang thi đua “Dân vận khéo”";
        let a = create(&app, &admin, story(title, &[], &["91"])).await;
        assert_eq!(a["slug"], "an-giang-thi-dua-dan-van-kheo");
        assert_eq!(a["url"], "/tin-tuc/an-giang-thi-dua-dan-van-kheo");
        assert_eq!(a["state"], "draft");
        let b = create(&app, &admin, story(title, &[], &["91"])).await;
        assert_eq!(b["slug"], "an-giang-thi-dua-dan-van-kheo-2");
        let c = create(
            &app,
            &admin,
            story("An Giang thi đua Dân vận khéo!", &[], &[]),
        )
        .await;
        assert_eq!(c["slug"], "an-giang-thi-dua-dan-van-kheo-3");
        let d = create(&app, &admin, story("Đường đến trường", &[], &[])).await;
        assert_eq!(d["slug"], "duong-den-truong");
        // Editing the title keeps the address, so shared links keep working.
        let id = a["id"].as_i64().unwrap();
        let (s, v) = call(
            &app,
            reqwest::Method::PUT,
            &format!("/api/v1/stories/{id}"),
            Some(&admin),
            Some(story("Tiêu đề khác hẳn", &[], &["91"])),
        )
        .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["slug"], "an-giang-thi-dua-dan-van-kheo");
        assert_eq!(v["title"], "Tiêu đề khác hẳn");
        // The API finds a story by its slug once it is public.
        act(&app, &admin, id, "publish").await;
        let (s, v) = get(
            &app,
            "/api/v1/stories?slug=an-giang-thi-dua-dan-van-kheo",
            None,
        )
        .await;
        assert_eq!(s, 200);
        assert_eq!(v["total"], 1);
        assert_eq!(v["items"][0]["id"], id);
        // A path that is no slug is simply not found.
        let (s, _, _) = read(&app, "/tin-tuc/..%2Fetc", FIREFOX).await;
        assert_eq!(s, 404);
    });
}

#[tokio::test]
async fn the_workflow_and_who_may_publish_what() {
    each_backend!(|app| {
        let officer = app.token("demo.longxuyen").await;
        let admin = app.token("demo.tinh").await;
        let reporter = app.token("demo.hoinongdan").await;
        let own_model = model_id(&app, LONG_XUYEN_MODEL).await;
        let other_model = model_id(&app, OC_EO_MODEL).await;
        let audit_before = app.count("audit_log WHERE entity_type = 'story'").await;

        // Reporters do not write stories.
        let (s, v) = post(
            &app,
            "/api/v1/stories",
            &reporter,
            story("Bài của hội", &[], &["30307"]),
        )
        .await;
        assert_eq!(s, 403, "{v}");
        assert_eq!(v["error"]["code"], "forbidden");
        let (s, _) = post(&app, "/api/v1/stories", "", story("Ẩn danh", &[], &[])).await;
        assert_eq!(s, 401);

        // The officer writes about its own model, submits, and publishes.
        let mine = create(
            &app,
            &officer,
            story("Đường mới Bình Khánh", &[own_model], &["30307"]),
        )
        .await;
        let id = mine["id"].as_i64().unwrap();
        assert_eq!(mine["initiative_ids"], json!([own_model]));
        assert_eq!(mine["unit_codes"], json!(["30307"]));
        assert_eq!(mine["published_at"], Value::Null);
        let (s, v) = act(&app, &officer, id, "submit").await;
        assert_eq!((s, v["state"].as_str()), (200, Some("review")));
        let (s, v) = act(&app, &officer, id, "submit").await;
        assert_eq!(s, 409);
        assert_eq!(v["error"]["code"], "illegal_story_transition");
        let (s, v) = act(&app, &officer, id, "publish").await;
        assert_eq!((s, v["state"].as_str()), (200, Some("published")), "{v}");
        assert!(v["published_at"].is_string() && v["public"] == true);
        // Unpublishing returns it to draft, and it leaves the public pages.
        let (s, v) = act(&app, &officer, id, "unpublish").await;
        assert_eq!((s, v["state"].as_str()), (200, Some("draft")));
        assert_eq!(v["published_at"], Value::Null);
        let (s, _) = get(&app, &format!("/api/v1/stories/{id}"), None).await;
        assert_eq!(s, 404);
        let (s, v) = act(&app, &officer, id, "fly").await;
        assert_eq!(s, 422);
        assert_eq!(v["error"]["code"], "unknown_action");

        // A story about another commune: the officer may write and submit it, not publish it.
        let theirs = create(&app, &officer, story("Mái ấm ở Óc Eo", &[other_model], &[])).await;
        let tid = theirs["id"].as_i64().unwrap();
        let (s, _) = act(&app, &officer, tid, "submit").await;
        assert_eq!(s, 200);
        let (s, v) = act(&app, &officer, tid, "publish").await;
        assert_eq!(s, 403, "{v}");
        let (s, v) = get(&app, &format!("/api/v1/stories/{tid}"), None).await;
        assert_eq!((s, v["error"]["code"].as_str()), (404, Some("not_found")));
        // …nor sneak its own unit in to get past the check.
        let (s, _) = call(
            &app,
            reqwest::Method::PUT,
            &format!("/api/v1/stories/{tid}"),
            Some(&officer),
            Some(story("Mái ấm ở Óc Eo", &[other_model], &["30307"])),
        )
        .await;
        assert_eq!(s, 200, "editing its own draft in review is allowed");
        let (s, _) = act(&app, &officer, tid, "publish").await;
        assert_eq!(s, 403, "still about Óc Eo through its model");
        // The province administrator publishes it.
        let (s, v) = act(&app, &admin, tid, "publish").await;
        assert_eq!((s, v["state"].as_str()), (200, Some("published")));
        // Now published, its author can no longer change it; the administrator can.
        let (s, _) = call(
            &app,
            reqwest::Method::PUT,
            &format!("/api/v1/stories/{tid}"),
            Some(&officer),
            Some(story("Sửa sau khi đăng", &[other_model], &[])),
        )
        .await;
        assert_eq!(s, 403);
        // A story about no unit is the province's: only its administrator publishes it.
        let province = create(&app, &officer, story("Tin toàn tỉnh", &[], &[])).await;
        let (s, _) = act(&app, &officer, province["id"].as_i64().unwrap(), "publish").await;
        assert_eq!(s, 403);
        // Someone else's unpublished story is not the officer's to see.
        let admins = create(
            &app,
            &admin,
            story("Bản nháp của tỉnh", &[other_model], &[]),
        )
        .await;
        let (s, _) = get(
            &app,
            &format!("/api/v1/stories/{}", admins["id"]),
            Some(&officer),
        )
        .await;
        assert_eq!(s, 403);
        let (_, list) = get(&app, "/api/v1/stories?state=draft", Some(&officer)).await;
        assert!(
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["id"] != admins["id"]),
            "{list}"
        );
        assert!(
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["id"] == id)
        );

        // Every write left an audit entry.
        let audit_after = app.count("audit_log WHERE entity_type = 'story'").await;
        assert_eq!(
            audit_after - audit_before,
            10,
            "4 creates, 1 edit, 5 transitions"
        );
    });
}

#[tokio::test]
async fn an_unpublished_story_is_never_public() {
    each_backend!(|app| {
        let officer = app.token("demo.longxuyen").await;
        let model = model_id(&app, LONG_XUYEN_MODEL).await;
        let draft = create(
            &app,
            &officer,
            story("Bí mật chưa đăng", &[model], &["30307"]),
        )
        .await;
        let id = draft["id"].as_i64().unwrap();
        let url = draft["url"].as_str().unwrap().to_string();
        let check_hidden = async |what: &str| {
            let (s, _, _) = read(&app, &url, FIREFOX).await;
            assert_eq!(s, 404, "{what}: page");
            let (_, _, list) = read(&app, "/tin-tuc", FIREFOX).await;
            assert!(!list.contains("Bí mật chưa đăng"), "{what}: list");
            let (_, _, feed) = read(&app, "/tin-tuc/feed.xml", FIREFOX).await;
            assert!(!feed.contains("Bí mật chưa đăng"), "{what}: feed");
            let (s, _) = get(&app, &format!("/api/v1/stories/{id}"), None).await;
            assert_eq!(s, 404, "{what}: API");
            let (_, v) = get(&app, "/api/v1/stories?q=bi mat chua dang", None).await;
            assert_eq!(v["total"], 0, "{what}: API list");
            let (_, v) = get(&app, "/api/v1/stories?state=draft", None).await;
            assert_eq!(v["total"], 0, "{what}: anonymous drafts");
            let (_, _, page) = read(&app, &format!("/mo-hinh/{model}"), FIREFOX).await;
            assert!(!page.contains("Bí mật chưa đăng"), "{what}: model page");
        };
        check_hidden("draft").await;
        act(&app, &officer, id, "submit").await;
        check_hidden("in review").await;
        // Staff see their own draft, as a preview that is not indexed.
        let b = app.browser();
        app.sign_in(&b, "demo.longxuyen", &app.password_of("demo.longxuyen"))
            .await;
        let html = b
            .get(app.url(&url))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Bí mật chưa đăng") && html.contains("noindex"));
        let (_, v) = get(&app, "/api/v1/stories?q=bi mat chua", Some(&officer)).await;
        assert_eq!(v["total"], 1, "{v}");
        assert_eq!(views(&app, id).await, 0, "previews are not counted");

        // Published: public everywhere, the model's page included.
        act(&app, &officer, id, "publish").await;
        let (s, _, _) = read(&app, &url, FIREFOX).await;
        assert_eq!(s, 200);
        let (_, _, list) = read(&app, "/tin-tuc", FIREFOX).await;
        assert!(list.contains("Bí mật chưa đăng"));
        let (_, v) = get(&app, "/api/v1/stories?q=BÍ MẬT CHƯA", None).await;
        assert_eq!(v["total"], 1, "folded search");
        let (_, v) = get(&app, &format!("/api/v1/stories?initiative={model}"), None).await;
        assert!(v["items"].as_array().unwrap().iter().any(|s| s["id"] == id));
        let (_, _, page) = read(&app, &format!("/mo-hinh/{model}"), FIREFOX).await;
        assert!(
            page.contains("Bí mật chưa đăng") && page.contains(&url),
            "model page lists it"
        );
        let (_, v) = get(&app, "/api/v1/stories?unit=30307", None).await;
        assert!(v["items"].as_array().unwrap().iter().any(|s| s["id"] == id));
        let (_, v) = get(&app, "/api/v1/stories?unit=30688", None).await;
        assert!(v["items"].as_array().unwrap().iter().all(|s| s["id"] != id));
        let (_, _, filtered) =
            read(&app, "/tin-tuc?field=culture_society&unit=30307", FIREFOX).await;
        assert!(results(&filtered).contains("Bí mật chưa đăng"));
        let (_, _, filtered) = read(&app, &format!("/tin-tuc?mo_hinh={model}"), FIREFOX).await;
        assert!(results(&filtered).contains("Bí mật chưa đăng"));
        let (_, _, filtered) = read(&app, "/tin-tuc?field=economy", FIREFOX).await;
        assert!(!results(&filtered).contains("Bí mật chưa đăng"));

        // Unpublished again: gone again (the model's page is kept briefly for the public,
        // and the change through this server empties that cache).
        act(&app, &officer, id, "unpublish").await;
        check_hidden("unpublished").await;
    });
}

#[tokio::test]
async fn a_scheduled_story_becomes_public_when_its_time_comes() {
    each_backend!(|app| {
        let admin = app.token("demo.tinh").await;
        let s = create(&app, &admin, story("Tin hẹn giờ Quốc khánh", &[], &["91"])).await;
        let id = s["id"].as_i64().unwrap();
        let at = (app.state.clock.now() + chrono::Duration::hours(2)).to_rfc3339();
        let (st, v) = post(
            &app,
            &format!("/api/v1/stories/{id}/transitions"),
            &admin,
            json!({"action": "publish", "publish_at": at}),
        )
        .await;
        assert_eq!(st, 200, "{v}");
        assert_eq!(v["state"], "published");
        assert_eq!(v["public"], false);
        let url = s["url"].as_str().unwrap();
        let (st, _, _) = read(&app, url, FIREFOX).await;
        assert_eq!(st, 404);
        let (_, _, feed) = read(&app, "/tin-tuc/feed.xml", FIREFOX).await;
        assert!(!feed.contains("Tin hẹn giờ"));
        let (st, _) = get(&app, &format!("/api/v1/stories/{id}"), None).await;
        assert_eq!(st, 404);
        // The staff list says it is scheduled.
        let b = app.browser();
        app.sign_in(&b, "demo.tinh", &app.password_of("demo.tinh"))
            .await;
        let html = b
            .get(app.url("/bang-dieu-khien/tin-tuc"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Hẹn giờ đăng"), "{html}");

        app.state.clock.advance(chrono::Duration::hours(3));
        let (st, _, _) = read(&app, url, FIREFOX).await;
        assert_eq!(st, 200);
        let (_, _, feed) = read(&app, "/tin-tuc/feed.xml", FIREFOX).await;
        assert!(feed.contains("Tin hẹn giờ Quốc khánh"));
        let (_, v) = get(&app, &format!("/api/v1/stories/{id}"), None).await;
        assert_eq!(v["public"], true);

        // A time that is no time is refused, and only publishing takes one.
        let other = create(&app, &admin, story("Tin khác", &[], &["91"])).await;
        let path = format!("/api/v1/stories/{}/transitions", other["id"]);
        let (st, v) = post(
            &app,
            &path,
            &admin,
            json!({"action": "publish", "publish_at": "mai"}),
        )
        .await;
        assert_eq!(
            (st, v["error"]["code"].as_str()),
            (422, Some("invalid_datetime"))
        );
        let (st, v) = post(
            &app,
            &path,
            &admin,
            json!({"action": "submit", "publish_at": "2030-01-01T07:00"}),
        )
        .await;
        assert_eq!(
            (st, v["error"]["code"].as_str()),
            (422, Some("publish_at_only_when_publishing"))
        );
        // Forms send Vietnam's local time.
        let (st, v) = post(
            &app,
            &path,
            &admin,
            json!({"action": "publish", "publish_at": "2030-09-02T07:00"}),
        )
        .await;
        assert_eq!(st, 200);
        assert_eq!(v["published_at"], "2030-09-02T00:00:00Z");
    });
}

#[tokio::test]
async fn views_are_counted_once_per_reader_without_cookies_and_robots_are_not() {
    each_backend!(|app| {
        let officer = app.token("demo.longxuyen").await;
        let s = create(
            &app,
            &officer,
            story("Bài để đếm lượt đọc", &[], &["30307"]),
        )
        .await;
        let id = s["id"].as_i64().unwrap();
        act(&app, &officer, id, "publish").await;
        let url = s["url"].as_str().unwrap();

        let (st, cookie, _) = read(&app, url, FIREFOX).await;
        assert_eq!(st, 200);
        assert!(!cookie, "reading a story sets no cookie");
        assert_eq!(views(&app, id).await, 1);
        let (_, cookie, _) = read(&app, url, FIREFOX).await;
        assert!(!cookie);
        assert_eq!(
            views(&app, id).await,
            1,
            "the same reader within the window counts once"
        );
        read(&app, url, PHONE).await;
        assert_eq!(views(&app, id).await, 2, "another reader counts");
        for robot in [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
            "Zalo-Preview/1.0",
            "Mozilla/5.0 (compatible; bingbot/2.0)",
            "Twitterbot/1.0",
            "TelegramBot (like TwitterBot)",
            "Mozilla/5.0 (compatible; SemrushBot; crawler)",
        ] {
            let (st, _, _) = read(&app, url, robot).await;
            assert_eq!(st, 200);
        }
        let r = app.client().get(app.url(url)).send().await.unwrap();
        assert_eq!(r.status(), 200, "no User-Agent at all");
        assert_eq!(views(&app, id).await, 2, "robots are not counted");
        // Nothing about the reader is stored: the table holds a story, a day and a count.
        let columns = app.db().schema().await.unwrap()["story_views"].clone();
        assert_eq!(columns, vec!["story_id", "day", "views"]);
        // The list, the feed and photos set no cookie either.
        for path in ["/tin-tuc", "/tin-tuc/feed.xml"] {
            let (_, cookie, _) = read(&app, path, FIREFOX).await;
            assert!(!cookie, "{path}");
        }

        // "Xem nhiều nhất": the demo's most read story of the last 30 days leads.
        let (_, _, list) = read(&app, "/tin-tuc", FIREFOX).await;
        let most = &list[list.find("Xem nhiều nhất").expect("most read")..];
        let first = most
            .find("Long Xuyên: 46 hộ hiến đất")
            .expect("the demo's most read story");
        let second = most.find("Óc Eo: mười hai mái ấm").expect("the second");
        assert!(first < second);
        assert!(most.contains("57 lượt đọc"), "{most}");
    });
}

#[tokio::test]
async fn feed_preview_tags_and_sharing() {
    each_backend!(|app| {
        let officer = app.token("demo.longxuyen").await;
        let model = model_id(&app, LONG_XUYEN_MODEL).await;
        let s = create(
            &app,
            &officer,
            story("Mùa nước nổi <&> “đường mới”", &[model], &["30307"]),
        )
        .await;
        let id = s["id"].as_i64().unwrap();
        let (st, v) = upload(
            &app,
            &officer,
            id,
            png(),
            "Đường bê tông mới, hai bên hàng cây",
        )
        .await;
        assert_eq!(st, 201, "{v}");
        act(&app, &officer, id, "publish").await;
        let slug = s["slug"].as_str().unwrap();
        assert_eq!(slug, "mua-nuoc-noi-duong-moi");

        let r = app
            .client()
            .get(app.url("/tin-tuc/feed.xml"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/atom+xml")
        );
        let feed = r.text().await.unwrap();
        assert!(
            feed.starts_with("<?xml")
                && feed.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\"")
        );
        assert!(
            feed.contains("<title>Mùa nước nổi &lt;&amp;&gt; “đường mới”</title>"),
            "{feed}"
        );
        let link = format!("{}/tin-tuc/{slug}", app.base);
        assert!(
            feed.contains(&format!("href=\"{link}\"")),
            "absolute links: {feed}"
        );
        // Newest first: the new story comes before the demo's.
        let new_at = feed.find("Mùa nước nổi").unwrap();
        let demo_at = feed.find("Long Xuyên: 46 hộ hiến đất").unwrap();
        assert!(new_at < demo_at);

        let (_, _, html) = read(&app, &format!("/tin-tuc/{slug}"), FIREFOX).await;
        for tag in [
            "<meta property=\"og:title\" content=\"Mùa nước nổi &#60;&#38;&#62; “đường mới”\""
                .to_string(),
            "<meta property=\"og:description\" content=\"Bà con cùng nhau làm đường.\"".to_string(),
            format!("<meta property=\"og:url\" content=\"{link}\""),
            format!(
                "<meta property=\"og:image\" content=\"{}/tin-tuc/anh/",
                app.base
            ),
            "<meta name=\"twitter:card\" content=\"summary_large_image\"".to_string(),
        ] {
            assert!(html.contains(&tag), "{tag} missing");
        }
        // Sharing: plain links, no script of theirs.
        assert!(html.contains("Gửi cho bạn bè"));
        assert!(html.contains("href=\"mailto:?subject="));
        assert!(
            html.contains(
                "https://www.facebook.com/sharer/sharer.php?u=http%3A%2F%2F127%2E0%2E0%2E1"
            )
        );
        assert!(html.contains("zalo.me"));
        assert!(html.contains(&format!("readonly value=\"{link}\"")));
        assert_eq!(
            html.matches("<script").count(),
            1,
            "only the project's own script"
        );
        // The photo, resized with a thumbnail, lazy and described.
        assert!(
            html.contains("loading=\"lazy\"")
                && html.contains("alt=\"Đường bê tông mới, hai bên hàng cây\"")
        );
        // The models it tells about, linked.
        assert!(html.contains(&format!("href=\"/mo-hinh/{model}\"")));
        // The public navigation leads to the stories.
        assert!(html.contains("href=\"/tin-tuc\""));
        let (_, _, home) = read(&app, "/", FIREFOX).await;
        assert!(home.contains("href=\"/tin-tuc\""));
        // Related: the demo's story about the same model.
        assert!(html.contains("Bài liên quan") && html.contains("Long Xuyên: 46 hộ hiến đất"));

        // A configured public address wins over the request's Host; a strange Host is not echoed.
        let r = app
            .client()
            .get(app.url("/tin-tuc/feed.xml"))
            .header("host", "evil\".example")
            .send()
            .await
            .unwrap();
        let feed = r.text().await.unwrap();
        assert!(!feed.contains("evil"), "{feed}");
    });
}

#[tokio::test]
async fn photos_must_be_images_within_limits_with_alt_text() {
    each_backend!(|app| {
        let officer = app.token("demo.longxuyen").await;
        let s = create(&app, &officer, story("Bài có ảnh", &[], &["30307"])).await;
        let id = s["id"].as_i64().unwrap();
        let before = app.count("story_photos").await;
        let (st, v) = upload(
            &app,
            &officer,
            id,
            b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n".to_vec(),
            "Tệp PDF",
        )
        .await;
        assert_eq!(
            (st, v["error"]["code"].as_str()),
            (422, Some("not_an_image")),
            "{v}"
        );
        let (st, v) = upload(&app, &officer, id, b"just text, no picture".to_vec(), "Chữ").await;
        assert_eq!(
            (st, v["error"]["code"].as_str()),
            (422, Some("not_an_image"))
        );
        let mut big = png();
        big.resize(10 * 1024 * 1024 + 1, 0);
        let (st, v) = upload(&app, &officer, id, big, "Ảnh quá nặng").await;
        assert_eq!(
            (st, v["error"]["code"].as_str()),
            (422, Some("file_too_large")),
            "{v}"
        );
        let (st, v) = upload(&app, &officer, id, png(), "  ").await;
        assert_eq!((st, v["error"]["code"].as_str()), (422, Some("required")));
        assert_eq!(app.count("story_photos").await, before, "nothing written");
        let (st, v) = upload(&app, &app.token("demo.hoinongdan").await, id, png(), "Ảnh").await;
        assert_eq!(st, 403, "{v}");

        let (st, photo) = upload(&app, &officer, id, png(), "Bà con làm đường").await;
        assert_eq!(st, 201);
        let url = photo["url"].as_str().unwrap().to_string();
        let thumb = photo["thumbnail_url"].as_str().unwrap().to_string();
        // Not public while the story is not.
        for path in [&url, &thumb] {
            let r = app.client().get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), 404, "{path}");
        }
        act(&app, &officer, id, "publish").await;
        let r = app.client().get(app.url(&thumb)).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "image/jpeg");
        let r = app.client().get(app.url(&url)).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("image/")
        );
        // A story's Markdown may show its photos, and only photos served here.
        let mut body = story("Bài có ảnh", &[], &["30307"]);
        body["body"] = json!(format!(
            "![Bà con làm đường]({url})\n\n![x](https://tracker.example/p.gif)"
        ));
        let (st, v) = call(
            &app,
            reqwest::Method::PUT,
            &format!("/api/v1/stories/{id}"),
            Some(&officer),
            Some(body),
        )
        .await;
        assert_eq!(
            st, 200,
            "the ward's officer publishes the ward's stories, so edits them: {v}"
        );
        let (_, _, html) = read(&app, s["url"].as_str().unwrap(), FIREFOX).await;
        let rendered = story_body(&html);
        assert!(
            rendered.contains(&format!("src=\"{url}\"")) && rendered.contains("loading=\"lazy\""),
            "{rendered}"
        );
        assert!(!rendered.contains("tracker.example"));
    });
}

#[tokio::test]
async fn the_api_names_what_is_wrong() {
    each_backend!(|app| {
        let officer = app.token("demo.longxuyen").await;
        let before = app.count("stories").await;
        let bad = |body: Value| {
            let app = &app;
            let officer = officer.clone();
            async move { post(app, "/api/v1/stories", &officer, body).await }
        };
        let (s, v) = bad(json!({"title": "", "summary": "Tóm tắt", "body": "Nội dung"})).await;
        assert_eq!((s, v["error"]["code"].as_str()), (422, Some("required")));
        let (s, v) = bad(json!({"title": "Tiêu đề", "summary": "", "body": ""})).await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (422, Some("validation_failed"))
        );
        assert_eq!(
            v["error"]["fields"].as_array().map(Vec::len),
            Some(2),
            "{v}"
        );
        let (s, v) = bad(json!({"title": "x".repeat(201), "summary": "a", "body": "b"})).await;
        assert_eq!((s, v["error"]["code"].as_str()), (422, Some("too_long")));
        let (s, v) = bad(story("Mô hình lạ", &[999_999], &[])).await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (422, Some("unknown_initiative"))
        );
        let (s, v) = bad(story("Đơn vị lạ", &[], &["00000"])).await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (422, Some("unknown_unit"))
        );
        // A model that is not public cannot be told about.
        let (_, drafts) = get(
            &app,
            "/api/v1/initiatives?state=draft&per_page=1",
            Some(&app.token("demo.tinh").await),
        )
        .await;
        let draft_model = drafts["items"][0]["id"].as_i64().unwrap();
        let (s, v) = bad(story("Mô hình chưa duyệt", &[draft_model], &[])).await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (422, Some("unknown_initiative"))
        );
        let r = app
            .client()
            .post(app.url("/api/v1/stories"))
            .bearer_auth(&officer)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        assert_eq!(app.count("stories").await, before, "nothing written");

        let (s, v) = get(&app, "/api/v1/stories?state=secret", None).await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (422, Some("unknown_state"))
        );
        let (s, v) = get(&app, "/api/v1/stories?field=weather", None).await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (422, Some("unknown_field"))
        );
        let (s, v) = get(&app, "/api/v1/stories/424242", None).await;
        assert_eq!((s, v["error"]["code"].as_str()), (404, Some("not_found")));
        let (s, _) = get(&app, "/api/v1/stories/abc", None).await;
        assert_eq!(s, 400);

        // The anonymous list holds the demo's published stories, newest first.
        let (s, v) = get(&app, "/api/v1/stories", None).await;
        assert_eq!(s, 200);
        let items = v["items"].as_array().unwrap();
        assert_eq!(v["total"], 5);
        assert!(
            items
                .iter()
                .all(|s| s["state"] == "published" && s["public"] == true)
        );
        let dates: Vec<&str> = items
            .iter()
            .map(|s| s["published_at"].as_str().unwrap())
            .collect();
        let mut sorted = dates.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(dates, sorted);
        for key in [
            "id",
            "state",
            "slug",
            "url",
            "title",
            "summary",
            "published_at",
            "initiative_ids",
            "unit_codes",
        ] {
            assert!(items[0].get(key).is_some(), "{key}");
        }
        // The OpenAPI document describes the stories' endpoints.
        let (_, doc) = get(&app, "/api/openapi.json", None).await;
        for path in [
            "/api/v1/stories",
            "/api/v1/stories/{id}",
            "/api/v1/stories/{id}/transitions",
            "/api/v1/stories/{id}/photos",
        ] {
            assert!(doc["paths"].get(path).is_some(), "{path}");
        }
    });
}

#[tokio::test]
async fn officers_write_and_publish_through_the_pages_without_javascript() {
    each_backend!(|app| {
        let b = app.browser();
        app.sign_in(&b, "demo.longxuyen", &app.password_of("demo.longxuyen"))
            .await;
        let dash = b
            .get(app.url("/bang-dieu-khien"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            dash.contains("href=\"/bang-dieu-khien/tin-tuc\""),
            "the officer's navigation"
        );
        let form = b
            .get(app.url("/bang-dieu-khien/tin-tuc/moi"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            form.contains("value=\"30307\""),
            "the officer's unit by default"
        );
        let model = model_id(&app, LONG_XUYEN_MODEL).await;
        assert!(
            form.contains(&format!("value=\"{model}\"")),
            "its models to choose from"
        );
        let csrf = csrf_of(&form);
        // Refused without the token; re-shown with the errors when incomplete.
        let r = b
            .post(app.url("/bang-dieu-khien/tin-tuc/moi"))
            .form(&[("title", "Không có mã")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let r = b
            .post(app.url("/bang-dieu-khien/tin-tuc/moi"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("title", "Chưa đủ"),
                ("summary", ""),
                ("body", ""),
                ("unit_codes", "30307"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let html = r.text().await.unwrap();
        assert!(html.contains("value=\"Chưa đủ\"") && html.contains("role=\"alert\""));

        let model_s = model.to_string();
        let r = b
            .post(app.url("/bang-dieu-khien/tin-tuc/moi"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("title", "Ngày hội hiến đất làm đường"),
                ("summary", "Bà con khóm Bình Khánh cùng nhau làm đường."),
                ("body", "## Ngày hội\n\nCả khóm cùng ra đường."),
                ("unit_codes", "30307"),
                ("initiative_ids", model_s.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let edit = r.headers()["location"].to_str().unwrap().to_string();
        assert!(edit.starts_with("/bang-dieu-khien/tin-tuc/") && edit.ends_with("?ok=1"));
        let path = edit.trim_end_matches("?ok=1").to_string();
        let page = b
            .get(app.url(&edit))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Bản nháp") && page.contains("Gửi duyệt") && page.contains("Đăng bài")
        );
        for action in ["submit", "publish"] {
            let r = b
                .post(app.url(&format!("{path}/chuyen")))
                .form(&[
                    ("_csrf", csrf.as_str()),
                    ("action", action),
                    ("publish_at", ""),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 303, "{action}");
        }
        let page = b
            .get(app.url(&path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Đã đăng")
                && page.contains("href=\"/tin-tuc/ngay-hoi-hien-dat-lam-duong\"")
        );
        // A photo through the page's multipart form.
        let form = reqwest::multipart::Form::new()
            .part(
                "file",
                reqwest::multipart::Part::bytes(png()).file_name("a.png"),
            )
            .text("alt", "Cả khóm cùng ra đường");
        let r = b
            .post(app.url(&format!("{path}/anh?_csrf={csrf}")))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        let (_, _, list) = read(&app, "/tin-tuc", FIREFOX).await;
        assert!(list.contains("Ngày hội hiến đất làm đường"));
        let (s, _, story) = read(&app, "/tin-tuc/ngay-hoi-hien-dat-lam-duong", FIREFOX).await;
        assert_eq!(s, 200);
        assert!(story.contains("alt=\"Cả khóm cùng ra đường\""));
        // Reporters have no stories to write.
        let r2 = app.browser();
        app.sign_in(&r2, "demo.hoinongdan", &app.password_of("demo.hoinongdan"))
            .await;
        let r = r2
            .get(app.url("/bang-dieu-khien/tin-tuc/moi"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
    });
}
