//! Search on every backend: the shared Vietnamese cases, queries in capitals, decomposed
//! Unicode and either tone placement, ranking, highlighting that cannot inject markup, the
//! scope of petitions, filters, pagination and refused queries.
#![allow(clippy::unwrap_used)]

mod common;

use common::{get, post};
use danvan_domain::fold::{fold, matches};
use serde_json::{Value, json};
use unicode_normalization::UnicodeNormalization;

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

async fn search(app: &common::TestApp, query: &str, token: Option<&str>) -> Value {
    let (s, r) = get(app, &format!("/api/v1/search?{query}"), token).await;
    assert_eq!(s, 200, "{query}: {r}");
    r
}

async fn find(app: &common::TestApp, q: &str, token: Option<&str>) -> Vec<Value> {
    let r = search(app, &format!("q={}&per_page=50", enc(q)), token).await;
    r["hits"].as_array().unwrap().clone()
}

/// The visible text of a snippet (its marks removed, its entities read back).
fn text_of(snippet: &str) -> String {
    snippet
        .replace("<mark>", "")
        .replace("</mark>", "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn found(hits: &[Value], text: &str) -> bool {
    hits.iter().any(|h| {
        let all = format!(
            "{} {}",
            h["title"].as_str().unwrap(),
            text_of(h["snippet"].as_str().unwrap())
        );
        matches(&fold(&all), &fold(text))
    })
}

fn position(hits: &[Value], title: &str) -> usize {
    hits.iter()
        .position(|h| h["title"] == title)
        .unwrap_or_else(|| panic!("{title} not in {hits:?}"))
}

async fn add_org(app: &common::TestApp, token: &str, name: &str) -> i64 {
    let (s, o) = post(
        app,
        "/api/v1/organisations",
        token,
        json!({"name": name, "kind": "collective", "unit_code": "30307"}),
    )
    .await;
    assert_eq!(s, 201, "{name}: {o}");
    o["id"].as_i64().unwrap()
}

#[tokio::test]
async fn search_understands_vietnamese() {
    each_backend!(|app| {
        let admin = app.token("demo.tinh").await;
        let cases = include_str!("../../domain/tests/data/search_cases.tsv");
        let mut n = 0;
        for line in cases.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            let (query, text) = line.split_once('\t').unwrap();
            // Units of the tree are there already; anything else is seeded as an organisation.
            if !found(&find(&app, text, None).await, text) {
                add_org(&app, &admin, text).await;
            }
            let hits = find(&app, query, None).await;
            assert!(
                found(&hits, text),
                "“{query}” should find “{text}”: {hits:?}"
            );
            // In capitals, decomposed, and with the text's own diacritics.
            let upper = query.to_uppercase();
            assert!(found(&find(&app, &upper, None).await, text), "{upper}");
            let nfd: String = text.nfd().collect();
            assert!(found(&find(&app, &nfd, None).await, text), "NFD {text}");
            n += 1;
        }
        assert!(n >= 10);

        // Either tone placement, both ways; đ and d.
        add_org(&app, &admin, "Tổ hòa giải ấp Bình Thới").await;
        add_org(&app, &admin, "Tổ thuỷ lợi nội đồng Vĩnh Trạch").await;
        for (q, text) in [
            ("hoà giải ấp bình thới", "Tổ hòa giải ấp Bình Thới"),
            ("HOÀ GIẢI", "Tổ hòa giải ấp Bình Thới"),
            ("thủy lợi nội đồng", "Tổ thuỷ lợi nội đồng Vĩnh Trạch"),
            (
                "thuy loi noi dong vinh trach",
                "Tổ thuỷ lợi nội đồng Vĩnh Trạch",
            ),
            ("đai đoàn kêt", "nhà Đại đoàn kết"),
            ("Dai doan ket", "nhà Đại đoàn kết"),
        ] {
            assert!(found(&find(&app, q, None).await, text), "{q} → {text}");
        }
        // Whole syllables: "hoa" is not "hoang", "thuy" not "thuyen".
        add_org(&app, &admin, "Đội thuyền Hoàng Sa Kiên Lương").await;
        let hits = find(&app, "hoa sa kien luong", None).await;
        assert!(!found(&hits, "Đội thuyền Hoàng Sa Kiên Lương"), "{hits:?}");
        let hits = find(&app, "thuy hoang sa", None).await;
        assert!(hits.is_empty(), "{hits:?}");
        // Every syllable must occur.
        assert!(find(&app, "nui cam xylophone", None).await.is_empty());
    });
}

#[tokio::test]
async fn ranking_and_highlighting() {
    each_backend!(|app| {
        let admin = app.token("demo.tinh").await;
        // The exact spelling was written first, so only the exact-diacritic rule puts it first.
        add_org(&app, &admin, "Tổ nuôi cá lồng Vàm Nao").await;
        add_org(&app, &admin, "Tổ nuôi cà lồng Vàm Nao").await;
        let hits = find(&app, "nuôi cá lồng vàm nao", None).await;
        assert!(
            position(&hits, "Tổ nuôi cá lồng Vàm Nao") < position(&hits, "Tổ nuôi cà lồng Vàm Nao")
        );
        let hits = find(&app, "nuôi cà lồng vàm nao", None).await;
        assert!(
            position(&hits, "Tổ nuôi cà lồng Vàm Nao") < position(&hits, "Tổ nuôi cá lồng Vàm Nao")
        );
        // Without diacritics neither is exact: the newer one comes first.
        let hits = find(&app, "nuoi ca long vam nao", None).await;
        assert!(
            position(&hits, "Tổ nuôi cà lồng Vàm Nao") < position(&hits, "Tổ nuôi cá lồng Vàm Nao")
        );

        // A title hit (older) before a body-only hit (newer): a model mentions it in its summary.
        add_org(&app, &admin, "Tổ xóm chài Bình Đức").await;
        let reporter = app.token("demo.hoinongdan").await;
        let t = chrono::Local::now().date_naive();
        let (s, c) = post(
            &app,
            "/api/v1/campaigns",
            &admin,
            json!({
            "year": t.format("%Y").to_string().parse::<i64>().unwrap(), "title": "Đợt thử tìm kiếm",
            "title_groups": ["Dân vận khéo"],
            "registration_opens": (t - chrono::Duration::days(10)).to_string(),
            "registration_closes": (t + chrono::Duration::days(10)).to_string(),
            "midyear_review": (t + chrono::Duration::days(20)).to_string(),
            "yearend_review": (t + chrono::Duration::days(40)).to_string(),
            "commendation_quota": 5}),
        )
        .await;
        assert_eq!(s, 201, "{c}");
        let cid = c["id"].as_i64().unwrap();
        let (s, m) = post(&app, "/api/v1/initiatives", &reporter, json!({
            "campaign_id": cid, "title": "Thắp sáng bến sông", "field": "economy", "unit_code": "30307",
            "summary": "Cùng người dân xóm chài Bình Đức lắp đèn dọc bến sông.",
            "indicators": [{"kind": "land_m2", "target": 100}], "submit": true})).await;
        assert_eq!(s, 201, "{m}");
        let hits = find(&app, "xom chai binh duc", Some(&admin)).await;
        assert!(position(&hits, "Tổ xóm chài Bình Đức") < position(&hits, "Thắp sáng bến sông"));
        let model = &hits[position(&hits, "Thắp sáng bến sông")];
        assert_eq!(model["type"], "initiative");
        assert!(
            model["snippet"]
                .as_str()
                .unwrap()
                .contains("<mark>xóm</mark> <mark>chài</mark>"),
            "{model}"
        );
        // The submitted model is not public.
        assert!(!found(
            &find(&app, "thap sang ben song", None).await,
            "Thắp sáng bến sông"
        ));

        // Stored markup is escaped, in the API's snippet and on the page.
        add_org(
            &app,
            &admin,
            "<script>alert(1)</script> Tổ kiểm thử an toàn",
        )
        .await;
        let hits = find(&app, "kiem thu an toan", None).await;
        let snippet = hits[0]["snippet"].as_str().unwrap();
        assert!(!snippet.contains("<script"), "{snippet}");
        assert!(snippet.contains("&lt;script&gt;"), "{snippet}");
        assert!(snippet.contains("<mark>kiểm</mark>"), "{snippet}");
        let page = app
            .client()
            .get(app.url("/tim-kiem?q=kiem+thu+an+toan"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        assert!(!html.contains("<script>alert"), "page injects markup");
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("&amp;lt;"), "escaped twice");
        assert!(html.contains("role=\"status\""));
        assert!(html.contains("<mark>kiểm</mark>"));
    });
}

#[tokio::test]
async fn petitions_only_in_scope_and_filters() {
    each_backend!(|app| {
        let (s, r) = common::call(
            &app,
            reqwest::Method::POST,
            "/api/v1/petitions",
            None,
            Some(json!({
            "kind": "feedback", "field": "environment", "unit_code": "30307",
            "title": "Cống thoát nước khóm Mỹ Quới bị nghẹt",
            "content": "Rác làm nghẹt cống thoát nước khóm Mỹ Quới, nước tràn vào nhà dân.",
            "petitioner": {"name": "Nguyễn Văn Bình", "phone": "0913 579 246"}, "consent": true})),
        )
        .await;
        assert_eq!(s, 201, "{r}");
        let q = "cong thoat nuoc khom my quoi";
        let title = "Cống thoát nước khóm Mỹ Quới bị nghẹt";
        assert!(
            !found(&find(&app, q, None).await, title),
            "the public does not find petitions"
        );
        let officer = app.token("demo.longxuyen").await;
        let hits = find(&app, q, Some(&officer)).await;
        assert!(found(&hits, title), "the commune officer does");
        let p = &hits[position(&hits, title)];
        assert_eq!(p["type"], "petition");
        assert!(p["url"].as_str().unwrap().starts_with("/xu-ly/"));
        let handler = app.token("demo.ubndlx").await;
        assert!(
            found(&find(&app, q, Some(&handler)).await, title),
            "the body's handler does"
        );
        let other = app.token("demo.nuicam").await;
        assert!(
            !found(&find(&app, q, Some(&other)).await, title),
            "another body's handler does not"
        );
        let reporter = app.token("demo.hoinongdan").await;
        assert!(
            !found(&find(&app, q, Some(&reporter)).await, title),
            "a reporter does not"
        );

        // Filters: type, unit subtree, state, year.
        let r = search(&app, "q=xa&type=unit&per_page=50", None).await;
        assert!(r["total"].as_i64().unwrap() > 50);
        assert!(
            r["hits"]
                .as_array()
                .unwrap()
                .iter()
                .all(|h| h["type"] == "unit")
        );
        let r = search(&app, "q=nui+cam&type=organisation", None).await;
        assert!(
            r["hits"]
                .as_array()
                .unwrap()
                .iter()
                .all(|h| h["type"] == "organisation")
        );
        assert!(found(
            r["hits"].as_array().unwrap(),
            "Ủy ban nhân dân xã Núi Cấm"
        ));
        let r = search(&app, "q=long+xuyen&unit=30307&type=organisation", None).await;
        assert!(found(
            r["hits"].as_array().unwrap(),
            "Hội Nông dân phường Long Xuyên"
        ));
        let r = search(&app, "q=long+xuyen&unit=30538", None).await;
        assert!(!found(
            r["hits"].as_array().unwrap(),
            "Hội Nông dân phường Long Xuyên"
        ));
        let r = search(&app, "q=xa&type=unit&state=historic&per_page=50", None).await;
        let historic = r["total"].as_i64().unwrap();
        let r = search(&app, "q=xa&type=unit&state=current&per_page=50", None).await;
        let current = r["total"].as_i64().unwrap();
        let r = search(&app, "q=xa&type=unit", None).await;
        assert_eq!(historic + current, r["total"].as_i64().unwrap());
        assert!(historic > 0 && current > 0);
        let r = search(&app, "q=xa&year=1999", None).await;
        assert_eq!(r["total"], 0);

        // Pagination: pages do not overlap and add up to the total.
        let total = search(&app, "q=xa&type=unit", None).await["total"]
            .as_i64()
            .unwrap();
        let mut seen = std::collections::HashSet::new();
        let mut page = 1;
        loop {
            let r = search(
                &app,
                &format!("q=xa&type=unit&per_page=50&page={page}"),
                None,
            )
            .await;
            let hits = r["hits"].as_array().unwrap();
            if hits.is_empty() {
                break;
            }
            assert!(hits.len() <= 50);
            for h in hits {
                assert!(
                    seen.insert(h["id"].as_i64().unwrap()),
                    "page {page} repeats {h}"
                );
            }
            page += 1;
        }
        assert_eq!(seen.len() as i64, total);
        let r = search(&app, "q=xa&per_page=500", None).await;
        assert_eq!(
            r["hits"].as_array().unwrap().len(),
            50,
            "per_page is capped at 50"
        );

        // Refused and odd queries.
        for (query, code) in [
            ("q=", "query_required"),
            ("q=%20%20", "query_required"),
            ("", "query_required"),
            (&format!("q={}", "a".repeat(201)), "query_too_long"),
            ("q=xa&type=nothing", "invalid_type"),
            ("q=xa&unit=00000000", "unknown_unit"),
            ("q=xa&year=abc", "invalid_year"),
        ] {
            let (s, e) = get(&app, &format!("/api/v1/search?{query}"), None).await;
            assert_eq!(
                (s, e["error"]["code"].as_str()),
                (422, Some(code)),
                "{query}"
            );
        }
        for odd in [
            "\"",
            "' OR 1=1 --",
            "NEAR(a b)",
            "a* OR b:",
            "😀",
            "\u{0E31}",
            "% _ \\",
            "xa AND NOT",
        ] {
            let r = search(&app, &format!("q={}", enc(odd)), None).await;
            assert!(r["total"].is_i64(), "{odd}");
        }
        let (s, _) = get(
            &app,
            &format!("/api/v1/search?q={}", "a".repeat(10_000)),
            None,
        )
        .await;
        assert_eq!(s, 422);
        let page = app
            .client()
            .get(app.url(&format!("/tim-kiem?q={}", "a".repeat(300))))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 422);
        let page = app.client().get(app.url("/tim-kiem")).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("for=\"search-q\""));
    });
}

#[tokio::test]
async fn the_index_is_rebuilt_when_missing() {
    each_backend!(|app| {
        let before = app.count("search_documents").await;
        assert!(
            before > 100,
            "units, organisations, models and petitions are indexed"
        );
        let written = danvan_storage::search::rebuild(app.db()).await.unwrap();
        assert_eq!(written as i64, before);
        assert_eq!(
            app.count("search_documents").await,
            before,
            "the same documents"
        );
        // Read a few rows at a time (as a province's million petitions are): the same index.
        let written = danvan_storage::search::rebuild_chunked(app.db(), 7)
            .await
            .unwrap();
        assert_eq!(written as i64, before);
        assert_eq!(app.count("search_documents").await, before);
        let hits = find(&app, "nui cam", None).await;
        assert!(found(&hits, "Xã Núi Cấm"));
        // How long a search takes on the demo (one syllable that matches hundreds of units,
        // and a phrase), through HTTP.
        let admin = app.token("demo.tinh").await;
        for (q, token) in [
            ("xa", None),
            ("dan van kheo", None),
            ("duong giao thong", Some(admin.as_str())),
        ] {
            let started = std::time::Instant::now();
            let r = search(&app, &format!("q={}", enc(q)), token).await;
            let took = started.elapsed();
            eprintln!("search “{q}”: {} hits in {took:?}", r["total"]);
            assert!(took < std::time::Duration::from_secs(2));
        }
    });
}
