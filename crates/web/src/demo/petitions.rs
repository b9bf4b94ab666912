//! The demo's petitions: routing rules for three bodies and cases in every state — new,
//! accepted, being handled, answered and rated, closed, declined, transferred, merged,
//! reopened, a protected denunciation, and some past their legal deadline.

use chrono::Duration;
use danvan_domain::policy::Principal;

use super::councils::by_username;
use crate::error::AppError;
use crate::service::petitions::{
    self as svc, ActionInput, FeedbackInput, PetitionerInput, RuleInput, Source, SubmitInput,
};
use crate::state::AppState;

struct Case {
    kind: &'static str,
    field: &'static str,
    unit: &'static str,
    title: &'static str,
    content: &'static str,
    name: &'static str,
    phone: &'static str,
    email: &'static str,
}

const CASES: &[Case] = &[
    Case {
        kind: "petition",
        field: "land",
        unit: "30307",
        title: "Chậm cấp giấy chứng nhận quyền sử dụng đất thửa 215",
        content: "Gia đình tôi nộp hồ sơ cấp giấy chứng nhận quyền sử dụng đất thửa 215, tờ bản đồ 12 từ tháng 6 nhưng đến nay chưa nhận được kết quả, cũng không được thông báo lý do.",
        name: "Nguyễn Văn Hùng",
        phone: "0912 345 678",
        email: "",
    },
    Case {
        kind: "feedback",
        field: "environment",
        unit: "30538",
        title: "Khói từ lò đốt rác gần chợ Núi Cấm",
        content: "Lò đốt rác cạnh chợ đốt vào buổi sáng, khói bay vào khu dân cư, người già và trẻ nhỏ bị ho nhiều ngày nay.",
        name: "Trần Thị Lan",
        phone: "0987 111 222",
        email: "lan.tran@example.vn",
    },
    Case {
        kind: "feedback",
        field: "construction",
        unit: "30307",
        title: "Công trình xây dựng lấn chiếm hẻm 45 đường Trần Hưng Đạo",
        content: "Một công trình đang xây dựng lấn ra hẻm 45 khoảng nửa mét, làm hẻm hẹp, xe cứu thương không vào được.",
        name: "Lê Quốc Bảo",
        phone: "0903 456 789",
        email: "",
    },
    Case {
        kind: "feedback",
        field: "other",
        unit: "30307",
        title: "Đèn đường hẻm 12 đường Lý Thái Tổ bị hư",
        content: "Bốn bóng đèn đường trong hẻm 12 đường Lý Thái Tổ hư hơn một tháng, buổi tối hẻm tối om, người dân đi lại nguy hiểm.",
        name: "Phạm Thị Thu",
        phone: "0908 222 333",
        email: "thu.pham@example.vn",
    },
    Case {
        kind: "petition",
        field: "social_policy",
        unit: "30538",
        title: "Đề nghị xem xét hộ cận nghèo cho gia đình bà Năm",
        content: "Gia đình bà Năm ở ấp Vồ Đầu có hai người già bệnh, thu nhập thấp nhưng chưa được xét vào danh sách hộ cận nghèo năm nay.",
        name: "Châu Văn Sơn",
        phone: "0911 444 555",
        email: "",
    },
    Case {
        kind: "petition",
        field: "other",
        unit: "30307",
        title: "Đề nghị đổi tên đường trong khu dân cư mới",
        content: "Đề nghị đặt lại tên đường số 7 trong khu dân cư mới theo tên một liệt sĩ của địa phương.",
        name: "Võ Minh Trí",
        phone: "",
        email: "tri.vo@example.vn",
    },
    Case {
        kind: "feedback",
        field: "land",
        unit: "30307",
        title: "Đường vào ấp Mỹ Thạnh ngập nước nhiều ngày",
        content: "Đường vào ấp Mỹ Thạnh ngập nước nhiều ngày sau mưa, xe không đi được, học sinh phải lội nước đi học.",
        name: "Đỗ Văn Minh",
        phone: "0934 666 777",
        email: "",
    },
    Case {
        kind: "feedback",
        field: "land",
        unit: "30307",
        title: "Đường ấp Mỹ Thạnh ngập nước, xe không đi được",
        content: "Đường vào ấp Mỹ Thạnh ngập nước nhiều ngày, xe không đi được, đề nghị nâng cấp mặt đường và khơi thông cống.",
        name: "Huỳnh Thị Bé",
        phone: "0945 888 999",
        email: "",
    },
    Case {
        kind: "denunciation",
        field: "officials_conduct",
        unit: "30307",
        title: "Tố cáo cán bộ địa chính nhận tiền khi làm hồ sơ",
        content: "Tôi tố cáo một cán bộ địa chính phường yêu cầu người dân nộp thêm tiền ngoài quy định khi làm hồ sơ tách thửa.",
        name: "Người tố cáo (giữ bí mật)",
        phone: "0977 123 456",
        email: "",
    },
    Case {
        kind: "feedback",
        field: "security_order",
        unit: "30307",
        title: "Nhóm thanh niên tụ tập gây mất trật tự ban đêm",
        content: "Nhiều đêm liền có nhóm thanh niên tụ tập ở công viên bờ sông, chạy xe lạng lách, gây ồn ào sau 23 giờ.",
        name: "Ngô Thị Mai",
        phone: "0916 777 888",
        email: "",
    },
    Case {
        kind: "complaint",
        field: "land",
        unit: "30538",
        title: "Khiếu nại quyết định thu hồi đất làm đường",
        content: "Tôi khiếu nại quyết định thu hồi đất của gia đình để làm đường vì giá bồi thường thấp hơn giá thị trường.",
        name: "Lâm Văn Tư",
        phone: "0922 333 444",
        email: "",
    },
    Case {
        kind: "feedback",
        field: "environment",
        unit: "30307",
        title: "Rác thải đổ trộm ven kênh Xáng",
        content: "Có người đổ trộm rác xây dựng ven kênh Xáng, bốc mùi và làm tắc dòng chảy.",
        name: "Trịnh Văn Lộc",
        phone: "0933 555 666",
        email: "",
    },
];

fn input(c: &Case) -> SubmitInput {
    SubmitInput {
        kind: c.kind.into(),
        field: c.field.into(),
        unit_code: c.unit.into(),
        title: c.title.into(),
        content: c.content.into(),
        petitioner: PetitionerInput {
            name: c.name.into(),
            phone: c.phone.into(),
            email: c.email.into(),
            address: String::new(),
        },
        consent: true,
        ..SubmitInput::default()
    }
}

fn step(action: &str) -> ActionInput {
    ActionInput {
        action: action.into(),
        ..ActionInput::default()
    }
}

async fn act(state: &AppState, who: &Principal, id: i64, a: ActionInput) -> Result<(), AppError> {
    svc::act(state, who, id, &a).await.map(|_| ())
}

/// Loads the demo's petitions; `org_ids` are the demo organisations in their order.
pub async fn load(state: &AppState, org_ids: &[i64]) -> Result<(), AppError> {
    let admin = by_username(state, "demo.tinh").await?;
    let officer = by_username(state, "demo.longxuyen").await?;
    let nuicam = by_username(state, "demo.nuicam").await?;
    let ubndlx = by_username(state, "demo.ubndlx").await?;
    let org = |i: usize| org_ids.get(i).copied().ok_or(AppError::NotFound);
    for (unit, field, body) in [
        ("30307", "*", org(9)?),
        ("30307", "security_order", org(10)?),
        ("30538", "*", org(6)?),
        ("91", "*", org(11)?),
    ] {
        let rule = RuleInput {
            unit_code: unit.into(),
            field: field.into(),
            organisation_id: body,
        };
        svc::set_rule(state, &admin, &rule).await?;
    }
    let mut ids = Vec::new();
    let mut codes = Vec::new();
    for (i, c) in CASES.iter().enumerate() {
        // Two cases came in by other channels weeks ago and were left waiting: overdue.
        let done = match i {
            0 | 10 => {
                let mut inp = input(c);
                inp.channel = if i == 0 { "reception" } else { "mail" }.into();
                inp.received_on = (state.clock.today()
                    - Duration::days(if i == 0 { 40 } else { 25 }))
                .to_string();
                let who = if c.unit == "30307" { &officer } else { &admin };
                svc::submit(state, Source::Staff(who), &inp, Vec::new()).await?
            }
            _ => svc::submit(state, Source::Public, &input(c), Vec::new()).await?,
        };
        ids.push(done.id);
        codes.push(done.tracking_code);
    }
    let id = |i: usize| ids.get(i).copied().ok_or(AppError::NotFound);
    let code = |i: usize| codes.get(i).cloned().ok_or(AppError::NotFound);
    // 1: accepted by the commune's body.
    act(state, &nuicam, id(1)?, step("accept")).await?;
    // 2: accepted and assigned.
    act(state, &ubndlx, id(2)?, step("accept")).await?;
    act(state, &ubndlx, id(2)?, step("assign")).await?;
    // 3: answered, published and rated satisfied.
    act(state, &ubndlx, id(3)?, step("accept")).await?;
    act(state, &ubndlx, id(3)?, ActionInput {
        action: "answer".into(),
        answer: "Kính gửi bà Thu,\n\nNgày 20/11, Tổ quản lý đô thị đã thay bốn bóng đèn LED trong hẻm 12 đường Lý Thái Tổ. Hẻm đã sáng trở lại. Cảm ơn bà đã phản ánh.".into(),
        publish: true,
        public_answer: "Tổ quản lý đô thị đã thay bốn bóng đèn LED trong hẻm 12 đường Lý Thái Tổ; hẻm đã sáng trở lại.".into(),
        ..ActionInput::default()
    }).await?;
    svc::citizen_feedback(
        state,
        &code(3)?,
        &FeedbackInput {
            action: "rate".into(),
            satisfied: Some(true),
            reason: String::new(),
        },
    )
    .await?;
    // 4: answered, published and closed.
    act(state, &nuicam, id(4)?, step("accept")).await?;
    act(state, &nuicam, id(4)?, ActionInput {
        action: "answer".into(),
        answer: "Ủy ban nhân dân xã đã rà soát hồ sơ gia đình bà Năm; gia đình đủ điều kiện và được bổ sung vào danh sách hộ cận nghèo năm 2026 từ ngày 01/12.".into(),
        publish: true,
        ..ActionInput::default()
    }).await?;
    act(state, &nuicam, id(4)?, step("close")).await?;
    // 5: declined with its reason.
    act(state, &ubndlx, id(5)?, ActionInput {
        action: "decline".into(),
        reason: "Việc đặt tên đường thuộc thẩm quyền Hội đồng nhân dân tỉnh; đề nghị gửi ý kiến qua đợt lấy ý kiến nhân dân về đặt tên đường.".into(),
        ..ActionInput::default()
    }).await?;
    // 7 duplicates 6: merged into it by the officer.
    act(
        state,
        &officer,
        id(7)?,
        ActionInput {
            action: "merge".into(),
            into: code(6)?,
            ..ActionInput::default()
        },
    )
    .await?;
    act(state, &ubndlx, id(6)?, step("accept")).await?;
    // 8: a denunciation, accepted and assigned; the denouncer is protected.
    act(state, &ubndlx, id(8)?, step("accept")).await?;
    act(state, &ubndlx, id(8)?, step("assign")).await?;
    // 9: security matter, routed to the ward police; 11: transferred, awaiting acknowledgement.
    act(
        state,
        &ubndlx,
        id(11)?,
        ActionInput {
            action: "transfer".into(),
            organisation_id: Some(org(10)?),
            reason: "Đổ trộm rác thải có dấu hiệu vi phạm, chuyển Công an phường xác minh".into(),
            ..ActionInput::default()
        },
    )
    .await?;
    // 6 answered, then reopened by a dissatisfied citizen.
    act(state, &ubndlx, id(6)?, ActionInput {
        action: "answer".into(),
        answer: "Phường đã khơi thông cống thoát nước trên đường vào ấp Mỹ Thạnh ngày 18/11; việc nâng cấp mặt đường được đưa vào kế hoạch năm 2027.".into(),
        publish: true,
        ..ActionInput::default()
    }).await?;
    svc::citizen_feedback(
        state,
        &code(6)?,
        &FeedbackInput {
            action: "reopen".into(),
            satisfied: Some(false),
            reason:
                "Sau khi khơi thông cống, mưa lớn đường vẫn ngập; đề nghị nâng mặt đường sớm hơn."
                    .into(),
        },
    )
    .await?;
    Ok(())
}
