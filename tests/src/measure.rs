//! Running a tool to its end and reading its peak memory, for tests that
//! bound memory: wait4's rusage on Unix, the process's peak working set on
//! Windows.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{Finished, read_outputs};

/// Like [`crate::run`] (stdin empty), and also reports the child's peak
/// resident memory in KiB.
pub fn run_measured(mut cmd: Command, timeout: Duration) -> (Finished, u64) {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {:?}: {e}", cmd.get_program()));
    let (out_thread, err_thread) = read_outputs(&mut child);
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(1);
    let (code, max_rss) = loop {
        if let Some(done) = imp::try_wait(&mut child) {
            break done;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            panic!("{:?} did not exit within {timeout:?}", cmd.get_program());
        }
        // Polling an exit status; this is not waiting for readiness.
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(20));
    };
    let stdout = out_thread.join().unwrap_or_default();
    let stderr = String::from_utf8_lossy(&err_thread.join().unwrap_or_default()).into_owned();
    (Finished { code, stdout, stderr }, max_rss)
}

/// Peak resident memory of a running process in KiB.
pub fn peak_rss_kib(pid: u32) -> u64 {
    imp::peak_rss_kib(pid)
}

#[cfg(unix)]
mod imp {
    /// VmHWM from /proc (Linux); 0 elsewhere.
    pub fn peak_rss_kib(pid: u32) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    use std::process::Child;

    /// The exit code and peak RSS in KiB once the child has exited. The
    /// child is reaped here by wait4, which std's `Child` does not see.
    #[allow(clippy::zombie_processes)]
    pub fn try_wait(child: &mut Child) -> Option<(Option<i32>, u64)> {
        let pid = libc::pid_t::try_from(child.id()).ok()?;
        let mut status: libc::c_int = 0;
        // SAFETY: an all-zero rusage is a valid value to be overwritten.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: waiting on our own child with valid out-pointers.
        let got = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if got != pid {
            return None;
        }
        let code = if libc::WIFEXITED(status) { Some(libc::WEXITSTATUS(status)) } else { None };
        let rss = u64::try_from(usage.ru_maxrss).unwrap_or(0);
        // macOS reports bytes, the others KiB.
        let rss = if cfg!(target_vendor = "apple") { rss / 1024 } else { rss };
        Some((code, rss))
    }
}

#[cfg(windows)]
mod imp {
    use std::os::windows::io::AsRawHandle;
    use std::process::Child;
    use windows_sys::Win32::Foundation::CloseHandle;
    use windows_sys::Win32::System::ProcessStatus::{GetProcessMemoryInfo, PROCESS_MEMORY_COUNTERS};
    use windows_sys::Win32::System::Threading::{OpenProcess, PROCESS_QUERY_LIMITED_INFORMATION, PROCESS_VM_READ};

    /// The peak working set of a running process.
    pub fn peak_rss_kib(pid: u32) -> u64 {
        // SAFETY: OpenProcess takes plain values; the handle it returns is
        // closed below.
        let handle = unsafe { OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_VM_READ, 0, pid) };
        if handle.is_null() {
            return 0;
        }
        let rss = counters(handle);
        // SAFETY: the handle was opened above and is closed once.
        unsafe { CloseHandle(handle) };
        rss
    }

    /// The peak working set in KiB of the process behind `handle`.
    fn counters(handle: windows_sys::Win32::Foundation::HANDLE) -> u64 {
        // SAFETY: an all-zero PROCESS_MEMORY_COUNTERS is a valid value.
        let mut counters: PROCESS_MEMORY_COUNTERS = unsafe { std::mem::zeroed() };
        let size = std::mem::size_of::<PROCESS_MEMORY_COUNTERS>() as u32;
        // SAFETY: the process handle is open and `counters` is valid for
        // writes of `size` bytes.
        let ok = unsafe { GetProcessMemoryInfo(handle, &mut counters, size) };
        if ok != 0 { counters.PeakWorkingSetSize as u64 / 1024 } else { 0 }
    }

    /// The exit code and peak working set in KiB once the child has
    /// exited (its handle, still open, keeps the counters readable).
    pub fn try_wait(child: &mut Child) -> Option<(Option<i32>, u64)> {
        let status = child.try_wait().ok()??;
        // The handle, still open (owned by `child`), keeps the counters.
        Some((status.code(), counters(child.as_raw_handle())))
    }
}
