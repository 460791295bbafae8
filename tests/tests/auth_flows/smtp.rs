//! A real SMTP server for the tests, listening on a free loopback port: it speaks enough
//! SMTP (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT; no STARTTLS, no AUTH) for a client
//! to deliver, and keeps each delivered message (`RCPT TO` addresses and the raw DATA,
//! quoted-printable soft breaks and escapes decoded).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One delivered message.
#[derive(Debug, Clone)]
pub struct Mail {
    /// The `RCPT TO` addresses.
    pub to: Vec<String>,
    /// The message as sent (headers and body), quoted-printable decoded.
    pub data: String,
}

/// The running catcher.
pub struct Catcher {
    port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
}

impl Catcher {
    /// Listens on a free port of 127.0.0.1.
    pub async fn start() -> Catcher {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind smtp");
        let port = listener.local_addr().expect("addr").port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let kept = mails.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(session(stream, kept.clone()));
            }
        });
        Catcher { port, mails }
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The messages delivered so far.
    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().expect("mails").clone()
    }

    /// Waits (up to 10 s) until `n` messages were delivered; returns them.
    pub async fn wait_for(&self, n: usize) -> Vec<Mail> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let mails = self.mails();
            if mails.len() >= n || Instant::now() > deadline {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn session(stream: TcpStream, mails: Arc<Mutex<Vec<Mail>>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let mut to = Vec::new();
    if write
        .write_all(b"220 localhost test SMTP\r\n")
        .await
        .is_err()
    {
        return;
    }
    while let Ok(Some(line)) = lines.next_line().await {
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-localhost\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("HELO")
            || upper.starts_with("MAIL")
            || upper.starts_with("NOOP")
        {
            b"250 OK\r\n"
        } else if upper.starts_with("RSET") {
            to.clear();
            b"250 OK\r\n"
        } else if upper.starts_with("RCPT") {
            let addr = line
                .split(['<', '>'])
                .nth(1)
                .unwrap_or_default()
                .to_string();
            to.push(addr);
            b"250 OK\r\n"
        } else if upper.starts_with("DATA") {
            if write.write_all(b"354 go ahead\r\n").await.is_err() {
                return;
            }
            let mut data = Vec::new();
            while let Ok(Some(l)) = lines.next_line().await {
                if l == "." {
                    break;
                }
                data.push(l.strip_prefix('.').map(str::to_string).unwrap_or(l));
            }
            let mail = Mail {
                to: std::mem::take(&mut to),
                data: decode_qp(&data.join("\r\n")),
            };
            mails.lock().expect("mails").push(mail);
            b"250 queued\r\n"
        } else if upper.starts_with("QUIT") {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else {
            b"502 not implemented\r\n"
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}

/// Quoted-printable soft line breaks and `=XX` escapes decoded (harmless on other text
/// the tests look at).
fn decode_qp(s: &str) -> String {
    let joined = s.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
