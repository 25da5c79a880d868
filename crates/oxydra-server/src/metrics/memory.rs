//! Process memory figures for `/health/stats`.

use oxydra_api::MemoryStats;

/// Process memory from `/proc/self/status` (kB figures, so no page-size assumption). Read
/// synchronously: procfs is served from kernel memory, never from a disk.
#[cfg(target_os = "linux")]
pub(super) fn memory() -> MemoryStats {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return MemoryStats::default();
    };
    parse_proc_status(&status)
}

/// No portable source of these figures elsewhere: every field is omitted.
#[cfg(not(target_os = "linux"))]
pub(super) fn memory() -> MemoryStats {
    MemoryStats::default()
}

/// `VmRSS`, `VmHWM` and `VmSize` of a `/proc/<pid>/status` text, in bytes.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn parse_proc_status(text: &str) -> MemoryStats {
    let field = |name: &str| {
        text.lines().find_map(|line| {
            let rest = line.strip_prefix(name)?.strip_prefix(':')?;
            let kb = rest.trim().strip_suffix("kB")?.trim().parse::<u64>().ok()?;
            kb.checked_mul(1024)
        })
    };
    MemoryStats {
        rss: field("VmRSS"),
        peak_rss: field("VmHWM"),
        virtual_size: field("VmSize"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_status_is_read_in_bytes() {
        let text = "Name:\toxydra\nVmPeak:\t  9000 kB\nVmSize:\t  8000 kB\nVmHWM:\t  3000 kB\n\
                    VmRSS:\t  2000 kB\nThreads:\t4\n";
        assert_eq!(
            parse_proc_status(text),
            MemoryStats {
                rss: Some(2000 * 1024),
                peak_rss: Some(3000 * 1024),
                virtual_size: Some(8000 * 1024),
            }
        );
        assert_eq!(parse_proc_status("garbage"), MemoryStats::default());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_has_a_resident_set() {
        let memory = memory();
        assert!(memory.rss.is_some_and(|rss| rss > 0), "{memory:?}");
    }
}
