//! Free ports for the local IKE's servers, chosen below the kernel's ephemeral range.
//!
//! A port is chosen, released, and bound again by the server a moment later. A port from the
//! ephemeral range (what binding port 0 hands out) can be taken in that moment by any outgoing
//! connection of any process, and the e2e tests' clients make hundreds: a controller then failed
//! with "Address already in use". Below the range no connection takes one; ports this process
//! handed out are not handed out again (a cursor walks the window from a start that differs
//! between processes), and each is bound once before it is handed out, so a port another server
//! holds is passed over.

use std::io;
use std::net::{Ipv4Addr, TcpListener};
use std::sync::Mutex;

/// The lowest port handed out.
const LOWEST: u16 = 10_000;
/// The fewest ports a window may have; with fewer, the kernel chooses (port 0).
const SMALLEST_WINDOW: u16 = 1_000;

/// Where the cursor is in the window, once started.
static CURSOR: Mutex<Option<u16>> = Mutex::new(None);

/// `N` distinct free ports on 127.0.0.1, each bound once and released.
pub fn free_ports<const N: usize>() -> io::Result<[u16; N]> {
    let mut ports = [0; N];
    let Some((low, high)) = window(ephemeral_range()) else {
        // No room below or above the ephemeral range: the kernel's choice, all bound at once.
        let held = (0..N)
            .map(|_| TcpListener::bind((Ipv4Addr::LOCALHOST, 0)))
            .collect::<io::Result<Vec<_>>>()?;
        for (port, listener) in ports.iter_mut().zip(&held) {
            *port = listener.local_addr()?.port();
        }
        return Ok(ports);
    };
    let span = high - low + 1;
    let mut cursor = CURSOR.lock().unwrap_or_else(|p| p.into_inner());
    let mut at = cursor.unwrap_or_else(|| low + start_offset(span));
    let mut held = Vec::with_capacity(N);
    for port in &mut ports {
        let mut tried = 0;
        loop {
            if tried == span {
                return Err(io::Error::new(
                    io::ErrorKind::AddrInUse,
                    format!("no free port on 127.0.0.1 between {low} and {high}"),
                ));
            }
            let candidate = at;
            at = if at == high { low } else { at + 1 };
            tried += 1;
            if let Ok(listener) = TcpListener::bind((Ipv4Addr::LOCALHOST, candidate)) {
                held.push(listener);
                *port = candidate;
                break;
            }
        }
    }
    *cursor = Some(at);
    Ok(ports)
}

/// The ports ike hands out, given the kernel's ephemeral range: below it from [`LOWEST`], else
/// above it; `None` when neither has [`SMALLEST_WINDOW`] ports.
pub fn window((first, last): (u16, u16)) -> Option<(u16, u16)> {
    if first >= LOWEST && first - LOWEST >= SMALLEST_WINDOW {
        return Some((LOWEST, first - 1));
    }
    if u16::MAX - last >= SMALLEST_WINDOW {
        return Some((last + 1, u16::MAX));
    }
    None
}

/// The kernel's ephemeral port range (`net.ipv4.ip_local_port_range`); Linux's default when it
/// cannot be read.
fn ephemeral_range() -> (u16, u16) {
    let text =
        std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap_or_default();
    let mut numbers = text.split_whitespace().filter_map(|n| n.parse().ok());
    match (numbers.next(), numbers.next()) {
        (Some(first), Some(last)) if first <= last => (first, last),
        _ => (32_768, 60_999),
    }
}

/// Where a process starts in a window of `span` ports: from its pid and the clock, so that two
/// processes choosing at once start far apart.
fn start_offset(span: u16) -> u16 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let mixed = u64::from(std::process::id()).wrapping_mul(2_654_435_761) ^ u64::from(nanos);
    (mixed % u64::from(span)) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_chosen_below_the_ephemeral_range_else_above_it() {
        assert_eq!(window((32_768, 60_999)), Some((10_000, 32_767)));
        assert_eq!(window((1_024, 60_999)), Some((61_000, 65_535)));
        assert_eq!(window((1_024, 65_000)), None);
    }

    #[test]
    fn ports_are_outside_the_ephemeral_range_and_not_handed_out_twice() {
        let (first, last) = ephemeral_range();
        let a: [u16; 3] = free_ports().unwrap();
        let b: [u16; 3] = free_ports().unwrap();
        let all: std::collections::BTreeSet<u16> = a.iter().chain(&b).copied().collect();
        assert_eq!(all.len(), 6, "{a:?} {b:?}");
        assert!(all.iter().all(|p| !(first..=last).contains(p)), "{all:?}");
    }
}
