//! [`QemuProcess`]: one QEMU with an igb NIC, driven over qtest, for one simulated host.
//!
//! Per instance (named `vmqnic-qemu-PID-N`): a directory under the temp dir with the qtest and
//! QMP unix sockets, the halting firmware and QEMU's stderr; the guest-RAM file in `/dev/shm`;
//! two loopback UDP ports for the wire. `Drop` kills and reaps QEMU and removes the files, also
//! when a test panics (Drop runs on unwind). A process killed outright runs no `Drop`: QEMU
//! then dies with it (`exit-with-parent`, or PR_SET_PDEATHSIG through util-linux's `setpriv`
//! where QEMU lacks that option), and the next process to start a QEMU removes the files of
//! instances whose process is gone.

use std::fs::{self, File, OpenOptions};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use super::error::QemuError;
use super::find::{QemuBinary, find_qemu};
use super::qmp::Qmp;
use super::qtest::Qtest;
use super::ram_map::RamMap;
use super::wire::{Wire, bind_loopback, free_port};

/// The netdev id of the NIC's backend (the name `set_link` takes).
pub const NETDEV_ID: &str = "n0";

/// How to start QEMU.
#[derive(Debug, Clone)]
pub struct QemuOptions {
    /// Guest RAM in MiB (the `/dev/shm` file is sparse: only touched pages cost memory).
    pub ram_mib: u32,
    /// The NIC's permanent MAC address (RAL0/RAH0 after reset).
    pub mac: [u8; 6],
    /// Bound on spawn → qtest connected → QMP ready.
    pub start_timeout: Duration,
    /// Bound on each qtest or QMP reply.
    pub reply_timeout: Duration,
}

impl Default for QemuOptions {
    fn default() -> Self {
        Self {
            ram_mib: 64,
            mac: [0x52, 0x54, 0x00, 0x12, 0x34, 0x56],
            start_timeout: Duration::from_secs(20),
            reply_timeout: Duration::from_secs(10),
        }
    }
}

/// What starting QEMU cost.
#[derive(Debug, Clone, Copy, Default)]
pub struct StartTimings {
    /// Spawn → QEMU connected to the qtest socket.
    pub qtest_connected: Duration,
    /// Spawn → QMP in command mode.
    pub qmp_ready: Duration,
}

/// The files and the child of one instance; removing and reaping them is this value's `Drop`.
#[derive(Debug)]
struct Instance {
    dir: PathBuf,
    ram_path: PathBuf,
    child: Option<Child>,
}

impl Instance {
    fn new() -> Result<Self, QemuError> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        static SWEPT: std::sync::Once = std::sync::Once::new();
        SWEPT.call_once(remove_stale_instances);
        let name = format!("vmqnic-qemu-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let dir = std::env::temp_dir().join(&name);
        let ram_path = Path::new("/dev/shm").join(format!("{name}.ram"));
        let instance = Self { dir, ram_path, child: None };
        fs::create_dir_all(&instance.dir).map_err(QemuError::io("create the instance directory"))?;
        Ok(instance)
    }

    fn stderr(&self) -> String {
        let text = fs::read_to_string(self.dir.join("stderr.log")).unwrap_or_default();
        let start = text.len().saturating_sub(2000);
        text.get(start..).unwrap_or(&text).trim().to_owned()
    }

    /// `Exited` when the child has exited.
    fn check_alive(&mut self) -> Result<(), QemuError> {
        let Some(child) = self.child.as_mut() else { return Ok(()) };
        match child.try_wait() {
            Ok(Some(status)) => Err(QemuError::Exited { status: status.to_string(), stderr: self.stderr() }),
            Ok(None) => Ok(()),
            Err(source) => Err(QemuError::Io { what: "wait for QEMU", source }),
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = fs::remove_file(&self.ram_path);
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// A running QEMU with an igb NIC: qtest and QMP sessions and the wire (guest RAM is mapped by
/// [`QemuProcess::start`] and handed back beside it).
#[derive(Debug)]
pub struct QemuProcess {
    /// The qtest session (MMIO, port I/O).
    pub qtest: Qtest,
    /// The QMP session (link state).
    pub qmp: Qmp,
    /// The NIC's cable.
    pub wire: Wire,
    /// What starting cost.
    pub timings: StartTimings,
    instance: Instance,
}

/// 64 KiB of `hlt`: the vCPU halts at the reset vector, so nothing but qtest touches the machine.
const HALT_FIRMWARE_LEN: usize = 64 * 1024;

fn command(qemu: &QemuBinary, instance: &Instance, options: &QemuOptions, ports: (u16, u16)) -> Command {
    let dir = &instance.dir;
    let m = options.mac;
    let mut cmd = match (&qemu.exit_with_parent, setpriv()) {
        // Debian's QEMU 10 has no `exit-with-parent`: util-linux's setpriv sets
        // PR_SET_PDEATHSIG (SIGKILL) and execs QEMU in the same process, so a test process
        // killed outright (a panic that aborts, a CI timeout) leaves no QEMU behind.
        (false, Some(setpriv)) => {
            let mut cmd = Command::new(setpriv);
            cmd.args(["--pdeathsig", "KILL", "--"]).arg(&qemu.path);
            cmd
        }
        _ => Command::new(&qemu.path),
    };
    cmd.arg("-qtest")
        .arg(format!("unix:{}", dir.join("qtest.sock").display()))
        .arg("-qmp")
        .arg(format!("unix:{},server=on,wait=off", dir.join("qmp.sock").display()))
        .args(["-machine", "q35,memory-backend=ram", "-accel", "tcg", "-display", "none", "-nodefaults"])
        .arg("-bios")
        .arg(dir.join("halt.bin"))
        .arg("-m")
        .arg(format!("{}M", options.ram_mib))
        .arg("-object")
        .arg(format!(
            "memory-backend-file,id=ram,size={}M,mem-path={},share=on",
            options.ram_mib,
            instance.ram_path.display()
        ))
        .arg("-device")
        .arg(format!(
            "igb,id=nic0,netdev={NETDEV_ID},mac={:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            m[0], m[1], m[2], m[3], m[4], m[5]
        ))
        .arg("-netdev")
        .arg(format!(
            "dgram,id={NETDEV_ID},local.type=inet,local.host=127.0.0.1,local.port={},\
             remote.type=inet,remote.host=127.0.0.1,remote.port={}",
            ports.0, ports.1
        ));
    if qemu.exit_with_parent {
        // QEMU dies with the thread that started it even if this process is killed outright
        // (PR_SET_PDEATHSIG follows the spawning thread: drop the device on that thread).
        cmd.args(["-run-with", "exit-with-parent=on"]);
    }
    cmd
}

/// Removes what instances of processes that no longer exist left behind (a process killed
/// outright cannot run `Drop`): their directories and their guest-RAM files in /dev/shm.
fn remove_stale_instances() {
    let stale = |name: &str| {
        let Some(rest) = name.strip_prefix("vmqnic-qemu-") else { return false };
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        pid.is_some_and(|pid| pid != std::process::id() && !Path::new("/proc").join(pid.to_string()).exists())
    };
    for dir in [std::env::temp_dir(), PathBuf::from("/dev/shm")] {
        let Ok(entries) = fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            if entry.file_name().to_str().is_some_and(stale) {
                let path = entry.path();
                let _ = if path.is_dir() { fs::remove_dir_all(&path) } else { fs::remove_file(&path) };
            }
        }
    }
}

/// util-linux's `setpriv`, when installed (Debian's base system has it).
fn setpriv() -> Option<&'static std::path::Path> {
    ["/usr/bin/setpriv", "/bin/setpriv"].into_iter().map(std::path::Path::new).find(|p| p.is_file())
}

/// Waits (bounded by `deadline`) for QEMU to connect to the qtest socket, watching for its exit.
fn accept(
    listener: &UnixListener,
    instance: &mut Instance,
    deadline: Instant,
    timeout: Duration,
) -> Result<UnixStream, QemuError> {
    listener.set_nonblocking(true).map_err(QemuError::io("make the qtest socket non-blocking"))?;
    loop {
        match listener.accept() {
            Ok((stream, _)) => return Ok(stream),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(source) => return Err(QemuError::Io { what: "accept the qtest connection", source }),
        }
        instance.check_alive()?;
        if Instant::now() >= deadline {
            return Err(QemuError::Timeout { what: "QEMU to connect to the qtest socket", after: timeout });
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

impl QemuProcess {
    /// Starts QEMU. The UDP port QEMU binds is picked free just before; if another process takes
    /// it in between, QEMU exits and the start is retried with new ports.
    pub(crate) fn start(options: &QemuOptions) -> Result<(Self, RamMap), QemuError> {
        let mut attempt = 1;
        loop {
            match Self::start_once(options) {
                Err(QemuError::Exited { stderr, .. }) if stderr.contains("in use") && attempt < 3 => attempt += 1,
                other => return other,
            }
        }
    }

    fn start_once(options: &QemuOptions) -> Result<(Self, RamMap), QemuError> {
        let qemu = find_qemu()?;
        let mut instance = Instance::new()?;
        fs::write(instance.dir.join("halt.bin"), [0xF4u8; HALT_FIRMWARE_LEN])
            .map_err(QemuError::io("write the halting firmware"))?;
        let ram_file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&instance.ram_path)
            .map_err(QemuError::io("create the guest-RAM file in /dev/shm"))?;
        ram_file.set_len(u64::from(options.ram_mib) << 20).map_err(QemuError::io("size the guest-RAM file"))?;
        let listener =
            UnixListener::bind(instance.dir.join("qtest.sock")).map_err(QemuError::io("bind the qtest socket"))?;
        let wire_socket = bind_loopback()?;
        let wire_port = wire_socket.local_addr().map_err(QemuError::io("read the wire port"))?.port();
        let qemu_port = free_port()?;
        let stderr = File::create(instance.dir.join("stderr.log")).map_err(QemuError::io("create stderr.log"))?;

        let spawned = Instant::now();
        let deadline = spawned + options.start_timeout;
        let child = command(&qemu, &instance, options, (qemu_port, wire_port))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .map_err(QemuError::io("spawn qemu-system-x86_64"))?;
        instance.child = Some(child);

        let stream = accept(&listener, &mut instance, deadline, options.start_timeout)?;
        let qtest = Qtest::new(stream, options.reply_timeout).map_err(QemuError::io("set up the qtest socket"))?;
        let qtest_connected = spawned.elapsed();
        let qmp = match Qmp::connect(&instance.dir.join("qmp.sock"), deadline, options.reply_timeout) {
            Ok(qmp) => qmp,
            Err(e) => return Err(instance.check_alive().err().unwrap_or(e)),
        };
        let timings = StartTimings { qtest_connected, qmp_ready: spawned.elapsed() };
        let ram = RamMap::new(&ram_file).map_err(QemuError::io("map the guest-RAM file"))?;
        // QEMU has the file open and mapped: nothing needs the name any more.
        let _ = fs::remove_file(&instance.ram_path);
        Ok((Self { qtest, qmp, wire: Wire::new(wire_socket, qemu_port), timings, instance }, ram))
    }

    /// `Exited` (with QEMU's stderr) when QEMU is no longer running.
    pub fn check_alive(&mut self) -> Result<(), QemuError> {
        self.instance.check_alive()
    }

    /// QEMU's process id.
    pub fn pid(&self) -> Option<u32> {
        self.instance.child.as_ref().map(Child::id)
    }

    /// The instance's directory (sockets, firmware, stderr) and guest-RAM file name; both are
    /// gone once this value is dropped (the RAM file's name already once QEMU has started).
    pub fn paths(&self) -> (&Path, &Path) {
        (&self.instance.dir, &self.instance.ram_path)
    }
}
