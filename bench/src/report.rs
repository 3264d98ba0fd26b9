//! The `run` verb: starts the loopback server, runs each client in turn
//! (rotating the order every round) as a measured child, and prints medians,
//! the median per-round ratio against the floor and the ratio of the rounds'
//! total CPU (steadier on a noisy machine than any one round).

use std::process::Command;

use crate::cli;
use crate::decode::{self, median};
use crate::measure::Usage;
use crate::server;

/// `run`'s options.
#[derive(Debug)]
pub struct Options {
    pub counts: Vec<u64>,
    pub rounds: u32,
    pub clients: Vec<String>,
    pub callgrind: Option<u64>,
    /// Where callgrind's profiles go (`callgrind.NAME.out`), for
    /// `callgrind_annotate`; none kept without it.
    pub callgrind_out: Option<String>,
    pub decode_rounds: u32,
    /// The release `octodeploy` binary, for the `status get` against curl
    /// comparison (`cargo xtask bench` passes it); none skips it.
    pub cli: Option<String>,
    pub cli_rounds: u32,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut o = Options {
            counts: vec![10_000, 100_000],
            rounds: 6,
            clients: vec!["floor".into(), "octodeploy".into()],
            callgrind: Some(10_000),
            callgrind_out: None,
            decode_rounds: 15,
            cli: None,
            cli_rounds: 41,
        };
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
            let num = |v: &str| v.parse::<u64>().map_err(|e| format!("{flag} {v}: {e}"));
            match flag.as_str() {
                "--counts" => {
                    o.counts = value.split(',').map(num).collect::<Result<_, _>>()?;
                }
                "--rounds" => o.rounds = num(value)?.clamp(1, 100) as u32,
                "--clients" => {
                    o.clients = value.split(',').map(str::to_owned).collect();
                    if o.clients.first().map(String::as_str) != Some("floor") {
                        o.clients.insert(0, "floor".into());
                    }
                }
                "--callgrind" if value == "off" => o.callgrind = None,
                "--callgrind" => o.callgrind = Some(num(value)?),
                "--callgrind-out" => o.callgrind_out = Some(value.clone()),
                "--decode-rounds" => o.decode_rounds = num(value)?.clamp(1, 1000) as u32,
                "--cli" if value == "off" => o.cli = None,
                "--cli" => o.cli = Some(value.clone()),
                "--cli-rounds" => o.cli_rounds = num(value)?.clamp(1, 1000) as u32,
                other => return Err(format!("unknown option {other}")),
            }
        }
        Ok(o)
    }
}

pub fn run(args: &[String]) -> Result<(), String> {
    let o = Options::parse(args)?;
    let addr = server::start().map_err(|e| format!("server: {e}"))?;
    let base = format!("http://{addr}");
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let exe = exe.to_string_lossy().into_owned();
    println!(
        "loopback server {base}; {} rounds, order rotated each round; CPU = user+sys of the client process",
        o.rounds
    );
    for &count in &o.counts {
        let mut usages: Vec<Vec<Usage>> = vec![Vec::new(); o.clients.len()];
        let mut expected: Option<String> = None;
        for round in 0..o.rounds as usize {
            for k in 0..o.clients.len() {
                let i = (k + round) % o.clients.len();
                let args = [
                    "client".to_owned(),
                    o.clients[i].clone(),
                    base.clone(),
                    count.to_string(),
                ];
                let mut cmd = vec![exe.clone()];
                cmd.extend(args);
                let out = Command::new(&exe)
                    .arg("measure")
                    .args(&cmd)
                    .output()
                    .map_err(|e| e.to_string())?;
                if !out.status.success() {
                    return Err(format!(
                        "{} failed: {}",
                        o.clients[i],
                        String::from_utf8_lossy(&out.stderr)
                    ));
                }
                let text = String::from_utf8_lossy(&out.stdout).into_owned();
                let mut lines = text.lines();
                let summary = lines.next().unwrap_or_default().to_owned();
                let usage = lines
                    .next()
                    .and_then(Usage::from_line)
                    .ok_or_else(|| format!("no usage line in {text:?}"))?;
                match &expected {
                    None => expected = Some(summary),
                    Some(e) if *e != summary => {
                        return Err(format!(
                            "{} read {summary:?}, the floor {e:?}: the clients disagree",
                            o.clients[i]
                        ));
                    }
                    Some(_) => {}
                }
                usages[i].push(usage);
            }
        }
        print_table(count, &o.clients, &usages);
    }
    if let Some(count) = o.callgrind {
        print_callgrind(&exe, &base, count, &o.clients, o.callgrind_out.as_deref());
    }
    if let Some(cli) = &o.cli {
        cli::print(cli, &base, o.cli_rounds)?;
    }
    print_decode(o.decode_rounds);
    Ok(())
}

fn print_table(count: u64, clients: &[String], usages: &[Vec<Usage>]) {
    println!("\n{count} statuses (100 a page)");
    println!(
        "| client | CPU s | user s | sys s | CPU / floor (min–max) | all rounds' CPU / floor's | peak RSS MiB | RSS − floor MiB |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let total = |runs: &[Usage]| runs.iter().map(|u| u.cpu().as_secs_f64()).sum::<f64>();
    let floor = &usages[0];
    for (name, runs) in clients.iter().zip(usages) {
        let secs = |f: fn(&Usage) -> f64| median(&mut runs.iter().map(f).collect::<Vec<_>>());
        let mut ratios: Vec<f64> = runs
            .iter()
            .zip(floor)
            .map(|(u, f)| u.cpu().as_secs_f64() / f.cpu().as_secs_f64())
            .collect();
        let mut rss: Vec<f64> = runs
            .iter()
            .zip(floor)
            .map(|(u, f)| (u.max_rss_kib as f64 - f.max_rss_kib as f64) / 1024.0)
            .collect();
        let (lo, hi) = ratios
            .iter()
            .fold((f64::MAX, f64::MIN), |(l, h), r| (l.min(*r), h.max(*r)));
        println!(
            "| {name} | {:.3} | {:.3} | {:.3} | {:.3} ({lo:.3}–{hi:.3}) | {:.3} | {:.1} | {:+.1} |",
            secs(|u| u.cpu().as_secs_f64()),
            secs(|u| u.user.as_secs_f64()),
            secs(|u| u.sys.as_secs_f64()),
            median(&mut ratios),
            total(runs) / total(floor),
            secs(|u| u.max_rss_kib as f64 / 1024.0),
            median(&mut rss),
        );
    }
}

/// Instruction counts of one run per client under callgrind, when present.
fn print_callgrind(exe: &str, base: &str, count: u64, clients: &[String], dir: Option<&str>) {
    let present = Command::new("valgrind").arg("--version").output().is_ok();
    if !present {
        println!("\n(valgrind not found: no instruction counts)");
        return;
    }
    println!("\ninstructions (callgrind, {count} statuses)");
    println!("| client | instructions | / floor |");
    println!("| --- | --- | --- |");
    let mut floor = None;
    for name in clients {
        let file = match dir {
            Some(d) => format!("{d}/callgrind.{name}.out"),
            None => "/dev/null".to_owned(),
        };
        let out = Command::new("valgrind")
            .arg("--tool=callgrind")
            .arg(format!("--callgrind-out-file={file}"))
            .arg(exe)
            .args(["client", name, base, &count.to_string()])
            .output();
        let collected = out.ok().and_then(|o| {
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .find_map(|l| {
                    l.split_once("Collected :")
                        .map(|(_, n)| n.trim().to_owned())
                })
                .and_then(|n| n.parse::<u64>().ok())
        });
        match collected {
            Some(n) => {
                let f = *floor.get_or_insert(n);
                println!("| {name} | {n} | {:.3} |", n as f64 / f as f64);
            }
            None => println!("| {name} | (callgrind failed) | |"),
        }
    }
}

pub fn print_decode(rounds: u32) {
    let (floor, ours, ratio) = decode::run(rounds, 200);
    println!("\ndecode one 100-status page ({rounds} rounds of 200, alternating)");
    println!("| decoder | µs per page | / floor |");
    println!("| --- | --- | --- |");
    println!("| serde_json into plain structs (floor) | {floor:.1} | 1 |");
    println!("| octodeploy::DeploymentStatus | {ours:.1} | {ratio:.3} |");
}
