//! A minimal HTTP/1.1 request reader shared by the client tests' loopback servers.

use std::collections::BTreeMap;

use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// One request as the server received it.
#[derive(Debug, Clone)]
#[allow(dead_code)] // not every test reads every field
pub struct Received {
    pub method: String,
    pub target: String,
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

/// Reads the next request of a keep-alive connection (`None` when it closes). `buf`
/// keeps bytes read past the request.
pub async fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Received> {
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8(buf[..head_end].to_vec()).ok()?;
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let target = first.next()?.to_owned();
    let headers: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned()))
        .collect();
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + 4 + len {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[head_end + 4..head_end + 4 + len]).into_owned();
    buf.drain(..head_end + 4 + len);
    Some(Received {
        method,
        target,
        headers,
        body,
    })
}

/// Writes one JSON answer; false if the connection is gone.
pub async fn write_answer(
    stream: &mut TcpStream,
    status: u16,
    request_id: usize,
    headers: &[(&str, String)],
    body: &str,
) -> bool {
    use tokio::io::AsyncWriteExt;
    let mut head = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-request-id: req_{request_id}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.is_ok()
        && stream.write_all(body.as_bytes()).await.is_ok()
}

/// Starts a server of a `customers/` list of `total` synthetic customers, made on the
/// fly page by page (the server holds no list), and returns its base URL.
#[allow(dead_code)]
pub async fn start_page_server(total: usize) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    let list_base = base.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let base = list_base.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut n = 0;
                while let Some(req) = read_request(&mut stream, &mut buf).await {
                    n += 1;
                    let body = synthetic_page(&base, &req.target, total);
                    if !write_answer(&mut stream, 200, n, &[], &body).await {
                        return;
                    }
                }
            });
        }
    });
    base
}

fn synthetic_page(base: &str, target: &str, total: usize) -> String {
    let query = target.split_once('?').map_or("", |(_, q)| q);
    let param = |name: &str| {
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .and_then(|(_, v)| v.parse::<usize>().ok())
    };
    let page = param("page").unwrap_or(1).max(1);
    let size = param("page_size").unwrap_or(20).clamp(1, 100);
    let start = (page - 1) * size;
    let end = (start + size).min(total);
    let mut results = Vec::new();
    for i in start..end.max(start) {
        results.push(format!(
            r#"{{"id":"cus_{i:08}","external_id":"ext-{i:08}","name":"Customer number {i}","email":"c{i}@example.com","created_at":"2026-11-23T12:00:00Z","updated_at":"2026-11-23T12:00:00Z"}}"#
        ));
    }
    let next = if end < total {
        format!("\"{base}/customers/?page={}&page_size={size}\"", page + 1)
    } else {
        "null".to_owned()
    };
    format!(
        r#"{{"count":{total},"next":{next},"previous":null,"results":[{}]}}"#,
        results.join(",")
    )
}
