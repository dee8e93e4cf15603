//! HTTP/1.1 written and read by hand on a TCP socket, for tests whose requests an HTTP
//! client would refuse or normalise (malformed heads, `..` in paths, bad framing).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How long one exchange may take.
pub const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(20);

/// An answer read off the socket.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (panics when it is not: for tests).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// Decodes a chunked body (the sandbox streams none, but the parser should not guess).
fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

pub fn parse_answer(raw: &[u8]) -> Result<Answer, String> {
    let head_end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| format!("no complete answer ({} bytes read)", raw.len()))?;
    let head = String::from_utf8_lossy(&raw[..head_end]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or("no status line")?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let rest = &raw[head_end + 4..];
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    let body = if chunked {
        dechunk(rest).ok_or("a malformed chunked body")?
    } else {
        rest.to_vec()
    };
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// Writes `request` and reads the answer until the server closes the connection. The
/// write runs beside the read: the server may answer (413) before reading a large body.
pub async fn exchange(addr: std::net::SocketAddr, request: Vec<u8>) -> Result<Answer, String> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let (mut reader, mut writer) = stream.into_split();
    let write = tokio::spawn(async move {
        let _ = writer.write_all(&request).await;
        let _ = writer.flush().await;
        // Keep the write half open until the server closes: shutting it would end the
        // request early for some malformed cases.
        writer
    });
    let mut raw = Vec::new();
    let read = tokio::time::timeout(EXCHANGE_TIMEOUT, reader.read_to_end(&mut raw)).await;
    // A server that stopped reading would block the write forever.
    write.abort();
    drop(write.await);
    match read {
        Err(_) => Err(format!(
            "no answer within {EXCHANGE_TIMEOUT:?} ({} bytes read)",
            raw.len()
        )),
        // A reset after a complete answer (the server closed with our body unread) is fine.
        Ok(Err(e)) if raw.is_empty() => Err(format!("read: {e}")),
        Ok(_) => parse_answer(&raw),
    }
}
