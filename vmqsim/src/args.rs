//! Command-line options of `vmqsim` (hand-parsed: no dependency for a handful of flags).

/// The NIC behind the adapter (`--nic`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Nic {
    /// The driver's software NIC: no device, frames loop back through MiniportSendNetBufferLists.
    #[default]
    Soft,
    /// QEMU's Intel 82576 (igb) attached as a PCI device before the adapter initializes;
    /// traffic comes from its wire (needs QEMU >= 8 with the igb device).
    Igb,
}

impl Nic {
    /// The name on the command line and in the report.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Soft => "soft",
            Self::Igb => "igb",
        }
    }
}

/// What to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// VM queues the simulated vSwitch allocates (`--queues N`).
    pub queues: u32,
    /// Seed of the simulated host (`--seed S`).
    pub seed: u64,
    /// Fail the K-th `NdisAllocateSharedMemory` (`--fail-alloc K`, 1-based).
    pub fail_alloc: Option<u64>,
    /// Fail the K-th pool allocation (`--fail-pool K`, 1-based).
    pub fail_pool: Option<u64>,
    /// Ask for physically contiguous receive memory (`--contiguous`).
    pub contiguous: bool,
    /// Print one JSON object instead of the text report (`--json`).
    pub json: bool,
    /// Frames the traffic source sends through the adapter's wire (`--frames M`).
    pub frames: u64,
    /// Length of each frame in bytes, 60..=9014 (`--frame-size B`; above 1514 vmqsim sets the
    /// adapter's `*JumboPacket` keyword itself, see [`Options::jumbo_packet`]).
    pub frame_size: usize,
    /// Run the fault-injection sweep instead of one lifecycle (`--fail-alloc-all`).
    pub fail_alloc_all: bool,
    /// Run the seeded lifecycle stress instead of one lifecycle (`--stress`).
    pub stress: bool,
    /// Seeds the stress runs: `seed`, `seed + 1`, ... (`--seeds S`).
    pub seeds: u64,
    /// Host actions per stress seed (`--steps K`).
    pub steps: u64,
    /// Run the real `vmqnic.sys` under the x86-64 emulator instead of the driver's Rust
    /// source linked into this program (`--sys PATH`).
    pub sys: Option<String>,
    /// The NIC behind the adapter (`--nic soft|igb`, default soft).
    pub nic: Nic,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            queues: 8,
            seed: 1,
            fail_alloc: None,
            fail_pool: None,
            contiguous: false,
            json: false,
            frames: 0,
            frame_size: 512,
            fail_alloc_all: false,
            stress: false,
            seeds: 10,
            steps: 1000,
            sys: None,
            nic: Nic::Soft,
        }
    }
}

/// Usage text.
pub const USAGE: &str =
    "usage: vmqsim [--nic soft|igb] [--sys vmqnic.sys] [--queues N] [--seed S] [--fail-alloc K] [--fail-pool K] \
     [--contiguous] [--frames M] [--frame-size B] [--json]
       vmqsim --fail-alloc-all [--nic soft|igb] [--queues N] [--frames M per phase] [--seed S] [--json]
       vmqsim --stress [--nic soft|igb] [--seeds S] [--steps K] [--seed FIRST] [--json]";

fn number<T: std::str::FromStr>(flag: &str, value: Option<String>) -> Result<T, String> {
    let value = value.ok_or_else(|| format!("{flag} needs a value"))?;
    value.parse().map_err(|_| format!("{flag}: not a number: {value}"))
}

impl Options {
    /// Parses `args` (without the program name).
    ///
    /// # Errors
    /// A message naming the bad flag.
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut options = Self::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--queues" => options.queues = number(&arg, args.next())?,
                "--seed" => options.seed = number(&arg, args.next())?,
                "--fail-alloc" => options.fail_alloc = Some(number(&arg, args.next())?),
                "--fail-pool" => options.fail_pool = Some(number(&arg, args.next())?),
                "--contiguous" => options.contiguous = true,
                "--sys" => options.sys = Some(args.next().ok_or("--sys needs a path")?),
                "--frames" => options.frames = number(&arg, args.next())?,
                "--frame-size" => options.frame_size = number(&arg, args.next())?,
                "--json" => options.json = true,
                "--fail-alloc-all" => options.fail_alloc_all = true,
                "--stress" => options.stress = true,
                "--seeds" => options.seeds = number(&arg, args.next())?,
                "--steps" => options.steps = number(&arg, args.next())?,
                "--nic" => {
                    options.nic = match args.next().as_deref() {
                        Some("soft") => Nic::Soft,
                        Some("igb") => Nic::Igb,
                        Some(other) => return Err(format!("--nic: unknown NIC {other} (soft or igb)")),
                        None => return Err("--nic needs a value: soft or igb".to_string()),
                    }
                }
                "-h" | "--help" => return Err(USAGE.to_string()),
                other => return Err(format!("unknown option {other}\n{USAGE}")),
            }
        }
        if options.fail_alloc == Some(0) || options.fail_pool == Some(0) {
            return Err("--fail-alloc/--fail-pool count from 1".to_string());
        }
        if options.fail_alloc_all && options.stress {
            return Err("--fail-alloc-all and --stress are separate runs".to_string());
        }
        if !(60..=MAX_FRAME_SIZE).contains(&options.frame_size) {
            return Err(format!(
                "--frame-size must be within 60..={MAX_FRAME_SIZE} (above 1514 vmqsim sets the adapter's *JumboPacket \
                 keyword to 4088 or 9014)"
            ));
        }
        if options.nic == Nic::Igb && options.frame_size > STANDARD_FRAME_SIZE {
            return Err(format!(
                "--frame-size {} with --nic igb: the 82576 back end keeps 1514-byte frames whatever *JumboPacket says",
                options.frame_size
            ));
        }
        Ok(options)
    }

    /// The `*JumboPacket` keyword the adapter gets: the smallest standardized value (1514, 4088,
    /// 9014) that carries `--frame-size` (the traffic source's frame length, an 802.1Q tag
    /// included); `None` for 1514, the keyword's default, which vmqsim leaves unset.
    #[must_use]
    pub fn jumbo_packet(&self) -> Option<u32> {
        JUMBO_PACKET_VALUES
            .into_iter()
            .find(|&v| v as usize >= self.frame_size)
            .filter(|&v| v as usize > STANDARD_FRAME_SIZE)
    }
}

/// Longest `--frame-size`: a 9014-byte jumbo frame.
pub const MAX_FRAME_SIZE: usize = 9014;
/// Frame size of a standard Ethernet adapter (no jumbo frames).
pub const STANDARD_FRAME_SIZE: usize = 1514;
/// The standardized `*JumboPacket` values ("Standardized INF Keywords for Jumbo Packet").
pub const JUMBO_PACKET_VALUES: [u32; 3] = [1514, 4088, 9014];

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{Nic, Options};

    fn parse(args: &[&str]) -> Result<Options, String> {
        Options::parse(args.iter().map(|s| (*s).to_string()))
    }

    #[test]
    fn parses_flags_and_rejects_bad_ones() {
        let o = parse(&["--queues", "3", "--seed", "9", "--fail-alloc", "2", "--json"]);
        assert_eq!(o, Ok(Options { queues: 3, seed: 9, fail_alloc: Some(2), json: true, ..Options::default() }));
        assert!(parse(&["--queues"]).is_err());
        assert!(parse(&["--queues", "x"]).is_err());
        assert!(parse(&["--fail-alloc", "0"]).is_err());
        assert!(parse(&["--bogus"]).is_err());
        let o = parse(&["--stress", "--seeds", "3", "--steps", "50", "--seed", "7"]).unwrap();
        assert_eq!((o.stress, o.seeds, o.steps, o.seed), (true, 3, 50, 7));
        assert!(parse(&["--fail-alloc-all"]).unwrap().fail_alloc_all);
        assert!(parse(&["--fail-alloc-all", "--stress"]).is_err());
        assert_eq!(parse(&["--frame-size", "1514"]).unwrap().jumbo_packet(), None);
        assert_eq!(parse(&["--frame-size", "1515"]).unwrap().jumbo_packet(), Some(4088));
        assert_eq!(parse(&["--frame-size", "4088"]).unwrap().jumbo_packet(), Some(4088));
        assert_eq!(parse(&["--frame-size", "9014"]).unwrap().jumbo_packet(), Some(9014));
        assert!(parse(&["--frame-size", "9015"]).is_err());
        assert!(parse(&["--frame-size", "59"]).is_err());
        assert!(parse(&["--nic", "igb", "--frame-size", "4088"]).is_err());
    }

    #[test]
    fn nic_defaults_to_soft_and_takes_igb() {
        assert_eq!(parse(&[]).unwrap().nic, Nic::Soft);
        assert_eq!(parse(&["--nic", "soft"]).unwrap().nic, Nic::Soft);
        let o = parse(&["--nic", "igb", "--sys", "x.sys", "--json"]).unwrap();
        assert_eq!((o.nic, o.sys.as_deref(), o.json), (Nic::Igb, Some("x.sys"), true));
        assert!(parse(&["--nic", "igb", "--fail-alloc-all"]).unwrap().fail_alloc_all);
        assert!(parse(&["--nic", "igb", "--stress"]).unwrap().stress);
        assert!(parse(&["--nic"]).is_err());
        assert!(parse(&["--nic", "e1000"]).unwrap_err().contains("e1000"));
        assert_eq!(Nic::Igb.name(), "igb");
    }
}
