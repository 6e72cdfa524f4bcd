//! Starting and stopping the control-plane processes so that none outlives its owner by accident.
//!
//! Attached children (the test harness keeps its plane in a `static`, so `Drop` never runs) must
//! die with this process however it ends:
//! - normal exit (including a failed `cargo test`): an `atexit` handler stops every registered
//!   pid, SIGTERM first so etcd and kube-apiserver shut down cleanly;
//! - a signal or SIGKILL: the kernel sends SIGKILL to each child through `PR_SET_PDEATHSIG`.
//!
//! PDEATHSIG fires when the *thread* that forked the child exits, not the process, so attached
//! children are forked by one dedicated spawner thread that lives as long as the process.
//! Detached children (`ike-controller local up`) get their own session instead and are stopped
//! later by pid (`local down`).

use std::io;
use std::os::unix::process::CommandExt as _;
use std::process::{Child, Command};
use std::sync::mpsc;
use std::sync::{Mutex, Once, OnceLock};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

/// How long a process gets between SIGTERM and SIGKILL.
pub const GRACE: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(50);

/// Pids of attached children not yet reaped by us, in start order.
static ATTACHED: Mutex<Vec<u32>> = Mutex::new(Vec::new());

struct SpawnRequest {
    command: Command,
    reply: mpsc::Sender<io::Result<Child>>,
}

/// Spawns `command` as an attached child: it dies when this process exits for any reason.
pub fn spawn_attached(mut command: Command) -> io::Result<Child> {
    let parent = std::process::id();
    // SAFETY: the closure runs between fork and exec and only calls async-signal-safe libc
    // functions (prctl, getppid); it allocates nothing.
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(
                libc::PR_SET_PDEATHSIG,
                libc::SIGKILL as libc::c_ulong,
                0,
                0,
                0,
            ) != 0
            {
                return Err(io::Error::last_os_error());
            }
            // The parent may have died between fork and prctl; then nobody would kill us.
            if libc::getppid() as u32 != parent {
                // ESRCH, not io::Error::other: allocating between fork and exec can deadlock.
                return Err(io::Error::from_raw_os_error(libc::ESRCH));
            }
            Ok(())
        });
    }
    register_atexit_once();
    let (reply, response) = mpsc::channel();
    spawner()
        .send(SpawnRequest { command, reply })
        .map_err(|_| io::Error::other("the spawner thread is gone"))?;
    let child = response
        .recv()
        .map_err(|_| io::Error::other("the spawner thread is gone"))??;
    // A child spawned while the process is exiting may miss the exit handler; PDEATHSIG
    // still kills it.
    ATTACHED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(child.id());
    Ok(child)
}

/// Spawns `command` in a new session so that it survives this process.
pub fn spawn_detached(mut command: Command) -> io::Result<Child> {
    // SAFETY: setsid is async-signal-safe and the closure allocates nothing.
    unsafe {
        command.pre_exec(|| {
            if libc::setsid() == -1 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    command.spawn()
}

fn spawner() -> &'static mpsc::Sender<SpawnRequest> {
    static SPAWNER: OnceLock<mpsc::Sender<SpawnRequest>> = OnceLock::new();
    SPAWNER.get_or_init(|| {
        let (sender, requests) = mpsc::channel::<SpawnRequest>();
        thread::Builder::new()
            .name("ike-local-spawner".into())
            .spawn(move || {
                // The sender lives in a static, so this loop (and thread) never ends.
                for mut request in requests {
                    let _ = request.reply.send(request.command.spawn());
                }
            })
            .expect("could not start the ike-local-spawner thread");
        sender
    })
}

fn register_atexit_once() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // SAFETY: the handler is a plain extern "C" fn with no captured state.
        if unsafe { libc::atexit(stop_attached_at_exit) } != 0 {
            tracing::warn!("could not register the atexit handler; children rely on PDEATHSIG");
        }
    });
}

extern "C" fn stop_attached_at_exit() {
    // try_lock: another thread may hold the lock while the process exits; PDEATHSIG still
    // covers that case, blocking here would hang the exit.
    let pids: Vec<u32> = match ATTACHED.try_lock() {
        Ok(mut attached) => std::mem::take(&mut *attached),
        Err(std::sync::TryLockError::Poisoned(e)) => std::mem::take(&mut *e.into_inner()),
        Err(std::sync::TryLockError::WouldBlock) => return,
    };
    terminate_pids(&pids);
}

/// Forgets an attached child after it has been reaped.
pub fn unregister(pid: u32) {
    ATTACHED
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .retain(|&p| p != pid);
}

/// Sends `signal` to `pid`; false if there is no such process (or it is not ours to signal).
pub fn signal(pid: u32, signal: libc::c_int) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: kill has no memory-safety preconditions; pid > 0 targets exactly one process.
    pid > 0 && unsafe { libc::kill(pid, signal) } == 0
}

/// Stops `children` one by one in reverse start order: SIGTERM, up to [`GRACE`] to exit, then
/// SIGKILL. Reaps them.
///
/// One by one because kube-apiserver only shuts down promptly (about a second) while etcd is
/// still up; with both signalled at once it hangs until SIGKILL.
pub fn stop_children(children: &mut [(&'static str, Child)]) {
    for (name, child) in children.iter_mut().rev() {
        signal(child.id(), libc::SIGTERM);
        let deadline = Instant::now() + GRACE;
        loop {
            match child.try_wait() {
                Ok(Some(_)) | Err(_) => break,
                Ok(None) if Instant::now() >= deadline => {
                    tracing::warn!(pid = child.id(), "{name} ignored SIGTERM; sending SIGKILL");
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                Ok(None) => thread::sleep(POLL),
            }
        }
        unregister(child.id());
    }
}

/// Stops processes by pid, one by one in reverse order (pids are listed in start order, and
/// later processes depend on earlier ones): SIGTERM, up to [`GRACE`] to exit, then SIGKILL.
///
/// Our own children are reaped with `waitpid`; for others, exit is seen through `kill(pid, 0)`.
pub fn terminate_pids(pids: &[u32]) {
    for &pid in pids.iter().rev() {
        if !signal(pid, libc::SIGTERM) {
            let _ = gone(pid); // reap it if it is our zombie
            continue;
        }
        let mut left = vec![pid];
        wait_gone(&mut left, GRACE);
        if !left.is_empty() {
            signal(pid, libc::SIGKILL);
            wait_gone(&mut left, Duration::from_secs(1));
        }
    }
}

fn wait_gone(pids: &mut Vec<u32>, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    loop {
        pids.retain(|&pid| !gone(pid));
        if pids.is_empty() || Instant::now() >= deadline {
            return;
        }
        thread::sleep(POLL);
    }
}

fn gone(pid: u32) -> bool {
    let Ok(raw) = libc::pid_t::try_from(pid) else {
        return true;
    };
    let mut status = 0;
    // SAFETY: status is a valid out-pointer; WNOHANG never blocks.
    match unsafe { libc::waitpid(raw, &mut status, libc::WNOHANG) } {
        0 => false,
        r if r == raw => true,
        // Not our child (ECHILD): it is gone once it cannot be signalled.
        _ => !signal(pid, 0),
    }
}

/// Whether `pid` exists and is not a zombie.
pub fn is_alive(pid: u32) -> bool {
    stat_fields(pid).is_some_and(|fields| fields.first().is_some_and(|state| state != "Z"))
}

/// When `pid` started (to about a second: the kernel's boot time is given in whole seconds).
pub fn started_at(pid: u32) -> Option<SystemTime> {
    // Field 22 of /proc/PID/stat, in clock ticks since boot.
    let ticks: u64 = stat_fields(pid)?.get(19)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let per_second = u64::try_from(unsafe { libc::sysconf(libc::_SC_CLK_TCK) }).ok()?;
    let boot: u64 = std::fs::read_to_string("/proc/stat")
        .ok()?
        .lines()
        .find_map(|line| line.strip_prefix("btime "))?
        .trim()
        .parse()
        .ok()?;
    let since_boot = Duration::from_millis(ticks * 1000 / per_second.max(1));
    Some(SystemTime::UNIX_EPOCH + Duration::from_secs(boot) + since_boot)
}

/// The fields of /proc/PID/stat after the command name (the first is the state).
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(") ")?;
    Some(rest.split_whitespace().map(str::to_owned).collect())
}
