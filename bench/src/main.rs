//! `octodeploy-bench`: octodeploy against the floor (a hand-written reqwest +
//! serde_json loop) over a loopback server, in child processes, alternating,
//! each child's CPU and peak RSS read from the OS; instruction counts under
//! callgrind when valgrind is installed; and a decode micro-benchmark.
//!
//! `cargo xtask bench [ARGS]` runs `run` in a release build. It prints
//! figures and ratios; it never fails on a number (only when a client fails
//! or the clients disagree about what they read).
//!
//! Verbs: `run [--counts 10000,100000] [--rounds 6] [--clients floor,octodeploy]
//! [--callgrind 10000|off] [--callgrind-out DIR] [--decode-rounds 15]
//! [--cli PATH|off] [--cli-rounds 41]`, `decode`, `serve` (the loopback server alone, for profiling by hand), and the internal
//! `client NAME BASE COUNT` and `measure PROGRAM ARGS…`.

mod cli;
mod decode;
mod fixture;
mod floor;
mod measure;
mod ours;
mod pin;
mod report;
mod server;
mod summary;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => report::run(&args[1..]),
        Some("decode") => {
            report::Options::parse(&args[1..]).map(|o| report::print_decode(o.decode_rounds))
        }
        Some("serve") => server::start()
            .map_err(|e| format!("server: {e}"))
            .map(|addr| {
                // For profiling a client by hand (`perf stat … client NAME BASE COUNT`).
                println!("http://{addr}");
                loop {
                    std::thread::park();
                }
            }),
        Some("client") if args.len() == 4 => client(&args[1], &args[2], &args[3]),
        Some("measure") if args.len() >= 2 => measure::child(&args[1], &args[2..]).map(|(out, u)| {
            println!("{out}\n{}", u.to_line());
        }),
        _ => Err("usage: octodeploy-bench run [--counts N,N] [--rounds N] [--clients floor,octodeploy,generated] [--callgrind N|off] [--callgrind-out DIR] [--decode-rounds N] [--cli PATH|off] [--cli-rounds N] | decode [--decode-rounds N] | serve".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("octodeploy-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// One client over `count` statuses; prints its [`summary::Summary`].
fn client(name: &str, base: &str, count: &str) -> Result<(), String> {
    let count: u64 = count.parse().map_err(|e| format!("count: {e}"))?;
    pin::pin(pin::Role::Client);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let summary = runtime
        .block_on(async {
            match name {
                "floor" => floor::stream(base, count).await,
                "octodeploy" => ours::stream(base, count).await,
                "generated" => ours::generated(base, count).await,
                other => Err(format!("unknown client {other}").into()),
            }
        })
        .map_err(|e| format!("{name}: {e}"))?;
    println!("{summary}");
    Ok(())
}
