//! `danvan`: the one binary. Every subcommand that touches the database takes the same
//! `--data-dir` / `--database-url` options (and honours `DATABASE_URL`).

use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use danvan_domain::role::Role;
use danvan_storage::Db;
use danvan_storage::audit::Actor;
use danvan_web::{AppState, Config};

mod arenas;

#[derive(Parser)]
#[command(
    name = "danvan",
    version,
    about = "Dân vận khéo: the movement and citizens' petitions, one binary"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DbArgs {
    /// Where the embedded SQLite database and files live (used when no database URL is given).
    #[arg(long, default_value = "./danvan-data")]
    data_dir: PathBuf,
    /// postgres://… to run on PostgreSQL instead of the embedded SQLite.
    #[arg(long, env = "DATABASE_URL")]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (pages and API).
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        #[command(flatten)]
        db: DbArgs,
        /// Load the demo province (once) and print the demo accounts with fresh passwords.
        #[arg(long)]
        demo: bool,
        /// Behind a TLS-terminating proxy: Secure cookies and HSTS.
        #[arg(long, env = "DANVAN_BEHIND_TLS")]
        behind_tls: bool,
        /// Trust X-Forwarded-For for the client address: its last entry, the one your own
        /// proxy added (only behind your own proxy).
        #[arg(long, env = "DANVAN_TRUST_PROXY")]
        trust_proxy: bool,
        #[command(flatten)]
        mail: MailArgs,
        /// Base64 key (32 bytes) that seals petitioners' personal data; default: the key file
        /// `keys/petitioners.key` in the data dir, generated on first start.
        #[arg(long, env = "DANVAN_SEAL_KEY", hide_env_values = true)]
        seal_key: Option<String>,
        /// Seconds between the background worker's looks at the job queue (every server runs
        /// one; each job still runs once).
        #[arg(long, env = "DANVAN_JOB_POLL_SECS", default_value_t = 15,
              value_parser = clap::value_parser!(u64).range(1..=3600))]
        job_poll_secs: u64,
        /// Seconds that public pages (showcase, model pages…) seen by anonymous visitors are
        /// kept in memory; 0 turns the cache off.
        #[arg(long, env = "DANVAN_PAGE_CACHE_SECS", default_value_t = 5,
              value_parser = clap::value_parser!(u64).range(0..=3600))]
        page_cache_secs: u64,
        /// The address the public reaches the site at (https://…), for the absolute links of
        /// the stories' feed and shared links; default: the request's Host.
        #[arg(long, env = "DANVAN_PUBLIC_URL")]
        public_url: Option<String>,
    },
    /// Open311 GeoReport v2 access for client apps.
    Open311 {
        #[command(subcommand)]
        command: Open311Command,
    },
    /// Apply database migrations and load the reference unit tree.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Import a spreadsheet (XLSX or UTF-8 CSV) of organisations, accounts, models with
    /// their indicators or the holiday schedule, acting as the system; every row is checked
    /// first and nothing is written if any is wrong. Accounts get generated initial
    /// passwords, printed once as `username<TAB>password` lines.
    Import {
        /// organisations, accounts, initiatives, households or holidays
        kind: String,
        /// The XLSX or CSV file (templates: GET /api/v1/imports/{kind}/template).
        file: PathBuf,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Fill the database with realistic, deterministic data at province scale (models over
    /// five campaign years, petitions with sealed petitioners, households with Tết drives and
    /// deliveries, a contributions ledger), for benchmarks and trials. Adds to what is there.
    Generate {
        #[arg(long, default_value_t = 25_000)]
        initiatives: usize,
        #[arg(long, default_value_t = 100_000)]
        petitions: usize,
        #[arg(long, default_value_t = 20_000)]
        households: usize,
        /// The same seed gives the same data.
        #[arg(long, default_value_t = 2025)]
        seed: u64,
        #[command(flatten)]
        db: DbArgs,
    },
    /// The working-day calendar that petition deadlines are counted in.
    Calendar {
        #[command(subcommand)]
        command: CalendarCommand,
    },
}

#[derive(Args, Clone, Default)]
struct MailArgs {
    /// SMTP server for e-mail notifications, e.g. smtp://user:pass@mail.example.vn:587?tls=required.
    #[arg(long, env = "DANVAN_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// Sender of e-mail notifications.
    #[arg(
        long,
        env = "DANVAN_MAIL_FROM",
        default_value = "Dân vận khéo <noreply@danvan.invalid>"
    )]
    mail_from: String,
}

#[derive(Subcommand)]
enum Open311Command {
    /// Issue a key for an Open311 client app; prints the key (shown once, only its hash is kept).
    Key {
        #[command(subcommand)]
        command: Open311KeyCommand,
    },
}

#[derive(Subcommand)]
enum Open311KeyCommand {
    Add {
        /// Who the key is for, e.g. the app's name.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// Print the statutory holidays of a year (with compensatory days): `YYYY-MM-DD<TAB>name` per line.
    Holidays {
        #[arg(long)]
        year: i32,
    },
    /// Print the due date of a period: the first day is not counted; a deadline on a day off moves to the next
    /// working day (Civil Code 2015, Arts. 147–148).
    Deadline {
        /// The day the period starts from, YYYY-MM-DD.
        #[arg(long)]
        from: chrono::NaiveDate,
        #[arg(long)]
        days: u32,
        /// Count working days instead of calendar days.
        #[arg(long)]
        working: bool,
    },
}

fn calendar(command: CalendarCommand) -> Result<bool> {
    let cal = danvan_calendar::WorkCalendar::default();
    match command {
        CalendarCommand::Holidays { year } => {
            if !(1900..=2199).contains(&year) {
                bail!("the year must lie between 1900 and 2199");
            }
            let mut out = std::io::stdout().lock();
            for h in cal.holidays(year) {
                writeln!(out, "{}\t{}", h.date.format("%Y-%m-%d"), h.name_vi)?;
            }
        }
        CalendarCommand::Deadline {
            from,
            days,
            working,
        } => {
            if days > 3650 {
                bail!("at most 3650 days");
            }
            println!("{}", cal.deadline(from, days, working).format("%Y-%m-%d"));
        }
    }
    Ok(true)
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        /// province_admin, unit_officer, reporter, council_member, handler or supervisor.
        #[arg(long)]
        role: String,
        /// Unit code of the role's scope (default: the province).
        #[arg(long)]
        unit: Option<String>,
        /// Organisation id (reporters and handlers).
        #[arg(long)]
        org: Option<i64>,
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long, required = true)]
        password_stdin: bool,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain; exit 1 if any entry was edited or removed.
    Verify {
        #[command(flatten)]
        db: DbArgs,
    },
}

/// Background job loops each server runs (see `serve`).
const JOB_LOOPS: usize = 2;

/// Opens the database, migrates it and loads the reference units if missing.
async fn open(args: &DbArgs) -> Result<Db> {
    let db = match &args.database_url {
        Some(url) if !url.is_empty() => Db::open_url(url)
            .await
            .context("cannot connect to the database")?,
        _ => Db::open_sqlite_dir(&args.data_dir)
            .await
            .context("cannot open the embedded database")?,
    };
    db.migrate().await.context("migration failed")?;
    let loaded = danvan_storage::units::load_reference(&db)
        .await
        .context("loading the unit tree failed")?;
    if loaded > 0 {
        tracing::info!(units = loaded, "loaded the administrative unit tree");
    }
    Ok(db)
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let json = std::env::var("DANVAN_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

struct ServeOptions {
    bind: SocketAddr,
    db: DbArgs,
    demo: bool,
    behind_tls: bool,
    trust_proxy: bool,
    mail: MailArgs,
    seal_key: Option<String>,
    job_poll: std::time::Duration,
    page_cache_secs: u64,
    public_url: Option<String>,
}

async fn serve(o: ServeOptions) -> Result<()> {
    let ServeOptions {
        bind,
        db,
        demo,
        behind_tls,
        trust_proxy,
        mail,
        seal_key,
        job_poll,
        page_cache_secs,
        public_url,
    } = o;
    let started = std::time::Instant::now();
    let mailer = match &mail.smtp_url {
        Some(url) => Some(
            danvan_mail::Mailer::new(&danvan_mail::MailConfig {
                url: url.clone(),
                from: mail.mail_from.clone(),
            })
            .map_err(|e| anyhow::anyhow!("SMTP: {e}"))?,
        ),
        None => None,
    };
    let database = open(&db).await?;
    let config = Config {
        data_dir: db.data_dir.clone(),
        behind_tls,
        trust_proxy,
        seal_key,
        mail_enabled: mailer.is_some(),
        page_cache_secs,
        public_url: public_url.map(|u| u.trim_end_matches('/').to_string()),
        ..Config::default()
    };
    let state = AppState::new(database.clone(), config).await?;
    let mut out = std::io::stdout().lock();
    if demo {
        let accounts = danvan_web::demo::load(&state)
            .await
            .map_err(|e| anyhow::anyhow!("demo: {e}"))?;
        writeln!(
            out,
            "Tài khoản demo / Demo accounts (vai trò / role, tên đăng nhập / user name, mật khẩu / password):"
        )?;
        for a in &accounts {
            writeln!(out, "  {} {} {}", a.role.code(), a.username, a.password)?;
        }
    }
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    let addr = listener.local_addr()?;
    writeln!(out, "danvan listening on http://{addr}")?;
    writeln!(
        out,
        "Đăng nhập / Sign in: http://{addr}/dang-nhap  (backend: {})",
        database.backend().name()
    )?;
    out.flush()?;
    drop(out);
    tracing::info!(%addr, startup_ms = started.elapsed().as_millis() as u64, "ready");

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let runner = danvan_jobs::Runner {
        db: database.clone(),
        clock: state.clock.clone(),
        mailer,
        handler: Some(danvan_web::export::job_handler(&state)),
    };
    // Two job loops per server, so that an export someone waits for need not wait for a
    // deadline sweep working through a backlog (4–8 s a run at province scale). Claims are
    // exclusive across loops as they are across servers.
    let workers: Vec<_> = (1..=JOB_LOOPS)
        .map(|n| {
            tokio::spawn(danvan_jobs::run_worker(
                runner.clone(),
                format!("{}.{n}:{addr}", std::process::id()),
                job_poll,
                state.jobs_wake.clone(),
                stop_rx.clone(),
            ))
        })
        .collect();
    danvan_web::serve(listener, state, shutdown_signal()).await?;
    let _ = stop_tx.send(true);
    for worker in workers {
        let _ = worker.await;
    }
    database.close().await;
    Ok(())
}

async fn user_add(
    username: String,
    role: String,
    unit: Option<String>,
    org: Option<i64>,
    display_name: Option<String>,
    db: DbArgs,
) -> Result<()> {
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .context("cannot read the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']).to_string();
    let database = open(&db).await?;
    let state = AppState::new(
        database.clone(),
        Config {
            data_dir: db.data_dir.clone(),
            ..Config::default()
        },
    )
    .await?;
    let unit = match unit {
        Some(u) => u,
        None => {
            let today = chrono::Local::now().date_naive();
            let tree = state.tree();
            let root = tree
                .iter()
                .find(|u| u.parent_id.is_none() && u.valid_at(today))
                .context("no current province")?;
            root.code.clone()
        }
    };
    if Role::parse(&role).is_none() {
        bail!(
            "unknown role {role}; use one of: {}",
            Role::ALL.map(|r| r.code()).join(", ")
        );
    }
    let input = danvan_web::service::accounts::NewAccount {
        display_name: display_name.unwrap_or_else(|| username.clone()),
        username,
        role,
        unit_code: unit,
        organisation_id: org,
        password: Some(password),
        email: None,
    };
    let v = danvan_web::service::accounts::validate_new(&state, &input)
        .await
        .map_err(|e| match e {
            danvan_web::error::AppError::Invalid(i) => anyhow::anyhow!(
                "{}",
                i.0.iter()
                    .map(|e| format!("{}: {}", e.field, e.message_en))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
            other => anyhow::anyhow!("{other}"),
        })?;
    if input.password.as_deref().is_none_or(str::is_empty) {
        bail!("the password read from standard input is empty");
    }
    let id = danvan_web::service::accounts::provision(&state, &Actor::system("cli"), &v, false)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message(false)))?;
    println!(
        "created account {} (id {id}) as {} of {}",
        v.username,
        v.grant.role.code(),
        state.tree().path_name(v.grant.unit_id)
    );
    database.close().await;
    Ok(())
}

/// Draws a one-line progress bar on standard error (indicatif is not among the vendored
/// crates, so the bar is drawn by hand).
fn progress_bar(stage: &str, done: usize, total: usize) {
    let total = total.max(1);
    // Redrawing every row would flood a terminal for large files; every 1% is enough.
    if done != total && !done.is_multiple_of((total / 100).max(1)) {
        return;
    }
    let width = 30;
    let filled = done * width / total;
    let label = match stage {
        "write" => "writing",
        "validate" => "validating",
        other => other,
    };
    let label = format!("{label:<13}");
    let mut err = std::io::stderr().lock();
    let _ = write!(
        err,
        "\r{label} [{}{}] {done}/{total}",
        "#".repeat(filled),
        "-".repeat(width - filled)
    );
    if done == total {
        let _ = writeln!(err);
    }
    let _ = err.flush();
}

async fn import(kind: String, file: PathBuf, db: DbArgs) -> Result<bool> {
    use danvan_web::service::imports::{self, ImportError, ImportKind, Importer};
    let Some(k) = ImportKind::parse(&kind) else {
        bail!(
            "unknown import kind {kind}; use organisations, accounts, initiatives, households or holidays"
        );
    };
    let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let database = open(&db).await?;
    let state = AppState::new(
        database.clone(),
        Config {
            data_dir: db.data_dir.clone(),
            ..Config::default()
        },
    )
    .await?;
    let who = Importer::System(Actor::system("cli"));
    let outcome = imports::import(&state, &who, k, &bytes, &progress_bar).await;
    database.close().await;
    match outcome {
        Ok(out) => {
            println!(
                "imported {} {} from {}",
                out.created,
                k.code(),
                file.display()
            );
            if !out.credentials.is_empty() {
                println!("initial passwords (shown this once, never stored in clear):");
                for c in &out.credentials {
                    println!("{}\t{}", c.username, c.password);
                }
            }
            Ok(true)
        }
        Err(ImportError::Rejected(rows)) => {
            println!(
                "the file was refused, nothing was written ({} problem(s)):",
                rows.len()
            );
            for r in rows {
                let column = if r.column.is_empty() {
                    String::new()
                } else {
                    format!(", column “{}”", r.column)
                };
                println!(
                    "  row {}{column}: {} ({}) [{}]",
                    r.row, r.message, r.message_vi, r.code
                );
            }
            Ok(false)
        }
        Err(ImportError::App(e)) => Err(anyhow::anyhow!("{}", e.message(false))),
    }
}

async fn generate(plan: danvan_web::generate::Plan, db: DbArgs) -> Result<bool> {
    let database = open(&db).await?;
    let state = AppState::new(
        database.clone(),
        Config {
            data_dir: db.data_dir.clone(),
            ..Config::default()
        },
    )
    .await?;
    let started = std::time::Instant::now();
    let summary = danvan_web::generate::run(&state, &plan, &progress_bar)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message(false)))?;
    database.close().await;
    println!(
        "generated in {:.1} s: {} organisations, {} models, {} petitions, {} households ({} deliveries), {} contributions; {} search documents",
        started.elapsed().as_secs_f64(),
        summary.organisations,
        summary.initiatives,
        summary.petitions,
        summary.households,
        summary.deliveries,
        summary.contributions,
        summary.search_documents
    );
    Ok(true)
}

async fn audit_verify(db: DbArgs) -> Result<bool> {
    let database = open(&db).await?;
    let v = danvan_storage::audit::verify(&database).await?;
    database.close().await;
    match v.broken_at {
        None => {
            println!("audit trail intact: {} entries", v.entries);
            Ok(true)
        }
        Some((seq, why)) => {
            println!(
                "audit trail BROKEN at entry {seq}: {why} ({} entries verified before it)",
                v.entries
            );
            Ok(false)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if matches!(cli.command, Command::Serve { .. }) {
        arenas::bound_for_server();
    }
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve {
                bind,
                db,
                demo,
                behind_tls,
                trust_proxy,
                mail,
                seal_key,
                job_poll_secs,
                page_cache_secs,
                public_url,
            } => serve(ServeOptions {
                bind,
                db,
                demo,
                behind_tls,
                trust_proxy,
                mail,
                seal_key,
                job_poll: std::time::Duration::from_secs(job_poll_secs),
                page_cache_secs,
                public_url,
            })
            .await
            .map(|_| true),
            Command::Open311 {
                command:
                    Open311Command::Key {
                        command: Open311KeyCommand::Add { name, db },
                    },
            } => {
                let database = open(&db).await?;
                let actor = danvan_storage::audit::Actor::system("cli");
                let (id, key) =
                    danvan_web::service::petitions::add_open311_key(&database, &actor, &name)
                        .await
                        .map_err(|e| anyhow::anyhow!("{}", e.message(false)))?;
                println!("{key}");
                eprintln!("Open311 key {id} issued to “{name}”; it is shown only this once.");
                database.close().await;
                Ok(true)
            }
            Command::Migrate { db } => {
                let database = open(&db).await?;
                println!("database migrated ({})", database.backend().name());
                database.close().await;
                Ok(true)
            }
            Command::User {
                command:
                    UserCommand::Add {
                        username,
                        role,
                        unit,
                        org,
                        display_name,
                        password_stdin: _,
                        db,
                    },
            } => user_add(username, role, unit, org, display_name, db)
                .await
                .map(|_| true),
            Command::Audit {
                command: AuditCommand::Verify { db },
            } => audit_verify(db).await,
            Command::Import { kind, file, db } => import(kind, file, db).await,
            Command::Generate {
                initiatives,
                petitions,
                households,
                seed,
                db,
            } => {
                let plan = danvan_web::generate::Plan {
                    initiatives,
                    petitions,
                    households,
                    seed,
                };
                generate(plan, db).await
            }
            Command::Calendar { command } => calendar(command),
        }
    });
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
