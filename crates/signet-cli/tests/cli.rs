//! The command line tested as data: each `tests/cmd/*.toml` names the arguments, and the exact
//! output and exit status expected. Regenerate an expectation with `TRYCMD=overwrite` after a
//! deliberate change, and read the diff.

#[test]
fn cli_cases() {
    trycmd::TestCases::new()
        .register_bin("signet", trycmd::cargo::cargo_bin!("signet"))
        .case("tests/cmd/*.toml");
}

#[path = "cli/card.rs"]
mod card;
