//! [`Wire`]: the other end of the NIC's cable, a UDP socket on 127.0.0.1.
//!
//! QEMU's `-netdev dgram` carries one Ethernet frame (no FCS, no length prefix) per datagram:
//! a datagram sent to QEMU's local port is a frame received by the NIC, and each frame the NIC
//! transmits arrives here. Both ports are OS-assigned so parallel tests never collide.

use std::io;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::time::Duration;

use super::error::QemuError;

/// Largest datagram accepted from QEMU (a jumbo frame fits).
const MAX_FRAME: usize = 16 * 1024;

/// The wire socket and QEMU's port on the other side.
#[derive(Debug)]
pub struct Wire {
    socket: UdpSocket,
    qemu: SocketAddr,
}

/// Binds a UDP socket on 127.0.0.1 with an OS-assigned port.
pub(crate) fn bind_loopback() -> Result<UdpSocket, QemuError> {
    UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).map_err(QemuError::io("bind a loopback UDP socket"))
}

/// A loopback UDP port that was free a moment ago, for QEMU to bind.
pub(crate) fn free_port() -> Result<u16, QemuError> {
    let socket = bind_loopback()?;
    Ok(socket.local_addr().map_err(QemuError::io("read a UDP socket's port"))?.port())
}

impl Wire {
    pub(crate) fn new(socket: UdpSocket, qemu_port: u16) -> Self {
        Self { socket, qemu: SocketAddr::from((Ipv4Addr::LOCALHOST, qemu_port)) }
    }

    /// The port this socket listens on (QEMU's `remote.port`).
    pub fn local_port(&self) -> Result<u16, QemuError> {
        Ok(self.socket.local_addr().map_err(QemuError::io("read the wire socket's port"))?.port())
    }

    /// Puts `frame` on the wire: the NIC receives it.
    pub fn send(&self, frame: &[u8]) -> Result<(), QemuError> {
        let sent = self.socket.send_to(frame, self.qemu).map_err(QemuError::io("send a frame to QEMU"))?;
        if sent != frame.len() {
            return Err(QemuError::Io { what: "send a frame to QEMU", source: io::ErrorKind::WriteZero.into() });
        }
        Ok(())
    }

    /// The next frame the NIC transmitted, or `None` when none arrives within `timeout`.
    pub fn recv(&self, timeout: Duration) -> Result<Option<Vec<u8>>, QemuError> {
        let timeout = timeout.max(Duration::from_micros(1));
        self.socket.set_read_timeout(Some(timeout)).map_err(QemuError::io("set the wire timeout"))?;
        let mut buf = vec![0u8; MAX_FRAME];
        loop {
            match self.socket.recv_from(&mut buf) {
                Ok((len, from)) if from == self.qemu => {
                    buf.truncate(len);
                    return Ok(Some(buf));
                }
                // Someone else's datagram: not from the NIC.
                Ok(_) => {}
                Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => return Ok(None),
                Err(source) => return Err(QemuError::Io { what: "receive a frame from QEMU", source }),
            }
        }
    }
}
