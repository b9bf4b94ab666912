//! Interface language: Vietnamese first, English second. Messages are looked up by key; a
//! test checks that every key has both translations.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
}

/// (key, Vietnamese, English)
const MESSAGES: &[(&str, &str, &str)] = &[
    ("site.name", "Dân vận khéo", "Skilful Mass Mobilisation"),
    (
        "site.tagline",
        "Phong trào thi đua “Dân vận khéo” tỉnh An Giang",
        "The “Dân vận khéo” movement of An Giang province",
    ),
    (
        "site.skip",
        "Bỏ qua, đến nội dung chính",
        "Skip to main content",
    ),
    ("nav.main", "Điều hướng chính", "Main navigation"),
    ("nav.home", "Trang chủ", "Home"),
    ("nav.showcase", "Mô hình", "Models"),
    ("nav.petitions", "Kiến nghị", "Petitions"),
    ("nav.handle_petitions", "Xử lý đơn", "Handle petitions"),
    (
        "nav.petition_rules",
        "Cấu hình kiến nghị",
        "Petition settings",
    ),
    ("nav.units", "Đơn vị hành chính", "Administrative units"),
    ("nav.dashboard", "Bảng điều khiển", "Dashboard"),
    ("nav.organisations", "Tổ chức", "Organisations"),
    ("nav.accounts", "Tài khoản", "Accounts"),
    ("nav.audit", "Nhật ký", "Audit trail"),
    // Spreadsheet imports and background downloads.
    ("nav.imports", "Nhập dữ liệu", "Import data"),
    ("nav.downloads", "Tải về", "Downloads"),
    (
        "imports.title",
        "Nhập dữ liệu từ Excel, CSV",
        "Import from Excel or CSV",
    ),
    ("downloads.title", "Tệp tải về của tôi", "My downloads"),
    ("nav.password", "Đổi mật khẩu", "Change password"),
    ("nav.signin", "Đăng nhập", "Sign in"),
    ("nav.signout", "Đăng xuất", "Sign out"),
    ("nav.lang_other", "English", "Tiếng Việt"),
    (
        "footer.text",
        "Ban Tuyên giáo và Dân vận Tỉnh ủy An Giang — phần mềm danvan",
        "Provincial Commission for Propaganda and Mass Mobilisation of An Giang — danvan software",
    ),
    (
        "home.title",
        "Dân vận khéo — cùng dân xây dựng quê hương",
        "Skilful mass mobilisation — building our home province with the people",
    ),
    (
        "home.lead",
        "Phong trào thi đua “Dân vận khéo” tôn vinh những cách làm hay của cơ quan, đoàn thể, lực lượng vũ trang, doanh nghiệp, tập thể và cá nhân: vận động nhân dân hiến đất làm đường, giúp hộ nghèo, giữ gìn an ninh trật tự, xây dựng hệ thống chính trị vững mạnh. Mỗi năm, các mô hình được đăng ký, theo dõi kết quả, chấm điểm, khen thưởng và nhân rộng.",
        "The “Dân vận khéo” movement honours the good practices of agencies, mass organisations, armed forces units, enterprises, collectives and individuals: persuading people to donate land for roads, helping poor households, keeping security and order, building a strong political system. Every year, models are registered, their results tracked, scored, commended and replicated.",
    ),
    ("home.showcase", "Xem các mô hình", "See the models"),
    (
        "home.petition",
        "Gửi kiến nghị, phản ánh",
        "Submit a petition",
    ),
    (
        "home.fields",
        "Bốn lĩnh vực thi đua",
        "Four fields of the movement",
    ),
    ("field.economy", "Kinh tế", "Economy"),
    (
        "field.economy.text",
        "Phát triển sản xuất, nâng cao thu nhập, chuyển đổi số.",
        "Production, income, digital transformation.",
    ),
    (
        "field.culture_society",
        "Văn hoá – xã hội",
        "Culture and society",
    ),
    (
        "field.culture_society.text",
        "Xây dựng nông thôn mới, giảm nghèo, hiến đất làm đường.",
        "New rural areas, poverty reduction, land donated for roads.",
    ),
    (
        "field.defense_security",
        "Quốc phòng – an ninh",
        "Defence and security",
    ),
    (
        "field.defense_security.text",
        "Giữ gìn an ninh chính trị, trật tự an toàn xã hội.",
        "Political security, social order and safety.",
    ),
    (
        "field.political_system",
        "Xây dựng hệ thống chính trị",
        "Building the political system",
    ),
    (
        "field.political_system.text",
        "Cải cách hành chính, quy chế dân chủ ở cơ sở.",
        "Administrative reform, grassroots democracy.",
    ),
    (
        "home.petitions_title",
        "Kiến nghị của người dân",
        "Citizens' petitions",
    ),
    (
        "home.petitions_text",
        "Người dân gửi kiến nghị, phản ánh về đất đai, xây dựng, an ninh trật tự; cơ quan có trách nhiệm trả lời trong thời hạn luật định và công khai kết quả.",
        "Citizens send petitions about land, construction, security and order; the responsible body answers within the legal time limit, in public view.",
    ),
    ("login.title", "Đăng nhập", "Sign in"),
    ("login.username", "Tên đăng nhập", "User name"),
    ("login.password", "Mật khẩu", "Password"),
    ("login.submit", "Đăng nhập", "Sign in"),
    (
        "login.hint",
        "Dành cho cán bộ, thành viên hội đồng và người báo cáo của tổ chức. Người dân không cần tài khoản để gửi kiến nghị.",
        "For officers, council members and organisation reporters. Citizens need no account to submit a petition.",
    ),
    ("dashboard.title", "Bảng điều khiển", "Dashboard"),
    ("dashboard.roles", "Vai trò của bạn", "Your roles"),
    ("dashboard.scope", "Phạm vi", "Scope"),
    ("dashboard.organisation", "Tổ chức", "Organisation"),
    ("dashboard.waiting", "Việc đang chờ bạn", "Waiting for you"),
    (
        "dashboard.none_waiting",
        "Không có việc nào đang chờ.",
        "Nothing is waiting.",
    ),
    ("dashboard.accounts", "Tài khoản", "Accounts"),
    ("dashboard.disabled", "Đã vô hiệu", "Disabled"),
    ("dashboard.locked", "Đang tạm khoá", "Locked now"),
    ("dashboard.organisations", "Tổ chức", "Organisations"),
    (
        "dashboard.communes",
        "Xã, phường, đặc khu hiện hành",
        "Current communes",
    ),
    (
        "dashboard.recent_audit",
        "Thay đổi gần đây",
        "Recent changes",
    ),
    (
        "dashboard.locked_accounts",
        "Tài khoản đang tạm khoá do đăng nhập sai nhiều lần",
        "Accounts locked after repeated failed sign-ins",
    ),
    (
        "dashboard.orgs_in_scope",
        "Tổ chức trong phạm vi của bạn",
        "Organisations in your scope",
    ),
    ("password.title", "Đổi mật khẩu", "Change password"),
    ("password.current", "Mật khẩu hiện tại", "Current password"),
    ("password.new", "Mật khẩu mới", "New password"),
    (
        "password.confirm",
        "Nhập lại mật khẩu mới",
        "Repeat the new password",
    ),
    (
        "password.hint",
        "Ít nhất 10 ký tự. Nên dùng một câu dễ nhớ.",
        "At least 10 characters. A memorable sentence works well.",
    ),
    ("password.submit", "Đổi mật khẩu", "Change password"),
    (
        "password.done",
        "Đã đổi mật khẩu. Các phiên đăng nhập khác đã được đăng xuất.",
        "Password changed. Your other sessions were signed out.",
    ),
    (
        "password.mismatch",
        "Hai lần nhập mật khẩu mới không khớp.",
        "The two new passwords differ.",
    ),
    (
        "password.wrong_current",
        "Mật khẩu hiện tại không đúng.",
        "The current password is wrong.",
    ),
    ("accounts.title", "Tài khoản", "Accounts"),
    ("accounts.new", "Tạo tài khoản", "New account"),
    ("accounts.username", "Tên đăng nhập", "User name"),
    ("accounts.display_name", "Họ và tên", "Full name"),
    ("accounts.role", "Vai trò", "Role"),
    ("accounts.unit", "Mã đơn vị (phạm vi)", "Unit code (scope)"),
    (
        "accounts.unit_hint",
        "Mã đơn vị hành chính hiện hành, ví dụ 91 (tỉnh An Giang) hoặc 30307 (phường Long Xuyên).",
        "Current administrative unit code, e.g. 91 (An Giang province) or 30307 (Long Xuyên ward).",
    ),
    (
        "accounts.organisation",
        "Tổ chức (với người báo cáo, cán bộ xử lý)",
        "Organisation (for reporters and handlers)",
    ),
    ("accounts.none", "— Không —", "— None —"),
    ("accounts.status", "Trạng thái", "Status"),
    ("accounts.active", "Đang hoạt động", "Active"),
    ("accounts.disabled", "Đã vô hiệu", "Disabled"),
    ("accounts.locked", "Tạm khoá", "Locked"),
    ("accounts.disable", "Vô hiệu hoá", "Disable"),
    ("accounts.enable", "Kích hoạt lại", "Enable"),
    (
        "accounts.confirm_disable",
        "Vô hiệu hoá tài khoản này? Các phiên đăng nhập của tài khoản sẽ kết thúc.",
        "Disable this account? Its sessions will end.",
    ),
    ("accounts.create", "Tạo tài khoản", "Create account"),
    (
        "accounts.created",
        "Đã tạo tài khoản. Mật khẩu ban đầu (chỉ hiện một lần, hãy trao tận tay người dùng):",
        "Account created. Initial password (shown once; hand it to the user in person):",
    ),
    ("accounts.actions", "Thao tác", "Actions"),
    ("accounts.demo", "demo", "demo"),
    ("orgs.title", "Tổ chức", "Organisations"),
    ("orgs.name", "Tên tổ chức", "Name"),
    ("orgs.kind", "Loại", "Kind"),
    ("orgs.unit", "Đơn vị", "Unit"),
    ("orgs.unit_code", "Mã đơn vị", "Unit code"),
    ("orgs.new", "Thêm tổ chức", "Add an organisation"),
    ("orgs.create", "Thêm", "Add"),
    ("orgs.created", "Đã thêm tổ chức.", "Organisation added."),
    (
        "orgs.empty",
        "Chưa có tổ chức nào trong phạm vi của bạn.",
        "No organisation in your scope yet.",
    ),
    ("audit.title", "Nhật ký thay đổi", "Audit trail"),
    ("audit.at", "Thời điểm", "When"),
    ("audit.actor", "Người thực hiện", "Who"),
    ("audit.action", "Hành động", "Action"),
    ("audit.entity", "Đối tượng", "Entity"),
    ("audit.entity_type", "Loại đối tượng", "Entity type"),
    ("audit.changes", "Trước / sau", "Before / after"),
    ("audit.from", "Từ ngày", "From"),
    ("audit.to", "Đến ngày", "To"),
    ("audit.any", "Tất cả", "All"),
    ("audit.filter", "Lọc", "Filter"),
    ("audit.verify", "Kiểm tra tính toàn vẹn", "Verify integrity"),
    (
        "audit.verified",
        "Chuỗi nhật ký nguyên vẹn",
        "The chain is intact",
    ),
    (
        "audit.broken",
        "Chuỗi nhật ký bị sửa hoặc xoá tại mục",
        "The chain was edited or cut at entry",
    ),
    ("audit.entries", "mục", "entries"),
    (
        "audit.empty",
        "Không có mục nào khớp bộ lọc.",
        "No entry matches the filter.",
    ),
    ("audit.total", "Tổng số", "Total"),
    ("units.title", "Đơn vị hành chính", "Administrative units"),
    ("units.at", "Tại ngày", "As of"),
    ("units.code", "Mã", "Code"),
    ("units.name", "Tên", "Name"),
    ("units.level", "Cấp", "Level"),
    ("units.children", "Đơn vị trực thuộc", "Subunits"),
    ("units.successors", "Nay là", "Now part of"),
    ("units.show", "Xem", "Show"),
    (
        "units.reform_note",
        "Từ ngày 01/07/2025, chính quyền địa phương hai cấp (tỉnh, xã); tỉnh Kiên Giang hợp nhất vào tỉnh An Giang (mã 91). Dữ liệu trước đó vẫn giữ theo đơn vị cũ.",
        "Since 1 July 2025 local government has two levels (province, commune); Kiên Giang merged into An Giang (code 91). Earlier records keep their old units.",
    ),
    ("level.province", "Tỉnh", "Province"),
    ("level.district", "Huyện", "District"),
    ("level.commune", "Xã", "Commune"),
    (
        "showcase.title",
        "Mô hình “Dân vận khéo”",
        "“Dân vận khéo” models",
    ),
    (
        "showcase.empty",
        "Chưa có mô hình nào được công bố. Các mô hình sẽ hiện ở đây sau khi được cấp có thẩm quyền duyệt đăng ký.",
        "No model has been published yet. Models appear here once their registration is approved.",
    ),
    (
        "petitions.title",
        "Kiến nghị, phản ánh",
        "Petitions and feedback",
    ),
    (
        "petitions.text",
        "Việc tiếp nhận kiến nghị trực tuyến đang được chuẩn bị. Trong thời gian này, người dân vui lòng gửi kiến nghị qua bộ phận tiếp công dân của xã, phường hoặc đường dây nóng của tỉnh.",
        "Online petitions are being prepared. Meanwhile, please submit petitions at your commune's citizen reception office or the province hotline.",
    ),
    (
        "showcase.lead",
        "Những cách làm hay của cơ quan, đoàn thể, lực lượng vũ trang, doanh nghiệp, tập thể và cá nhân đã được duyệt đăng ký.",
        "Good practices of agencies, mass organisations, armed forces units, enterprises, collectives and individuals, approved for the campaign.",
    ),
    ("showcase.field", "Lĩnh vực", "Field"),
    ("showcase.unit", "Địa bàn", "Place"),
    ("showcase.year", "Năm", "Year"),
    ("initiative.registrant", "Chủ thể", "Registrant"),
    ("initiative.period", "Thời gian thực hiện", "Period"),
    ("initiative.partners", "Đơn vị phối hợp", "Partners"),
    (
        "initiative.source",
        "Nhân rộng từ mô hình",
        "Replicated from",
    ),
    (
        "initiative.summary",
        "Nội dung mô hình",
        "What the model does",
    ),
    ("initiative.goals", "Mục tiêu", "Goals"),
    (
        "initiative.results",
        "Kết quả so với chỉ tiêu",
        "Results against targets",
    ),
    ("initiative.indicator", "Chỉ tiêu", "Indicator"),
    ("initiative.target", "Chỉ tiêu đăng ký", "Target"),
    (
        "initiative.achieved",
        "Đã đạt (đã xác minh)",
        "Achieved (verified)",
    ),
    ("initiative.progress", "Tiến độ", "Progress"),
    (
        "initiative.evidence",
        "Hình ảnh, minh chứng",
        "Photos and evidence",
    ),
    ("initiative.pdf", "Tài liệu PDF", "PDF document"),
    (
        "initiative.lineage",
        "Nơi đã nhân rộng mô hình",
        "Where the model was taken up",
    ),
    ("initiative.replications", "Nhân rộng", "Replications"),
    ("initiative.reports", "Báo cáo tiến độ", "Progress reports"),
    (
        "initiative.correction",
        "Lý do điều chỉnh số liệu",
        "Correction note",
    ),
    (
        "initiative.correction_hint",
        "Bắt buộc nếu kết quả cộng dồn thấp hơn lần trước đã xác minh.",
        "Required if a cumulative value is lower than the last verified one.",
    ),
    (
        "initiative.review_comment",
        "Ý kiến của cán bộ",
        "Officer's comment",
    ),
    ("initiative.comment", "Ý kiến, lý do", "Comment or reason"),
    (
        "initiative.comment_hint",
        "Bắt buộc khi trả lại hoặc không duyệt.",
        "Required to return or reject.",
    ),
    ("initiative.verify", "Xác minh", "Verify"),
    (
        "initiative.return_report",
        "Trả lại báo cáo",
        "Return the report",
    ),
    ("initiative.actions", "Xử lý", "Actions"),
    ("initiative.new_report", "Báo cáo kết quả", "Report results"),
    ("initiative.milestone", "Kỳ báo cáo", "Milestone"),
    (
        "initiative.cumulative",
        "kết quả cộng dồn",
        "cumulative value",
    ),
    (
        "initiative.narrative",
        "Tóm tắt kết quả, cách làm",
        "What was done",
    ),
    ("initiative.file_report", "Gửi báo cáo", "File the report"),
    ("initiative.add_evidence", "Thêm minh chứng", "Add evidence"),
    ("initiative.file", "Tệp ảnh hoặc PDF", "Photo or PDF file"),
    (
        "initiative.file_hint",
        "Ảnh JPEG, PNG, WebP hoặc PDF, tối đa 10 MB. Thông tin vị trí trong ảnh được xoá khi lưu.",
        "JPEG, PNG, WebP or PDF, at most 10 MB. Location data in photos is removed.",
    ),
    ("initiative.caption", "Chú thích", "Caption"),
    ("initiative.upload", "Tải lên", "Upload"),
    (
        "initiative.replicate",
        "Nhân rộng mô hình này tại đơn vị mình",
        "Adopt this model in my unit",
    ),
    ("initiative.history", "Quá trình xử lý", "History"),
    ("initiative.done", "Đã lưu.", "Saved."),
    ("milestone.midyear", "Sơ kết giữa năm", "Mid-year review"),
    ("milestone.yearend", "Tổng kết cuối năm", "Year-end review"),
    (
        "register.title",
        "Đăng ký mô hình “Dân vận khéo”",
        "Register a “Dân vận khéo” model",
    ),
    (
        "register.replicating",
        "Nhân rộng từ mô hình",
        "Replicating",
    ),
    (
        "register.edit_title",
        "Sửa đăng ký mô hình",
        "Edit the registration",
    ),
    (
        "register.no_campaign",
        "Hiện chưa có đợt thi đua nào đang nhận đăng ký.",
        "No campaign is taking registrations now.",
    ),
    ("register.campaign", "Đợt thi đua", "Campaign"),
    ("register.name", "Tên mô hình", "Name of the model"),
    ("register.kind", "Chủ thể đăng ký", "Registrant"),
    (
        "register.registrant_name",
        "Tên tập thể hoặc cá nhân",
        "Name of the collective or person",
    ),
    (
        "register.registrant_hint",
        "Để trống nếu tổ chức của bạn là chủ thể.",
        "Leave empty if your organisation is the registrant.",
    ),
    ("register.starts", "Ngày bắt đầu", "Start"),
    ("register.ends", "Ngày kết thúc", "End"),
    ("register.indicator_kind", "Loại chỉ tiêu", "Kind"),
    (
        "register.custom_name",
        "Tên chỉ tiêu khác (nếu chọn “Chỉ tiêu khác”)",
        "Name (for “Other indicator”)",
    ),
    (
        "register.custom_unit",
        "Đơn vị tính (nếu chọn “Chỉ tiêu khác”)",
        "Unit (for “Other indicator”)",
    ),
    ("register.submit", "Gửi duyệt", "Submit for approval"),
    ("register.save_draft", "Lưu nháp", "Save as draft"),
    ("campaigns.title", "Đợt thi đua", "Campaigns"),
    ("campaigns.name", "Tên đợt thi đua", "Title"),
    (
        "campaigns.window",
        "Thời gian đăng ký",
        "Registration window",
    ),
    ("campaigns.models", "Mô hình", "Models"),
    (
        "campaigns.new",
        "Phát động đợt thi đua mới",
        "Launch a campaign",
    ),
    ("campaigns.groups", "Danh hiệu thi đua", "Title groups"),
    (
        "campaigns.groups_hint",
        "Mỗi dòng một danh hiệu, ví dụ “Dân vận khéo” và “Dân vận khéo trong xây dựng nông thôn mới”.",
        "One per line, e.g. “Dân vận khéo” and “Dân vận khéo trong xây dựng nông thôn mới”.",
    ),
    (
        "campaigns.opens",
        "Bắt đầu nhận đăng ký",
        "Registration opens",
    ),
    (
        "campaigns.closes",
        "Kết thúc nhận đăng ký",
        "Registration closes",
    ),
    (
        "campaigns.quota",
        "Chỉ tiêu khen thưởng",
        "Commendation quota",
    ),
    (
        "campaigns.rubric_hint",
        "Thang điểm chuẩn: hiệu quả 40, sáng tạo 20, lan toả 20, sự tham gia của nhân dân 20; xuất sắc từ 90, tốt từ 80, khá từ 65. Có thể đổi qua API.",
        "Standard rubric: results 40, creativity 20, spread 20, participation 20; exemplary from 90, good from 80, fair from 65. The API can set another.",
    ),
    ("campaigns.launch", "Phát động", "Launch"),
    (
        "campaigns.created",
        "Đã phát động đợt thi đua.",
        "Campaign launched.",
    ),
    ("nav.campaigns", "Đợt thi đua", "Campaigns"),
    ("nav.register", "Đăng ký mô hình", "Register a model"),
    (
        "dashboard.pending_registrations",
        "Đăng ký chờ duyệt",
        "Registrations awaiting approval",
    ),
    (
        "dashboard.pending_reports",
        "Mô hình có báo cáo chờ xác minh",
        "Models with reports awaiting verification",
    ),
    (
        "dashboard.my_models",
        "Mô hình của tổ chức",
        "Your organisation's models",
    ),
    (
        "results.title",
        "Kết quả phong trào",
        "Results of the movement",
    ),
    (
        "results.by_field",
        "Theo lĩnh vực và chỉ tiêu",
        "By field and indicator",
    ),
    ("results.by_unit", "Theo đơn vị trực thuộc", "By subunit"),
    ("nav.results", "Kết quả", "Results"),
    ("nav.statistics", "Số liệu", "Statistics"),
    ("nav.my_statistics", "Số liệu đơn vị", "My unit's figures"),
    ("stats.title", "Số liệu phong trào", "Movement statistics"),
    ("stats.staff_title", "Số liệu đơn vị", "Unit statistics"),
    ("nav.calendar", "Lịch làm việc", "Working calendar"),
    ("calendar.title", "Lịch làm việc năm", "Working calendar"),
    (
        "calendar.lead",
        "Ngày nghỉ lễ, Tết theo Bộ luật Lao động 2019 (Tết và Giỗ Tổ tính theo âm lịch Việt Nam), ngày nghỉ bù, và các ngày nghỉ, ngày làm bù do tỉnh nhập theo thông báo hằng năm. Thời hạn giải quyết kiến nghị được tính theo lịch này.",
        "Holidays of the Labour Code 2019 (Tết and Giỗ Tổ from the Vietnamese lunar calendar), compensatory days, and the days off and make-up working days the province enters each year. Petition deadlines are counted on this calendar.",
    ),
    (
        "calendar.days_off",
        "Ngày nghỉ trong năm",
        "Days off in the year",
    ),
    ("calendar.date", "Ngày", "Date"),
    ("calendar.name", "Tên", "Name"),
    ("calendar.kind", "Loại", "Kind"),
    ("calendar.reason", "Lý do, căn cứ", "Reason"),
    (
        "calendar.entered",
        "Ngày do tỉnh nhập",
        "Days entered by the province",
    ),
    (
        "calendar.none_entered",
        "Chưa nhập ngày nào cho năm này.",
        "Nothing entered for this year.",
    ),
    (
        "calendar.add",
        "Nhập ngày nghỉ hoặc ngày làm bù",
        "Enter a day off or a make-up working day",
    ),
    ("calendar.day_off", "Ngày nghỉ", "Day off"),
    ("calendar.workday", "Ngày làm bù", "Make-up working day"),
    ("calendar.holiday", "Nghỉ lễ, Tết", "Holiday"),
    ("calendar.compensatory", "Nghỉ bù", "Compensatory day off"),
    ("calendar.remove", "Xoá", "Remove"),
    (
        "calendar.confirm_remove",
        "Xoá ngày này khỏi lịch?",
        "Remove this day from the calendar?",
    ),
    ("nav.honour", "Điển hình", "Exemplars"),
    ("nav.contributions", "Sức dân", "People's contributions"),
    ("nav.care", "Chăm lo", "Care"),
    ("nav.stories", "Tin tức", "Stories"),
    ("nav.write_stories", "Viết tin", "Write stories"),
    ("stories.new", "Viết bài mới", "Write a new story"),
    ("stories.edit", "Sửa bài viết", "Edit the story"),
    ("nav.councils", "Hội đồng", "Councils"),
    ("nav.my_councils", "Hội đồng chấm điểm", "My councils"),
    ("councils.title", "Hội đồng thi đua", "Evaluation councils"),
    (
        "councils.empty",
        "Chưa có hội đồng nào.",
        "No councils yet.",
    ),
    ("councils.name", "Tên hội đồng", "Name"),
    ("councils.level", "Cấp", "Level"),
    ("councils.province", "Cấp tỉnh", "Province"),
    ("councils.commune", "Cấp xã", "Commune"),
    ("councils.campaign", "Đợt thi đua", "Campaign"),
    ("councils.state", "Tình trạng", "Status"),
    ("councils.new", "Thành lập hội đồng", "Form a council"),
    ("councils.unit_code", "Mã đơn vị hành chính", "Unit code"),
    (
        "councils.unit_hint",
        "Cấp tỉnh: 91 (An Giang); cấp xã: mã xã, phường, đặc khu.",
        "Province: 91 (An Giang); commune: the commune's code.",
    ),
    ("councils.create", "Thành lập", "Form"),
    ("councils.members", "Thành viên", "Members"),
    ("councils.tally", "Kết quả chấm điểm", "Results"),
    (
        "councils.frozen",
        "Phiên chấm điểm đã kết thúc; kết quả đã được chốt.",
        "The round is closed; the results are frozen.",
    ),
    (
        "councils.blind_hint",
        "Bạn chỉ xem được điểm của các thành viên khác đối với mô hình mà bạn đã chấm.",
        "You see the other members' scores only for the models you have scored.",
    ),
    ("councils.rank", "Hạng", "Rank"),
    ("councils.model", "Mô hình", "Model"),
    ("councils.count", "Số phiếu", "Scores"),
    ("councils.mean", "Điểm bình quân", "Mean"),
    ("councils.spread", "Chênh lệch", "Spread"),
    ("councils.classification", "Xếp loại", "Classification"),
    (
        "councils.disagreement",
        "Chênh lệch lớn",
        "Large disagreement",
    ),
    ("councils.recused", "Không chấm (cùng tổ chức)", "Recused"),
    (
        "councils.hidden",
        "Kết quả ẩn cho đến khi bạn chấm mô hình này.",
        "Hidden until you score this model.",
    ),
    (
        "councils.member_scores",
        "Điểm của từng thành viên",
        "Each member's score",
    ),
    (
        "councils.recusals",
        "Thành viên không tham gia chấm",
        "Recusals",
    ),
    ("councils.scoring", "Phiếu chấm điểm", "Score sheet"),
    (
        "councils.recused_hint",
        "Bạn không chấm mô hình này vì thuộc tổ chức chủ thể hoặc là người đăng ký mô hình.",
        "You do not score this model: it is your own organisation's or you registered it.",
    ),
    ("councils.my_total", "Tổng điểm bạn đã chấm", "Your total"),
    ("councils.max", "tối đa", "max."),
    (
        "councils.submit_score",
        "Gửi phiếu chấm",
        "Submit the score",
    ),
    (
        "councils.manage",
        "Điều hành hội đồng",
        "Manage the council",
    ),
    ("councils.add_member", "Thêm thành viên", "Add a member"),
    (
        "councils.assign",
        "Giao mô hình cho hội đồng",
        "Assign a model",
    ),
    ("councils.add", "Thêm", "Add"),
    (
        "councils.close",
        "Kết thúc phiên chấm điểm",
        "Close the round",
    ),
    (
        "councils.close_confirm",
        "Kết thúc phiên chấm điểm? Điểm sẽ được chốt, không sửa được nữa.",
        "Close the round? Scores will be frozen.",
    ),
    (
        "councils.close_hint",
        "Khi kết thúc, điểm được chốt và các mô hình đã chấm chuyển sang “Đã đánh giá”.",
        "Closing freezes the scores and moves the scored models to “evaluated”.",
    ),
    (
        "councils.propose",
        "Lập dự thảo quyết định khen thưởng",
        "Draft a commendation decision",
    ),
    (
        "councils.propose_hint",
        "Dự thảo gồm các mô hình xếp hạng cao nhất, trong chỉ tiêu khen thưởng của đợt thi đua; có thể sửa trước khi ban hành.",
        "The draft holds the top-ranked models up to the campaign's quota; you can edit it before issuing.",
    ),
    (
        "minutes.title",
        "Biên bản họp hội đồng",
        "Minutes of the council",
    ),
    (
        "minutes.open",
        "Xem, in biên bản họp hội đồng",
        "View and print the minutes",
    ),
    (
        "minutes.draft",
        "Dự thảo: phiên chấm điểm chưa kết thúc.",
        "Draft: the round is not closed yet.",
    ),
    (
        "minutes.back",
        "Trở lại trang hội đồng",
        "Back to the council",
    ),
    (
        "decision.title",
        "Quyết định khen thưởng",
        "Commendation decision",
    ),
    ("decision.issued", "Đã ban hành", "Issued"),
    ("decision.draft", "Dự thảo", "Draft"),
    ("decision.issuing_body", "Cơ quan ban hành", "Issuing body"),
    (
        "decision.form",
        "Hình thức khen thưởng",
        "Form of commendation",
    ),
    ("decision.signed_on", "Ngày ký", "Signed on"),
    ("decision.signer", "Người ký", "Signer"),
    (
        "decision.signer_name",
        "Họ và tên người ký",
        "Signer's name",
    ),
    (
        "decision.signer_title",
        "Chức vụ người ký",
        "Signer's title",
    ),
    (
        "decision.deputy",
        "Ký thay Chủ tịch (KT. CHỦ TỊCH)",
        "Signed on the chair's behalf (KT. CHỦ TỊCH)",
    ),
    ("decision.number", "Số quyết định", "Decision number"),
    (
        "decision.recipients",
        "Tập thể, cá nhân được khen thưởng",
        "Recipients",
    ),
    ("decision.recipient", "Được khen", "Recipient"),
    (
        "decision.keep",
        "Giữ trong quyết định",
        "Keep in the decision",
    ),
    (
        "decision.people",
        "Thêm cá nhân được khen",
        "Add individuals",
    ),
    (
        "decision.people_hint",
        "Mỗi dòng một họ tên.",
        "One name per line.",
    ),
    (
        "decision.issue",
        "Ban hành quyết định",
        "Issue the decision",
    ),
    (
        "decision.certificate",
        "Giấy khen, bằng khen",
        "Certificate",
    ),
    ("decision.print", "In", "Print"),
    ("certificate.title", "Giấy khen", "Certificate"),
    (
        "certificate.back",
        "Trở lại quyết định",
        "Back to the decision",
    ),
    ("honour.title", "Điển hình tiên tiến", "Honour roll"),
    (
        "honour.lead",
        "Các mô hình “Dân vận khéo” được khen thưởng theo quyết định đã ban hành.",
        "“Dân vận khéo” models commended by issued decisions.",
    ),
    (
        "honour.empty",
        "Chưa có mô hình được khen thưởng.",
        "No commended models yet.",
    ),
    ("honour.decision", "Khen thưởng", "Commendation"),
    ("initiative.commendations", "Khen thưởng", "Commendations"),
    ("error.title", "Có lỗi", "Something went wrong"),
    ("error.back", "Về trang chủ", "Back to the home page"),
    ("common.save", "Lưu", "Save"),
    ("common.yes", "Có", "Yes"),
    ("common.no", "Không", "No"),
    ("common.previous", "Trang trước", "Previous"),
    ("common.next", "Trang sau", "Next"),
    ("common.pagination", "Phân trang", "Pagination"),
    (
        "common.form_errors",
        "Vui lòng sửa các lỗi dưới đây.",
        "Please correct the errors below.",
    ),
];

/// The message for `key` in `lang`; the key itself if it is unknown (a test forbids that).
pub fn t(lang: Lang, key: &str) -> &str {
    match MESSAGES.iter().find(|(k, _, _)| *k == key) {
        Some((_, vi, en)) => match lang {
            Lang::Vi => vi,
            Lang::En => en,
        },
        None => key,
    }
}

pub fn has_key(key: &str) -> bool {
    MESSAGES.iter().any(|(k, _, _)| *k == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_translated() {
        let mut seen = std::collections::HashSet::new();
        for (k, vi, en) in MESSAGES {
            assert!(seen.insert(k), "duplicate key {k}");
            assert!(!vi.is_empty() && !en.is_empty(), "{k} lacks a translation");
        }
    }

    #[test]
    fn every_key_used_in_templates_exists() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        for entry in std::fs::read_dir(dir).expect("templates dir") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("template");
            for part in text.split("f.t(\"").skip(1) {
                let key = part.split('"').next().unwrap_or("");
                assert!(
                    has_key(key),
                    "{} uses unknown message key {key}",
                    path.display()
                );
            }
        }
    }
}
