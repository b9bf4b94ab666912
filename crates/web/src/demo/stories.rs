//! The demo's stories: a handful of published articles about the demo models, each with a
//! generated photo and its alt text, and some readers so that "Xem nhiều nhất" has a list.

use chrono::Duration;
use danvan_domain::story::slug_base;
use danvan_storage::audit::{self, Actor, Change};
use danvan_storage::stories::{self, Content, NewPhoto};
use serde_json::json;

use crate::error::AppError;
use crate::state::AppState;

/// Loaded once, separately from the rest of the demo, so that a demo database made before
/// stories existed gets them too.
const LOADED_KEY: &str = "demo_stories_loaded";

struct DemoStory {
    title: &'static str,
    summary: &'static str,
    body: &'static str,
    /// The model it tells about (by title), if any.
    model: Option<&'static str>,
    unit_codes: &'static [&'static str],
    photo_alt: &'static str,
    days_ago: i64,
    /// Readers on each of the last days.
    views: &'static [i64],
}

const STORIES: &[DemoStory] = &[
    DemoStory {
        title: "Long Xuyên: 46 hộ hiến đất, con đường khóm Bình Khánh rộng gấp đôi",
        summary: "Hội Nông dân phường Long Xuyên vận động 46 hộ hiến đất, tháo dỡ hàng rào để mở rộng tuyến đường từ 3 m lên 6 m.",
        body: "## Từ con hẻm 3 mét\n\nMùa mưa năm trước, xe cứu thương không vào được khóm Bình Khánh. Hội Nông dân phường đến **từng nhà** để bàn cách mở rộng con đường.\n\n> “Đất mình hiến thì con cháu mình đi”, ông Tư, người hiến 120 m², nói.\n\n## Những con số\n\n- 46 hộ hiến đất, tổng cộng hơn 1.450 m²\n- 2,1 km đường đã bê tông hoá\n- 640 ngày công của bà con\n\nCông trình còn tiếp tục đến cuối năm.",
        model: Some("Hiến đất mở rộng đường giao thông nông thôn khóm Bình Khánh"),
        unit_codes: &["30307"],
        photo_alt: "Con đường bê tông mới mở rộng, hai bên là nhà dân và hàng cây xanh",
        days_ago: 3,
        views: &[21, 17, 12, 7],
    },
    DemoStory {
        title: "Óc Eo: mười hai mái ấm cho phụ nữ nghèo đơn thân",
        summary: "Hội Liên hiệp Phụ nữ xã Óc Eo cùng nhà hảo tâm xây tặng 12 căn nhà Đại đoàn kết cho phụ nữ nghèo đơn thân và hộ cận nghèo.",
        body: "## Mái nhà trước mùa lũ\n\nHội Liên hiệp Phụ nữ xã chọn những gia đình khó khăn nhất, rồi vận động nhà hảo tâm, doanh nghiệp và chính bà con trong ấp cùng góp sức.\n\n1. Khảo sát, bình xét công khai tại ấp\n2. Vận động kinh phí: 640 triệu đồng\n3. Bà con góp ngày công dựng nhà\n\n> Mười hai căn nhà đã bàn giao trước mùa lũ.",
        model: Some("Mái ấm tình thương cho hộ nghèo, hộ cận nghèo"),
        unit_codes: &["30688"],
        photo_alt: "Căn nhà Đại đoàn kết mái tôn đỏ vừa bàn giao, trước nhà là sân đất",
        days_ago: 6,
        views: &[9, 11, 8, 6],
    },
    DemoStory {
        title: "Rạch Giá: đoàn viên mang dịch vụ công trực tuyến đến từng khu phố",
        summary: "Đoàn viên thanh niên phường Rạch Giá trực tại bộ phận một cửa và đến từng khu phố hướng dẫn người dân nộp hồ sơ trực tuyến.",
        body: "## Chuyển đổi số bắt đầu từ một chiếc điện thoại\n\nMỗi tối thứ Bảy, các bạn đoàn viên có mặt ở nhà văn hoá khu phố, hướng dẫn bà con cài đặt định danh điện tử và nộp hồ sơ không cần đến phường.\n\n- Hơn 3.100 người đã được hướng dẫn\n- 1.250 hồ sơ nộp trực tuyến\n\nNgười lớn tuổi được ưu tiên, *không ai bị bỏ lại phía sau*.",
        model: Some(
            "Dân vận khéo trong chuyển đổi số: hướng dẫn người dân dùng dịch vụ công trực tuyến",
        ),
        unit_codes: &["30742"],
        photo_alt: "Đoàn viên thanh niên hướng dẫn một cụ bà dùng điện thoại tại nhà văn hoá khu phố",
        days_ago: 10,
        views: &[3, 4, 2],
    },
    DemoStory {
        title: "Tri Tôn: tổ tự quản giữ bình yên xóm ấp",
        summary: "Công an xã Tri Tôn cùng Ban Nhân dân ấp xây dựng tổ nhân dân tự quản, tuần tra ban đêm và hoà giải mâu thuẫn ngay từ cơ sở.",
        body: "## Bình yên từ những buổi tuần tra\n\nTổ tự quản gồm những người dân trong ấp, thay phiên nhau tuần tra ban đêm cùng công an xã.\n\n> Có chuyện gì, bà con gọi tổ trước, tổ hoà giải được thì không để thành vụ việc.\n\nMô hình vừa được duyệt đăng ký và sẽ báo cáo kết quả vào kỳ sơ kết.",
        model: Some("Tổ nhân dân tự quản giữ gìn an ninh trật tự"),
        unit_codes: &["30544"],
        photo_alt: "Tổ tự quản cùng công an xã đứng trước nhà văn hoá ấp lúc chiều tối",
        days_ago: 14,
        views: &[],
    },
    DemoStory {
        title: "An Giang phát động thi đua “Dân vận khéo” năm mới",
        summary: "Ban Tuyên giáo và Dân vận Tỉnh ủy phát động phong trào thi đua “Dân vận khéo” trên bốn lĩnh vực, mời các cơ quan, đoàn thể và người dân cùng đăng ký mô hình.",
        body: "## Bốn lĩnh vực\n\n- Kinh tế\n- Văn hoá – xã hội\n- Quốc phòng – an ninh\n- Xây dựng hệ thống chính trị\n\nCác tổ chức đăng ký mô hình trên trang [Mô hình](/mo-hinh); kết quả được công khai trên trang [Số liệu](/thong-ke).",
        model: None,
        unit_codes: &["91"],
        photo_alt: "Hội trường lễ phát động, trên sân khấu là băng rôn đỏ của phong trào",
        days_ago: 20,
        views: &[2, 1],
    },
];

/// A generated photo (no real one can be shipped): a warm gradient with a sun and a
/// ribbon of road, varied by `seed`.
fn photo(seed: u32) -> Vec<u8> {
    let (w, h) = (960u32, 540u32);
    let (cx, cy, r) = (w * (2 + seed % 5) / 8, h / 4, 60 + seed * 7 % 40);
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let dx = x as i64 - cx as i64;
        let dy = y as i64 - cy as i64;
        if dx * dx + dy * dy < i64::from(r * r) {
            return image::Rgb([250, 210, 90]); // the sun
        }
        let horizon = h * 3 / 5;
        if y < horizon {
            let t = (y * 255 / horizon) as u8;
            image::Rgb([
                200u8.saturating_sub(t / 3),
                120 + t / 3,
                160 + (seed * 13 % 60) as u8,
            ])
        } else {
            let road = (x as i64 - w as i64 / 2).abs() < i64::from((y - horizon) * 2 / 3 + 10);
            if road {
                image::Rgb([190, 185, 175])
            } else {
                image::Rgb([50 + (seed * 23 % 60) as u8, 130 + (x % 40) as u8, 70])
            }
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    let _ = img.write_to(&mut out, image::ImageFormat::Png);
    out.into_inner()
}

pub async fn load(state: &AppState) -> Result<(), AppError> {
    if danvan_storage::settings::get(&state.db, LOADED_KEY)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let actor = Actor::system("demo");
    let now = crate::now();
    let today = danvan_domain::clock::vietnam_date(now);
    let public: Vec<String> = danvan_domain::movement::State::PUBLIC
        .iter()
        .map(|s| s.code().to_string())
        .collect();
    let (models, _) = danvan_storage::movement::initiatives::list(
        &state.db,
        &danvan_storage::movement::initiatives::Filter {
            states: public,
            ..Default::default()
        },
        500,
        0,
    )
    .await?;
    for (n, d) in STORIES.iter().enumerate() {
        let initiative_ids: Vec<i64> = d
            .model
            .and_then(|t| models.iter().find(|m| m.title == t))
            .map(|m| vec![m.id])
            .unwrap_or_default();
        let mut unit_ids = Vec::new();
        for code in d.unit_codes {
            unit_ids.push(crate::service::resolve_unit(state, "unit_codes", code)?.id);
        }
        let content = Content {
            title: d.title.into(),
            summary: d.summary.into(),
            body: d.body.into(),
            folded: danvan_domain::fold::fold(&format!(
                "{} {} {}",
                d.title,
                d.summary,
                crate::markdown::plain_text(d.body)
            )),
            initiative_ids,
            unit_ids,
        };
        let files = state.files.clone();
        let bytes = photo(n as u32 + 1);
        let stored = tokio::task::spawn_blocking(move || files.store(&bytes))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(|e| AppError::Internal(e.code().to_string()))?;
        let mut tx = state.db.begin().await?;
        let base = slug_base(d.title);
        let mut slug = base.clone();
        let mut k = 1;
        while stories::slug_taken(&mut tx, &slug, None).await? {
            k += 1;
            slug = danvan_domain::story::slug_candidate(&base, k);
        }
        let id = stories::create(&mut tx, &slug, &content, None).await?;
        let published_at = now - Duration::days(d.days_ago);
        stories::set_state(&mut tx, id, 1, "draft", "published", Some(published_at)).await?;
        stories::add_photo(
            &mut tx,
            id,
            &NewPhoto {
                sha256: &stored.sha256,
                mime: stored.mime,
                width: stored.width.map(i64::from),
                height: stored.height.map(i64::from),
                alt: d.photo_alt,
            },
            None,
        )
        .await?;
        for (back, views) in d.views.iter().enumerate() {
            stories::set_views(&mut tx, id, today - Duration::days(back as i64), *views).await?;
        }
        audit::append(
            &mut tx,
            &actor,
            Change {
                action: "story.create",
                entity_type: "story",
                entity_id: id.to_string(),
                before: None,
                after: Some(json!({"title": d.title, "slug": slug, "state": "published", "published_at": published_at})),
            },
        )
        .await?;
        tx.commit().await?;
    }
    let mut tx = state.db.begin().await?;
    danvan_storage::settings::set(&mut tx, LOADED_KEY, &now.to_rfc3339()).await?;
    tx.commit().await?;
    Ok(())
}
