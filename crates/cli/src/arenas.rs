//! Bounded malloc arenas for the server.
//!
//! glibc gives every thread that allocates under contention an arena of its own (up to eight
//! per core) and keeps what was freed there for that thread. The server's threads (tokio's
//! workers, one per SQLite connection, the blocking pool) each grew one under load, and the
//! resident memory climbed page by page and stayed: 193–280 MB against 82–129 MB with two
//! arenas, at the same throughput (docs/performance.md, sixth round). glibc reads the limit
//! only when the process starts, and setting it from inside needs `mallopt` (unsafe, which
//! the workspace forbids), so `serve` starts itself again with `MALLOC_ARENA_MAX` set. The
//! process id stays the same (exec, not spawn). An operator's own setting is left alone.

/// The arenas the server runs with unless the environment says otherwise.
const ARENAS: &str = "2";
const VARIABLE: &str = "MALLOC_ARENA_MAX";

/// Replaces this process with itself, `MALLOC_ARENA_MAX` set, when glibc is the allocator and
/// neither the variable nor a glibc malloc tunable is set. Returns only when it did not (or
/// could not) re-execute; the server then runs with glibc's defaults.
pub fn bound_for_server() {
    if !cfg!(all(target_os = "linux", target_env = "gnu")) || already_set() {
        return;
    }
    re_exec();
}

fn already_set() -> bool {
    std::env::var_os(VARIABLE).is_some()
        || std::env::var("GLIBC_TUNABLES").is_ok_and(|t| t.contains("glibc.malloc.arena_max"))
}

#[cfg(unix)]
fn re_exec() {
    use std::os::unix::process::CommandExt;
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("note: running with glibc's default malloc arenas ({e})");
            return;
        }
    };
    // `exec` returns only on failure (the binary replaced on disk since it started, say).
    let error = std::process::Command::new(&exe)
        .args(std::env::args_os().skip(1))
        .env(VARIABLE, ARENAS)
        .exec();
    eprintln!(
        "note: running with glibc's default malloc arenas ({}: {error})",
        exe.display()
    );
}

#[cfg(not(unix))]
fn re_exec() {}
