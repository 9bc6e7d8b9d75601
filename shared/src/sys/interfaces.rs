//! The machine's network interfaces and their addresses: `getifaddrs` on
//! Unix, `GetAdaptersAddresses` on Windows. A server bound to every
//! interface uses them to print the addresses a browser on another machine
//! can reach; a multicast receiver finds an interface's index by its name.

use std::io;
use std::net::IpAddr;

/// One network interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interface {
    /// Its name (`eth0`, `en0`; on Windows the friendly name, `Ethernet`).
    pub name: String,
    /// Its index, for IPv6 scopes and multicast.
    pub index: u32,
    /// Administratively up.
    pub up: bool,
    /// Up and carrying traffic (a cable in, an association made).
    pub running: bool,
    /// The loopback interface.
    pub loopback: bool,
    /// Its IPv4 and IPv6 addresses.
    pub addrs: Vec<IpAddr>,
}

impl Interface {
    /// True when other machines may reach it: up, running, not loopback.
    pub fn reachable(&self) -> bool {
        self.up && self.running && !self.loopback
    }
}

/// Every interface, with its addresses, in the system's order.
pub fn interfaces() -> io::Result<Vec<Interface>> {
    imp::interfaces()
}

/// The index of the interface named `name` (for `--iface NAME`).
pub fn index_of(name: &str) -> io::Result<u32> {
    interfaces()?
        .into_iter()
        .find(|i| i.name == name)
        .map(|i| i.index)
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("no interface named `{name}`")))
}

/// Adds `addr` to the interface called `name`, making the interface when
/// it is new: getifaddrs reports one entry per address.
fn add(list: &mut Vec<Interface>, name: String, index: u32, flags: (bool, bool, bool), addr: Option<IpAddr>) {
    let pos = match list.iter().position(|i| i.name == name) {
        Some(p) => p,
        None => {
            let (up, running, loopback) = flags;
            list.push(Interface { name, index, up, running, loopback, addrs: Vec::new() });
            list.len() - 1
        }
    };
    if let Some(a) = addr
        && !list[pos].addrs.contains(&a)
    {
        list[pos].addrs.push(a);
    }
}

#[cfg(unix)]
mod imp {
    use super::{Interface, add};
    use std::ffi::CStr;
    use std::io;
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

    pub fn interfaces() -> io::Result<Vec<Interface>> {
        let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
        // SAFETY: getifaddrs writes a list it allocates into `head`; it is
        // freed below with freeifaddrs, once.
        if unsafe { libc::getifaddrs(&mut head) } != 0 {
            return Err(io::Error::last_os_error());
        }
        let mut list = Vec::new();
        let mut cursor = head;
        while !cursor.is_null() {
            // SAFETY: `cursor` is a node of the list getifaddrs made, not
            // yet freed.
            let node = unsafe { &*cursor };
            cursor = node.ifa_next;
            if node.ifa_name.is_null() {
                continue;
            }
            // SAFETY: ifa_name is a NUL-terminated name owned by the list.
            let name = unsafe { CStr::from_ptr(node.ifa_name) };
            // SAFETY: as above, the same NUL-terminated name.
            let index = unsafe { libc::if_nametoindex(node.ifa_name) };
            let flags = node.ifa_flags;
            let has = |flag: libc::c_int| flags & flag as libc::c_uint != 0;
            let addr = ip_of(node.ifa_addr);
            let flags = (has(libc::IFF_UP), has(libc::IFF_RUNNING), has(libc::IFF_LOOPBACK));
            add(&mut list, name.to_string_lossy().into_owned(), index, flags, addr);
        }
        // SAFETY: `head` came from getifaddrs and is freed once; no
        // reference into the list outlives this.
        unsafe { libc::freeifaddrs(head) };
        Ok(list)
    }

    /// The IP address in a `sockaddr`, if it holds one.
    fn ip_of(sa: *const libc::sockaddr) -> Option<IpAddr> {
        if sa.is_null() {
            return None;
        }
        // SAFETY: a non-null ifa_addr points to a sockaddr of at least the
        // size its family says; only that family's struct is read.
        unsafe {
            match i32::from((*sa).sa_family) {
                libc::AF_INET => {
                    let v4 = &*(sa as *const libc::sockaddr_in);
                    Some(IpAddr::V4(Ipv4Addr::from(u32::from_be(v4.sin_addr.s_addr))))
                }
                libc::AF_INET6 => {
                    let v6 = &*(sa as *const libc::sockaddr_in6);
                    Some(IpAddr::V6(Ipv6Addr::from(v6.sin6_addr.s6_addr)))
                }
                _ => None,
            }
        }
    }
}

#[cfg(windows)]
mod imp {
    use super::{Interface, add};
    use std::io;
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
    use windows_sys::Win32::NetworkManagement::IpHelper::{
        GAA_FLAG_SKIP_ANYCAST, GAA_FLAG_SKIP_DNS_SERVER, GAA_FLAG_SKIP_MULTICAST, GetAdaptersAddresses,
        IP_ADAPTER_ADDRESSES_LH,
    };
    use windows_sys::Win32::NetworkManagement::Ndis::IfOperStatusUp;
    use windows_sys::Win32::Networking::WinSock::{AF_INET, AF_INET6, AF_UNSPEC, SOCKADDR, SOCKADDR_IN, SOCKADDR_IN6};

    /// IF_TYPE_SOFTWARE_LOOPBACK.
    const LOOPBACK: u32 = 24;
    /// ERROR_BUFFER_OVERFLOW: the buffer was too small; the size is given.
    const BUFFER_OVERFLOW: u32 = 111;

    pub fn interfaces() -> io::Result<Vec<Interface>> {
        let flags = GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER;
        // u64 words keep the buffer aligned for the structures written in.
        let mut buf: Vec<u64> = vec![0; 16 * 1024 / 8];
        for _ in 0..4 {
            let mut size = u32::try_from(buf.len() * 8).unwrap_or(u32::MAX);
            let head = buf.as_mut_ptr().cast::<IP_ADAPTER_ADDRESSES_LH>();
            // SAFETY: `head` points to `size` writable bytes, aligned for
            // the structure; nothing else is passed by pointer.
            let rc = unsafe { GetAdaptersAddresses(u32::from(AF_UNSPEC), flags, std::ptr::null(), head, &mut size) };
            if rc == BUFFER_OVERFLOW {
                buf = vec![0; (size as usize).div_ceil(8) + 1];
                continue;
            }
            if rc != 0 {
                return Err(io::Error::from_raw_os_error(rc as i32));
            }
            return Ok(read(head));
        }
        Err(io::Error::other("the interface list kept growing"))
    }

    fn read(head: *const IP_ADAPTER_ADDRESSES_LH) -> Vec<Interface> {
        let mut list = Vec::new();
        let mut cursor = head;
        while !cursor.is_null() {
            // SAFETY: `cursor` is a node of the list GetAdaptersAddresses
            // wrote into our buffer, which is still alive.
            let node = unsafe { &*cursor };
            cursor = node.Next;
            let name = wide(node.FriendlyName);
            // SAFETY: the union's two views have the same layout; reading
            // the index through the struct view is what the API documents.
            let index = unsafe { node.Anonymous1.Anonymous.IfIndex };
            let up = node.OperStatus == IfOperStatusUp;
            let loopback = node.IfType == LOOPBACK;
            add(&mut list, name.clone(), index, (up, up, loopback), None);
            let mut unicast = node.FirstUnicastAddress;
            while !unicast.is_null() {
                // SAFETY: a node of the adapter's unicast list, in our buffer.
                let entry = unsafe { &*unicast };
                unicast = entry.Next;
                add(&mut list, name.clone(), index, (up, up, loopback), ip_of(entry.Address.lpSockaddr));
            }
        }
        list
    }

    /// A NUL-terminated UTF-16 string.
    fn wide(p: *const u16) -> String {
        if p.is_null() {
            return String::new();
        }
        let mut len = 0;
        // SAFETY: `p` is a NUL-terminated string inside our buffer; each
        // read is before the NUL.
        while unsafe { *p.add(len) } != 0 {
            len += 1;
        }
        // SAFETY: the `len` units before the NUL are readable.
        String::from_utf16_lossy(unsafe { std::slice::from_raw_parts(p, len) })
    }

    /// The IP address in a `SOCKADDR`, if it holds one.
    fn ip_of(sa: *const SOCKADDR) -> Option<IpAddr> {
        if sa.is_null() {
            return None;
        }
        // SAFETY: a non-null lpSockaddr points to a socket address of the
        // size its family says; only that family's struct is read.
        unsafe {
            match (*sa).sa_family {
                AF_INET => {
                    let v4 = &*(sa as *const SOCKADDR_IN);
                    Some(IpAddr::V4(Ipv4Addr::from(u32::from_be(v4.sin_addr.S_un.S_addr))))
                }
                AF_INET6 => {
                    let v6 = &*(sa as *const SOCKADDR_IN6);
                    Some(IpAddr::V6(Ipv6Addr::from(v6.sin6_addr.u.Byte)))
                }
                _ => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_is_listed_with_its_address() {
        let all = interfaces().unwrap();
        let lo = all.iter().find(|i| i.loopback).expect("a loopback interface");
        assert!(lo.addrs.iter().any(IpAddr::is_loopback), "{lo:?}");
        assert!(!lo.reachable());
        assert_eq!(index_of(&lo.name).unwrap(), lo.index);
        assert!(index_of("no-such-interface-here").is_err());
    }
}
