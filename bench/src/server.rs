//! A loopback HTTP/1.1 server shaped like GitHub's list-deployment-statuses
//! endpoint: `GET /repos/{o}/{r}/deployments/{N}/statuses?per_page=&page=`
//! serves `N` statuses in pages, with GitHub's `Link` header, and
//! `GET …/deployments/{N}/statuses/{id}` one of them.
//!
//! The deployment id is the number of statuses, so one server serves every
//! size. Plain threads and blocking sockets: its own CPU is not measured (it
//! runs in the parent), it only has to be simple and cheap.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread;

use crate::fixture;

/// Binds 127.0.0.1 on a free port and serves on background threads.
pub fn start() -> io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    thread::spawn(move || {
        // Connection threads inherit the listener thread's CPU.
        crate::pin::pin(crate::pin::Role::Server);
        for stream in listener.incoming().flatten() {
            thread::spawn(move || {
                let _ = serve(stream, addr);
            });
        }
    });
    Ok(addr)
}

fn serve(stream: TcpStream, addr: SocketAddr) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let target = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
        // Headers until the blank line; GETs have no body.
        let mut header = String::new();
        loop {
            header.clear();
            if reader.read_line(&mut header)? == 0 {
                return Ok(());
            }
            if header == "\r\n" || header == "\n" {
                break;
            }
        }
        let (status, extra, body) = respond(&target, addr);
        write!(
            writer,
            "HTTP/1.1 {status}\r\ncontent-type: application/json; charset=utf-8\r\n\
             content-length: {}\r\nx-github-request-id: 0000:1111:2222:3333:44444444\r\n\
             x-ratelimit-limit: 5000\r\nx-ratelimit-remaining: 4999\r\nx-ratelimit-used: 1\r\n\
             x-ratelimit-reset: 1900000000\r\nx-ratelimit-resource: core\r\n{extra}\r\n",
            body.len()
        )?;
        writer.write_all(body.as_bytes())?;
        writer.flush()?;
    }
}

/// Status line, extra header lines and body for one request target.
fn respond(target: &str, addr: SocketAddr) -> (&'static str, String, String) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if let Some((_, id)) = path.rsplit_once("/statuses/")
        && let Ok(id) = id.parse::<i64>()
    {
        let mut body = String::new();
        fixture::status(&mut body, id);
        return ("200 OK", String::new(), body);
    }
    let total = path
        .strip_suffix("/statuses")
        .and_then(|p| p.rsplit('/').next())
        .and_then(|n| n.parse::<i64>().ok());
    let Some(total) = total else {
        return (
            "404 Not Found",
            String::new(),
            r#"{"message":"Not Found"}"#.into(),
        );
    };
    let param = |name: &str| {
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .and_then(|(_, v)| v.parse::<i64>().ok())
    };
    let per_page = param("per_page").unwrap_or(30).clamp(1, 100);
    let page = param("page").unwrap_or(1).max(1);
    let last = ((total + per_page - 1) / per_page).max(1);
    let first = (page - 1) * per_page + 1;
    let n = (total - first + 1).clamp(0, per_page);
    let link = |p: i64| format!("<http://{addr}{path}?per_page={per_page}&page={p}>");
    let mut rels = Vec::new();
    if page > 1 {
        rels.push(format!("{}; rel=\"prev\"", link(page - 1)));
        rels.push(format!("{}; rel=\"first\"", link(1)));
    }
    if page < last {
        rels.push(format!("{}; rel=\"next\"", link(page + 1)));
        rels.push(format!("{}; rel=\"last\"", link(last)));
    }
    let extra = if rels.is_empty() {
        String::new()
    } else {
        format!("link: {}\r\n", rels.join(", "))
    };
    ("200 OK", extra, fixture::page(first, n))
}
