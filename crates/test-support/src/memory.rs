//! Resident memory from `/proc` (Linux): the peak (VmHWM), its reset, the current size.
//! Elsewhere the readings are `None`, and tests skip what they would check.

/// A `kB` field of `/proc/<pid>/status` (`self` for `None`).
fn status_kib(pid: Option<u32>, field: &str) -> Option<u64> {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/status"),
        None => "/proc/self/status".to_owned(),
    };
    std::fs::read_to_string(path)
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// The peak resident memory of this process so far (VmHWM), in KiB.
///
/// ```
/// if cfg!(target_os = "linux") {
///     assert!(test_support::memory::peak_kib().unwrap() > 0);
/// }
/// ```
pub fn peak_kib() -> Option<u64> {
    status_kib(None, "VmHWM")
}

/// The peak resident memory of process `pid` so far (VmHWM), in KiB.
///
/// ```
/// if cfg!(target_os = "linux") {
///     assert!(test_support::memory::peak_kib_of(std::process::id()).is_some());
/// }
/// ```
pub fn peak_kib_of(pid: u32) -> Option<u64> {
    status_kib(Some(pid), "VmHWM")
}

/// The resident memory of this process now (VmRSS), in KiB.
///
/// ```
/// if cfg!(target_os = "linux") {
///     let now = test_support::memory::resident_kib().unwrap();
///     assert!(now <= test_support::memory::peak_kib().unwrap());
/// }
/// ```
pub fn resident_kib() -> Option<u64> {
    status_kib(None, "VmRSS")
}

/// Resets this process's peak to its current resident size (Linux: `clear_refs` 5), so a
/// test sees its own peak, not an earlier one's; whether it could.
///
/// ```
/// if test_support::memory::reset_peak() {
///     let peak = test_support::memory::peak_kib().unwrap();
///     assert!(peak <= test_support::memory::resident_kib().unwrap() + 1024);
/// }
/// ```
pub fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}
