//! Run one API request from stdin through the core natively and print the response (a debugging aid;
//! the `yidi eval` command of the host does the same through wasmtime).
use std::io::{Read, Write};

fn main() {
    let mut input = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("cannot read stdin: {e}");
        std::process::exit(2);
    }
    // A closed pipe (`| head`) ends the run quietly instead of panicking in `println!`.
    let _ = writeln!(
        std::io::stdout().lock(),
        "{}",
        yidi_core::api::handle_json(&input)
    );
}
