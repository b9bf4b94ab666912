//! Deadline reminders and escalation. The sweep may run on several servers at once and any
//! number of times: each alert is a row keyed by (petition, kind, deadline), inserted in the
//! same transaction as its notifications, so an alert is raised — and sent — exactly once.

use chrono::NaiveDate;
use danvan_domain::clock::Clock;
use danvan_domain::petition::State;
use danvan_storage::audit::{self, Actor, Change};
use danvan_storage::petitions::{self as store, NewEvent, NewNotification, Petition};
use danvan_storage::{Db, Result, calendar, jobs, units};
use serde_json::json;

/// Reminders go out when a deadline is this many working days away or closer.
pub const REMIND_WORKING_DAYS: u32 = 2;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub reminders: usize,
    pub escalations: usize,
}

/// The deadline that matters now: acceptance while received, else resolution.
fn current_deadline(p: &Petition) -> Option<(&'static str, NaiveDate)> {
    match State::parse(&p.state)? {
        State::Received => Some(("accept", p.accept_due.min(p.due_on))),
        State::Accepted | State::Assigned => Some(("resolve", p.due_on)),
        _ => None,
    }
}

/// Raises what is due on `clock`'s today; e-mails are queued only when `mail` is on.
pub async fn sweep(db: &Db, clock: &Clock, mail: bool) -> Result<Swept> {
    let today = clock.today();
    let cal = calendar::work_calendar(db).await?;
    let horizon = cal.deadline(today, REMIND_WORKING_DAYS, true);
    let candidates = store::due_by(db, horizon, today).await?;
    if candidates.is_empty() {
        return Ok(Swept::default());
    }
    let tree = units::load_tree(db).await?;
    let mut swept = Swept::default();
    for p in candidates {
        // A transfer awaiting acknowledgement still runs on the petition's clock.
        let Some((stage, deadline)) = current_deadline(&p) else {
            continue;
        };
        let overdue = deadline < today;
        let kind = if overdue { "escalation" } else { "reminder" };
        let mut recipients = store::responsible(db, &p).await?;
        // The handler's superiors: the unit's officers; when overdue, the level above too.
        let mut units = vec![p.unit_id];
        if overdue {
            units.extend(tree.ancestors(p.unit_id).iter().map(|u| u.id));
        }
        recipients.extend(store::holders(db, "unit_officer", &units, None).await?);
        if overdue {
            recipients.extend(store::holders(db, "province_admin", &units, None).await?);
        }
        recipients.sort_unstable();
        recipients.dedup();
        let emails = if mail {
            store::account_emails(db, &recipients).await?
        } else {
            Vec::new()
        };

        let mut tx = db.begin().await?;
        if !store::raise_alert(&mut tx, p.id, &format!("{kind}:{stage}"), deadline).await? {
            drop(tx); // rolls back: another run raised it first
            continue;
        }
        let what_vi = if stage == "accept" {
            "thụ lý"
        } else {
            "giải quyết"
        };
        let what_en = if stage == "accept" {
            "acceptance"
        } else {
            "resolution"
        };
        let date = deadline.format("%d/%m/%Y");
        let (vi, en) = if overdue {
            (
                format!(
                    "Đơn {} đã quá hạn {what_vi} ({date}): {}",
                    p.tracking_code, p.title
                ),
                format!(
                    "Petition {} is past its {what_en} deadline ({date}): {}",
                    p.tracking_code, p.title
                ),
            )
        } else {
            (
                format!(
                    "Đơn {} sắp đến hạn {what_vi} ({date}): {}",
                    p.tracking_code, p.title
                ),
                format!(
                    "Petition {} is nearly due for {what_en} ({date}): {}",
                    p.tracking_code, p.title
                ),
            )
        };
        let url = format!("/xu-ly/{}", p.id);
        for account in &recipients {
            store::notify(
                &mut tx,
                &NewNotification {
                    account_id: *account,
                    petition_id: Some(p.id),
                    kind: &format!("petition_{kind}"),
                    message_vi: &vi,
                    message_en: &en,
                    url: &url,
                },
            )
            .await?;
        }
        for (_, address) in &emails {
            let payload =
                json!({"to": address, "subject": vi, "body": format!("{vi}\n\n{en}\n\n{url}\n")});
            // Due now by the job queue's own time (the real one), not the deadlines' clock.
            jobs::enqueue_tx(
                &mut tx,
                crate::EMAIL,
                &payload.to_string(),
                danvan_storage::now(),
            )
            .await?;
        }
        let at = clock.now();
        store::add_event(
            &mut tx,
            NewEvent {
                petition_id: p.id,
                action: if overdue { "escalated" } else { "reminder" },
                from_state: None,
                to_state: None,
                actor_id: None,
                organisation_id: p.organisation_id,
                note: Some(&date.to_string()),
                internal: !overdue,
            },
            at,
        )
        .await?;
        if overdue {
            store::bump_escalation(&mut tx, p.id).await?;
            audit::append(
                &mut tx,
                &Actor::system("deadlines"),
                Change {
                    action: "petition.escalate",
                    entity_type: "petition",
                    entity_id: p.id.to_string(),
                    before: None,
                    after: Some(json!({"stage": stage, "deadline": deadline, "level": p.escalation_level + 1,
                        "notified": recipients.len()})),
                },
            )
            .await?;
            swept.escalations += 1;
        } else {
            swept.reminders += 1;
        }
        tx.commit().await?;
    }
    Ok(swept)
}
