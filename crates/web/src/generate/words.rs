//! Vietnamese names and texts for generated data: people, hamlets, what models do, what
//! petitions ask. Written here; every string carries its diacritics.

pub const FAMILY: &[&str] = &[
    "Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Phan", "Trương", "Bùi", "Đặng", "Đỗ",
    "Ngô", "Dương", "Lý", "Lâm", "Đoàn", "Thạch", "Danh", "Chau",
];
pub const MIDDLE: &[&str] = &[
    "Văn",
    "Thị",
    "Minh",
    "Thanh",
    "Ngọc",
    "Hữu",
    "Kim",
    "Quốc",
    "Thị Thu",
    "Văn Út",
];
pub const GIVEN: &[&str] = &[
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Đức",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hòa",
    "Hoà",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Lệ",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Nhung",
    "Phúc",
    "Phượng",
    "Quý",
    "Sang",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thủy",
    "Tiến",
    "Trang",
    "Trí",
    "Tuấn",
    "Tư",
    "Út",
    "Vân",
    "Xuân",
    "Yến",
    "Sóc Kha",
    "Sa Rênh",
];
pub const HAMLET: &[&str] = &[
    "ấp Mỹ Phú",
    "ấp Bình An",
    "ấp Vồ Đầu",
    "ấp Ba Xoài",
    "ấp Tân Hiệp",
    "ấp Hòa Long",
    "khóm Bình Khánh",
    "khóm Đông Thịnh",
    "khóm Mỹ Phước",
    "khóm Vĩnh Tây",
    "ấp Phú Hữu",
    "ấp Kênh Đào",
    "ấp Rạch Sỏi",
];

/// (what the model does, its usual indicator kind)
pub const MODEL_ACTIVITIES: &[(&str, &str)] = &[
    ("Hiến đất mở rộng đường giao thông nông thôn", "land_m2"),
    (
        "Thắp sáng đường quê bằng đèn năng lượng mặt trời",
        "households",
    ),
    ("Xây cầu bê tông thay cầu khỉ", "bridges"),
    ("Mái ấm tình thương cho hộ nghèo", "houses"),
    ("Tuyến đường hoa, xanh – sạch – đẹp", "road_km"),
    ("Hướng dẫn người dân dùng dịch vụ công trực tuyến", "people"),
    (
        "Tổ hòa giải ở cơ sở gắn với tự quản an ninh trật tự",
        "people",
    ),
    ("Nuôi heo đất giúp hội viên nghèo", "money_vnd"),
    (
        "Ngày thứ bảy tình nguyện dọn vệ sinh kênh rạch",
        "labour_days",
    ),
    ("Hũ gạo tình thương", "households"),
    ("Camera an ninh do nhân dân đóng góp", "money_vnd"),
    (
        "Chuyển đổi cây trồng, liên kết tiêu thụ nông sản",
        "households",
    ),
];

pub const MODEL_SUMMARIES: &[&str] = &[
    "Vận động nhân dân cùng góp sức, góp của; cán bộ đi từng nhà, nói để dân hiểu, làm để dân tin.",
    "Phát huy vai trò người có uy tín trong đồng bào, các chức sắc tôn giáo và hội viên nòng cốt.",
    "Lồng ghép với phong trào xây dựng nông thôn mới và đô thị văn minh; kết quả được nhân dân đồng tình.",
    "Công khai minh bạch từng khoản đóng góp; nhân dân bàn, nhân dân làm, nhân dân kiểm tra, nhân dân thụ hưởng.",
];

/// (topic code, what petitions about it say)
pub const PETITION_TEXTS: &[(&str, &str, &str)] = &[
    (
        "land",
        "Đề nghị xem xét cấp giấy chứng nhận quyền sử dụng đất",
        "Gia đình tôi sử dụng đất ổn định từ năm 1995 nhưng hồ sơ cấp giấy chứng nhận nộp đã lâu chưa được giải quyết.",
    ),
    (
        "construction",
        "Phản ánh xây dựng lấn chiếm lòng đường",
        "Một hộ dân xây dựng mái che lấn ra lòng đường, gây cản trở giao thông và mất an toàn cho học sinh.",
    ),
    (
        "environment",
        "Phản ánh ô nhiễm mùi từ cơ sở chăn nuôi",
        "Cơ sở chăn nuôi heo xả nước thải ra kênh, mùi hôi ảnh hưởng sinh hoạt của bà con trong ấp.",
    ),
    (
        "environment",
        "Rác thải chưa được thu gom",
        "Điểm tập kết rác đầu hẻm lâu ngày không được thu gom, bốc mùi và thu hút ruồi muỗi.",
    ),
    (
        "security_order",
        "Phản ánh tụ tập gây mất trật tự ban đêm",
        "Nhóm thanh niên thường tụ tập, chạy xe lạng lách sau 22 giờ, đề nghị lực lượng công an kiểm tra.",
    ),
    (
        "social_policy",
        "Kiến nghị xét hộ cận nghèo",
        "Gia đình có người bệnh nặng, thu nhập giảm sút, đề nghị xã xem xét đưa vào danh sách hộ cận nghèo.",
    ),
    (
        "social_policy",
        "Đề nghị hỗ trợ trợ cấp người cao tuổi",
        "Mẹ tôi đã 81 tuổi, sống một mình, chưa được nhận trợ cấp xã hội hằng tháng.",
    ),
    (
        "officials_conduct",
        "Phản ánh thái độ tiếp dân",
        "Khi đến bộ phận một cửa, cán bộ trả lời thiếu nhiệt tình và hẹn nhiều lần chưa giải quyết.",
    ),
    (
        "other",
        "Đề nghị sửa chữa đèn chiếu sáng công cộng",
        "Tuyến đường liên ấp có nhiều bóng đèn bị hư, ban đêm tối om, người dân đi lại khó khăn.",
    ),
    (
        "other",
        "Kiến nghị nạo vét cống thoát nước",
        "Cống thoát nước hẻm thường xuyên bị nghẹt, mưa lớn là ngập sâu vào nhà dân.",
    ),
];

pub const ANSWERS: &[&str] = &[
    "Ủy ban nhân dân đã kiểm tra thực tế, chỉ đạo bộ phận chuyên môn khắc phục và thông tin đến người dân.",
    "Qua xác minh, nội dung phản ánh là đúng; đơn vị đã xử lý và sẽ tiếp tục theo dõi.",
    "Hồ sơ đã được bổ sung và chuyển cơ quan có thẩm quyền giải quyết theo quy định.",
];

pub const REPORT_NARRATIVES: &[&str] = &[
    "Đã triển khai đến các tổ dân cư; nhân dân đồng tình hưởng ứng, đóng góp ngày công và kinh phí.",
    "Hoàn thành phần lớn chỉ tiêu đề ra; có biên bản nghiệm thu của Ban Nhân dân ấp và hình ảnh kèm theo.",
    "Tổ chức họp dân lấy ý kiến, công khai các khoản đóng góp; công trình đưa vào sử dụng đúng tiến độ.",
    "Phối hợp với Mặt trận và các đoàn thể vận động hội viên; nhiều hộ tự nguyện hiến đất, tháo dỡ vật kiến trúc.",
];

pub const REVIEW_RETURNS: &[&str] = &[
    "Đề nghị bổ sung biên bản nghiệm thu có xác nhận của Ban Nhân dân ấp.",
    "Số liệu chưa khớp với báo cáo của Ủy ban nhân dân xã; đề nghị rà soát lại.",
    "Hình ảnh minh chứng chưa rõ; đề nghị bổ sung ảnh chụp tại công trình.",
];

pub const REVIEW_VERIFIED: &[&str] = &[
    "Số liệu khớp biên bản của Ban Nhân dân ấp.",
    "Đã kiểm tra thực tế tại địa bàn; kết quả đúng như báo cáo.",
];

pub const PHOTO_CAPTIONS: &[&str] = &[
    "Bà con cùng đổ bê tông tuyến đường liên ấp",
    "Lễ khánh thành cây cầu do nhân dân góp sức xây dựng",
    "Trao nhà đại đoàn kết cho hộ nghèo",
    "Họp dân bàn kế hoạch thực hiện mô hình",
    "Đoàn viên thanh niên ra quân dọn vệ sinh kênh rạch",
];
