//! udp-echo's datagrams for more than one, where Linux can show them on
//! one machine: broadcast on loopback (127.255.255.255), the hop limit
//! `--ttl` puts on what is sent (read back with IP_RECVTTL and
//! IPV6_RECVHOPLIMIT), and multicast groups, IPv4 and IPv6, joined and
//! sent to on `--iface`, in a network namespace the test makes for itself
//! (`unshare -rn`, a veth pair) so nothing leaves the machine.

// Test code: a failed unwrap is a failed test with its message.
#![allow(clippy::unwrap_used)]
#![cfg(target_os = "linux")]

use std::net::UdpSocket;
use std::os::fd::AsRawFd;
use std::process::{Command, Stdio};
use std::time::Duration;

use harness::{Capture, Running, peer};

const LIMIT: Duration = Duration::from_secs(30);

fn udp_echo() -> Command {
    Command::new(harness::bin("udp-echo"))
}

fn receiver(args: &[&str]) -> (Running, u16) {
    let mut cmd = udp_echo();
    cmd.args(["-v", "-l"]).args(args).stdin(Stdio::null());
    let run = harness::start(cmd, Capture::Both);
    let port = run.addr_on_stderr("listening on ").port();
    (run, port)
}

#[test]
fn broadcast_needs_b_and_reaches_the_receiver() {
    let (mut run, port) = receiver(&["--count", "1", "0.0.0.0:0"]);
    let mut cmd = udp_echo();
    cmd.args(["-w", "0", "127.255.255.255", &port.to_string()]);
    let out = harness::run(cmd, Some(b"no -b\n"), LIMIT);
    assert_eq!(
        (out.code, out.stderr),
        (
            Some(1),
            format!("udp-echo: send to 127.255.255.255:{port}: permission denied (to a broadcast address, give -b)\n")
        )
    );
    let mut cmd = udp_echo();
    cmd.args(["-b", "-w", "0", "127.255.255.255", &port.to_string()]);
    let out = harness::run(cmd, Some(b"to everyone\n"), LIMIT);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(run.wait_exit(LIMIT).success());
    assert_eq!(run.stdout.as_ref().unwrap().until_end(LIMIT), ["to everyone"]);
}

/// The socket option that asks for each datagram's hop limit, and the
/// control message that carries it.
fn hop_options(v6: bool) -> (libc::c_int, libc::c_int, libc::c_int) {
    if v6 {
        (libc::IPPROTO_IPV6, libc::IPV6_RECVHOPLIMIT, libc::IPV6_HOPLIMIT)
    } else {
        (libc::IPPROTO_IP, libc::IP_RECVTTL, libc::IP_TTL)
    }
}

/// Asks `socket` to hand out each datagram's hop limit.
fn ask_hops(socket: &UdpSocket, v6: bool) {
    let (level, ask, _) = hop_options(v6);
    let on: libc::c_int = 1;
    // SAFETY: setsockopt reads a c_int of the size given from this frame;
    // the descriptor is the test's open socket.
    let rc = unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            level,
            ask,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as u32,
        )
    };
    assert_eq!(rc, 0, "ask for the hop limit");
}

/// Receives one datagram on `socket` (asked with [`ask_hops`]) and the
/// hop limit it came with.
fn recv_with_hops(socket: &UdpSocket, v6: bool) -> (Vec<u8>, i32) {
    let fd = socket.as_raw_fd();
    let (level, _, got) = hop_options(v6);
    socket.set_read_timeout(Some(LIMIT)).unwrap();
    let mut data = vec![0u8; 2048];
    let mut control = [0u64; 16];
    let mut iov = libc::iovec { iov_base: data.as_mut_ptr().cast(), iov_len: data.len() };
    // SAFETY: a zeroed msghdr is a valid empty one; its pointers are set
    // to buffers of this frame that outlive the call.
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = std::mem::size_of_val(&control);
    // SAFETY: recvmsg writes within the buffers msg describes.
    let n = unsafe { libc::recvmsg(fd, &mut msg, 0) };
    assert!(n >= 0, "recvmsg: {}", std::io::Error::last_os_error());
    data.truncate(n as usize);
    let mut hops = -1;
    // SAFETY: the CMSG macros walk the control buffer recvmsg filled, as
    // msg_controllen says; each header's data is read as the c_int the
    // hop-limit messages carry.
    unsafe {
        let mut c = libc::CMSG_FIRSTHDR(&msg);
        while !c.is_null() {
            if (*c).cmsg_level == level && (*c).cmsg_type == got {
                hops = std::ptr::read_unaligned(libc::CMSG_DATA(c).cast::<libc::c_int>());
            }
            c = libc::CMSG_NXTHDR(&msg, c);
        }
    }
    (data, hops)
}

#[test]
fn ttl_is_the_hop_limit_of_what_is_sent() {
    for (bind, v6) in [("127.0.0.1:0", false), ("[::1]:0", true)] {
        let Ok(socket) = UdpSocket::bind(bind) else {
            eprintln!("skipped: no {bind} here");
            continue;
        };
        let addr = socket.local_addr().unwrap();
        ask_hops(&socket, v6);
        let mut cmd = udp_echo();
        cmd.args(["--ttl", "7", "-w", "0", &addr.to_string()]);
        let out = harness::run(cmd, Some(b"seven hops\n"), LIMIT);
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        assert_eq!(recv_with_hops(&socket, v6), (b"seven hops\n".to_vec(), 7), "{bind}");
    }
}

/// The namespace's network: loopback, and a veth pair whose v0 carries
/// 10.9.0.1 and fe80::1 for the groups to be joined and sent on.
const SETUP: &str = "ip link set lo up && ip link add v0 type veth peer name v1 && ip link set v0 up && ip link set v1 up \
    && sysctl -qw net.ipv6.conf.all.accept_dad=0 && ip -6 addr add fe80::1/64 dev v0 nodad && ip addr add 10.9.0.1/24 dev v0";

#[test]
fn multicast_groups_in_a_namespace_of_their_own() {
    if !peer("unshare") || !peer("ip") {
        return;
    }
    if !Command::new("unshare").args(["-rn", "true"]).status().is_ok_and(|s| s.success()) {
        assert!(!harness::peers::required(), "unshare -rn cannot make a network namespace here");
        eprintln!("skipped: unshare -rn cannot make a network namespace here");
        return;
    }
    let me = std::env::current_exe().unwrap();
    let script = format!("{SETUP} && exec \"$0\" --ignored --exact groups_inside_the_namespace --nocapture");
    let out = Command::new("unshare").args(["-rn", "sh", "-c", &script]).arg(&me).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    eprintln!("{text}");
    assert!(out.status.success(), "inside the namespace: {text}");
    assert!(text.contains("test groups_inside_the_namespace ... ok"), "the inside test ran");
}

/// Run by the test above, inside the namespace it made.
#[test]
#[ignore = "runs inside the network namespace multicast_groups_in_a_namespace_of_their_own makes"]
fn groups_inside_the_namespace() {
    for group in ["239.1.2.3", "ff02::1:3"] {
        // Two receivers share the group and its port.
        let (mut first, port) = receiver(&["--join", group, "--iface", "v0", "--count", "1", "0"]);
        let (mut second, _) = receiver(&["--join", group, "--iface", "v0", "--count", "1", &port.to_string()]);
        let mut cmd = udp_echo();
        cmd.args(["--iface", "v0", "--ttl", "1", "-w", "0", group, &port.to_string()]);
        let out = harness::run(cmd, Some(b"hello group\n"), LIMIT);
        assert_eq!(out.code, Some(0), "{group}: {}", out.stderr);
        for (name, run) in [("first", &mut first), ("second", &mut second)] {
            assert!(run.wait_exit(LIMIT).success(), "{group}: {name} receiver");
            assert_eq!(run.stdout.as_ref().unwrap().until_end(LIMIT), ["hello group"], "{group}: {name}");
        }
        // A member answering: the sender takes replies from whoever answers.
        let (_echo, port) = receiver(&["--join", group, "--iface", "v0", "--echo", "0"]);
        let mut cmd = udp_echo();
        cmd.args(["--iface", "v0", "-w", "500ms", group, &port.to_string()]);
        let out = harness::run(cmd, Some(b"anyone there?\n"), LIMIT);
        assert_eq!((out.code, out.stdout.as_slice()), (Some(0), &b"anyone there?\n"[..]), "{group}: {}", out.stderr);
    }
}
