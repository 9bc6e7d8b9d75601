//! The command line (doc comments are the `--help` text). Which words mean
//! what is `shared::net::words`' (the same in tcp-echo); options brought
//! from nc, ncat and socat are [`crate::habits`]'.

use std::net::IpAddr;
use std::time::Duration;

use clap::Parser;
use shared::generate::{Guide, Kind, KindParser};
use shared::net::addr::Family;
use shared::net::words::Words;

/// The examples, notes and exit statuses: `--help` shows them after the
/// options, and they are the manual page's last sections.
pub const GUIDE: Guide = Guide {
    examples: &[
        ("echo ping | udp-echo host 7007", "send: a datagram per line, print the replies"),
        ("udp-echo --chunk 1400 host:9000 < file.bin", "send binary data in datagrams of 1400 bytes"),
        ("udp-echo -l 9000", "receive: print what arrives; typed lines go to the latest sender"),
        ("udp-echo -l --echo 7007", "echo service: every sender gets its own datagrams back"),
        ("udp-echo -l --count 100 127.0.0.1:0", "receive 100 datagrams, then exit"),
        ("echo ping | udp-echo -U /tmp/echo.sock", "a Unix datagram socket (-l -U PATH to receive on one)"),
        ("udp-echo -z 127.0.0.1 53 123", "probe: open|filtered, or closed (ICMP port unreachable)"),
        ("udp-echo -l --join 239.1.2.3 5000", "receive a multicast group (--iface NAME to choose where)"),
        ("echo hi | udp-echo -b 192.168.1.255 9", "broadcast (replies from whoever answers)"),
    ],
    notes: &[(
        "Where an option means something else in nc or ncat",
        "  -w  how long the sender waits for replies after stdin ends (nc's -w is a
      timeout for connects and final reads; ncat's, a connect timeout);
      a bare number is seconds
  -p  with -l the port to receive on, else the local port to send from (as nc)
  -U  takes the socket's path as its value (nc takes it as the address)
  -u  accepted and ignored: udp-echo always speaks UDP
  -k  accepted and ignored with -l: the receiver always answers every sender",
    )],
    exit_status: &[
        (
            "0",
            "success (sender: stdin sent and --wait passed quietly; receiver: --count reached; -z: a port not closed)",
        ),
        (
            "1",
            "network trouble: no one is listening on HOST:PORT (an ICMP port unreachable came back), a line too \
             long for one datagram, bind or resolve failure; -z: every port closed",
        ),
        ("2", "bad usage: one line on stderr"),
    ],
};

/// A UDP sender and receiver: each datagram is answered to where it came
/// from, any number of peers at once, and nothing is ever truncated.
#[derive(Debug, Parser)]
#[command(name = "udp-echo", version, after_help = GUIDE.after_help())]
pub struct Cli {
    /// HOST PORT (or HOST:PORT) to send to; with -l, [ADDR] PORT (or
    /// [ADDR:]PORT) to receive on.
    #[arg(value_name = "ADDRESS")]
    pub args: Vec<String>,

    /// Receive instead of sending.
    #[arg(short, long)]
    pub listen: bool,

    /// Probe: send one empty datagram to each port and report it
    /// open|filtered, or closed when an ICMP port unreachable comes back
    /// within -w (HOST PORT[-PORT]..., several hosts in a row).
    #[arg(short = 'z', conflicts_with_all = ["listen", "chunk"])]
    pub zero_io: bool,

    /// With -l: send each datagram back to where it came from; stdin is not read.
    #[arg(long, requires = "listen")]
    pub echo: bool,

    /// With -l: exit after N datagrams have arrived.
    #[arg(long, value_name = "N", requires = "listen")]
    pub count: Option<u64>,

    /// With -l: take datagrams only from peers in this address or CIDR
    /// block (10.0.0.0/8, fe80::/10); repeatable. Others are dropped.
    #[arg(long, value_name = "CIDR", requires = "listen")]
    pub allow: Vec<String>,

    /// With -l: drop datagrams from peers in this address or CIDR block,
    /// whatever --allow says; repeatable.
    #[arg(long, value_name = "CIDR", requires = "listen")]
    pub deny: Vec<String>,

    /// Allow sending to a broadcast address (255.255.255.255, a subnet's
    /// last address); replies are taken from whoever answers.
    #[arg(short = 'b', long = "broadcast", conflicts_with_all = ["listen", "unix"])]
    pub broadcast: bool,

    /// With -l: join this multicast group (IPv4 or IPv6) and receive its
    /// datagrams on PORT, on every address of the group's family.
    #[arg(long, value_name = "GROUP", requires = "listen", conflicts_with = "unix", value_parser = group)]
    pub join: Option<IpAddr>,

    /// The interface (by name: eth0, en0) --join joins on, or a sender to
    /// a multicast group sends from; the system's choice without it.
    #[arg(long, value_name = "NAME", conflicts_with = "unix")]
    pub iface: Option<String>,

    /// The hop limit of what is sent, unicast and multicast (1 to 255; 1
    /// keeps multicast on the local network).
    #[arg(long, value_name = "N", conflicts_with = "unix", value_parser = clap::value_parser!(u32).range(1..=255))]
    pub ttl: Option<u32>,

    /// Send stdin in datagrams of up to N bytes instead of one per line.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=65527))]
    pub chunk: Option<u32>,

    /// After stdin ends, keep printing replies until this long passes with
    /// nothing new (0: exit at once; a bare number is seconds). With -z,
    /// how long to wait for each port's answer.
    #[arg(short, long, default_value = "1s", value_name = "DURATION", value_parser = shared::seconds::zero_or_more)]
    pub wait: Duration,

    /// With -l: the port to receive on (nc's -l -p PORT); when sending, the
    /// local port to send from.
    #[arg(short = 'p', long = "port", visible_alias = "source-port", value_name = "PORT", value_parser = shared::net::parse_port)]
    pub port: Option<u16>,

    /// With -l: the address to receive on; when sending, the local address
    /// to send from.
    #[arg(short = 's', long = "source", value_name = "ADDR")]
    pub source: Option<String>,

    /// A Unix datagram socket instead of UDP: the path to send to or
    /// receive on (@name: a Linux abstract name). The sender binds a path
    /// of its own in the temporary folder for replies, and removes it at
    /// the end. Not on Windows.
    #[arg(short = 'U', long = "unixsock", value_name = "PATH", conflicts_with_all = ["port", "source", "numeric", "ipv4", "ipv6", "zero_io"])]
    pub unix: Option<std::path::PathBuf>,

    /// Numeric addresses only: a host name is a usage error, nothing is
    /// looked up.
    #[arg(short = 'n', long = "nodns")]
    pub numeric: bool,

    /// Accepted for netcat habits (nc -u): udp-echo always speaks UDP.
    #[arg(short = 'u', long = "udp", hide = true)]
    pub netcat_u: bool,

    /// Accepted for netcat habits (nc -u -l -k): the receiver always
    /// answers every sender.
    #[arg(short = 'k', long = "keep-open", hide = true, requires = "listen")]
    pub netcat_k: bool,

    /// IPv4 only.
    #[arg(short = '4', conflicts_with = "ipv6")]
    pub ipv4: bool,

    /// IPv6 only.
    #[arg(short = '6')]
    pub ipv6: bool,

    /// On stderr: `listening on ADDR`, and `from ADDR: N bytes` per datagram.
    #[arg(short, long)]
    pub verbose: bool,

    /// Print the manual page or a shell's completion script, and exit.
    #[arg(long, value_name = "KIND", value_parser = KindParser, exclusive = true, hide_short_help = true,
          long_help = shared::generate::HELP)]
    pub generate: Option<Kind>,
    /// Show each socket call on stderr as it happens (socket, bind,
    /// connect, sendto, recvfrom, send, recv), with its real values.
    #[arg(long)]
    pub trace: bool,
}

/// `--join`'s value: a multicast address.
fn group(s: &str) -> Result<IpAddr, String> {
    let ip: IpAddr =
        s.trim_start_matches('[').trim_end_matches(']').parse().map_err(|_| "expected an IP address".to_string())?;
    if !ip.is_multicast() {
        return Err("not a multicast group (224.0.0.0/4, ff00::/8)".to_string());
    }
    Ok(ip)
}

impl Cli {
    /// The address family asked for.
    pub fn family(&self) -> Family {
        Family::from_flags(self.ipv4, self.ipv6)
    }

    /// The address parts: the words, `-p`, `-s` and `-n`.
    pub fn words(&self) -> Words<'_> {
        Words { words: &self.args, port: self.port, source: self.source.as_deref(), numeric: self.numeric }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let ok = |args: &[&str]| Cli::try_parse_from(std::iter::once("udp-echo").chain(args.iter().copied())).is_ok();
        let cases: &[(&[&str], bool)] = &[
            (&["h:1"], true),
            (&["h", "1"], true),
            (&["-u", "h", "1"], true),
            (&["-ulk", "9000"], true),
            (&["-k", "h:1"], false),
            (&["-lp", "9000"], true),
            (&["-p", "4000", "-s", "127.0.0.1", "h", "1"], true),
            (&["-w", "2", "h:1"], true),
            (&["-z", "h", "53", "123"], true),
            (&["-z", "-l", "53"], false),
            (&["-b", "--ttl", "1", "255.255.255.255", "9"], true),
            (&["-l", "--join", "239.1.2.3", "--iface", "eth0", "5000"], true),
            (&["-l", "--join", "ff02::1:3", "5000"], true),
            (&["-l", "--join", "10.0.0.1", "5000"], false),
            (&["--join", "239.1.2.3", "5000"], false),
            (&["--ttl", "0", "h", "9"], false),
            (&["--ttl", "256", "h", "9"], false),
            (&["-b", "-l", "9"], false),
            (&["-l", "9000"], true),
            (&["--echo", "h:1"], false),
            (&["-l", "--echo", "--count", "5", "0"], true),
            (&["--count", "5", "h:1"], false),
            (&["--chunk", "0", "h:1"], false),
            (&["--chunk", "65528", "h:1"], false),
            (&["--chunk", "1400", "h:1"], true),
            (&["-w", "0", "h:1"], true),
            (&["-w", "250ms", "h:1"], true),
            (&["-w", "soon", "h:1"], false),
        ];
        for (args, want) in cases {
            assert_eq!(ok(args), *want, "{args:?}");
        }
    }
}
