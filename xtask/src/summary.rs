//! Counting what passed and failed across the test runners, for the one summary line.

use std::fmt;

/// The counts of one step (a test runner, or a check that counts as one test).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) passed: u64,
    pub(crate) failed: u64,
    pub(crate) skipped: u64,
}

impl Counts {
    pub(crate) const PASS: Self = Self {
        passed: 1,
        failed: 0,
        skipped: 0,
    };
    pub(crate) const FAIL: Self = Self {
        passed: 0,
        failed: 1,
        skipped: 0,
    };

    fn add(&mut self, other: Self) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.skipped += other.skipped;
    }
}

impl fmt::Display for Counts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} passed, {} failed", self.passed, self.failed)?;
        if self.skipped > 0 {
            write!(f, ", {} skipped", self.skipped)?;
        }
        Ok(())
    }
}

/// Every step's counts, in the order they ran.
#[derive(Debug, Default)]
pub(crate) struct Summary {
    steps: Vec<(String, Counts, Option<String>)>,
}

impl Summary {
    /// Records a step; `note` says why a step failed without failing tests (it did not run, or its
    /// output could not be read).
    pub(crate) fn record(&mut self, name: &str, counts: Counts, note: Option<String>) {
        self.steps.push((name.to_owned(), counts, note));
    }

    pub(crate) fn total(&self) -> Counts {
        let mut total = Counts::default();
        for (_, counts, _) in &self.steps {
            total.add(*counts);
        }
        total
    }

    pub(crate) fn print(&self) {
        eprintln!();
        eprintln!("xtask test: results by step");
        for (name, counts, note) in &self.steps {
            let mark = if counts.failed > 0 { "FAIL" } else { "ok  " };
            match note {
                Some(note) => eprintln!("  {mark} {name:<28} {counts} ({note})"),
                None => eprintln!("  {mark} {name:<28} {counts}"),
            }
        }
        println!("{}", self.total());
    }
}

/// The counts from cargo-nextest's final line:
/// `Summary [   1.234s] 31 tests run: 30 passed, 1 failed, 2 skipped`.
pub(crate) fn nextest(output: &str) -> Option<Counts> {
    let line = output
        .lines()
        .rev()
        .find(|line| line.contains(" tests run: ") || line.contains(" test run: "))?;
    let (_, tail) = line.split_once("run: ")?;
    let mut counts = Counts::default();
    for part in tail.split(',') {
        let mut words = part.split_whitespace();
        let number: u64 = words.next()?.parse().ok()?;
        match words.next()? {
            "passed" => counts.passed += number,
            "failed" | "timed" => counts.failed += number,
            "skipped" => counts.skipped += number,
            // "N flaky", "N leaky" are already counted as passed.
            _ => {}
        }
    }
    Some(counts)
}

/// The counts from libtest's `test result: ok. 9 passed; 0 failed; 1 ignored; …` lines, summed.
pub(crate) fn libtest(output: &str) -> Option<Counts> {
    let mut total: Option<Counts> = None;
    for line in output
        .lines()
        .filter_map(|line| line.split_once("test result: "))
    {
        let mut counts = Counts::default();
        for part in line.1.split(';') {
            let words: Vec<&str> = part.split_whitespace().collect();
            let (number, word) = match words.as_slice() {
                [_, number, word] | [number, word] => match number.parse::<u64>() {
                    Ok(number) => (number, *word),
                    // `0 filtered out`: not a count of tests.
                    Err(_) => continue,
                },
                _ => continue,
            };
            match word {
                "passed" => counts.passed = number,
                "failed" => counts.failed = number,
                "ignored" => counts.skipped = number,
                _ => {}
            }
        }
        total.get_or_insert_with(Counts::default).add(counts);
    }
    total
}

/// The counts from a TAP stream's trailer (`# pass 3`, `# fail 0`, `# skipped 1`), as written by
/// `node --test --test-reporter=tap`.
pub(crate) fn tap(output: &str) -> Option<Counts> {
    let mut counts = Counts::default();
    let mut seen = false;
    for line in output.lines() {
        let Some(rest) = line.trim().strip_prefix("# ") else {
            continue;
        };
        let mut words = rest.split_whitespace();
        let (Some(word), Some(number)) = (words.next(), words.next()) else {
            continue;
        };
        let Ok(number) = number.parse::<u64>() else {
            continue;
        };
        match word {
            "pass" => {
                counts.passed = number;
                seen = true;
            }
            "fail" | "cancelled" => counts.failed += number,
            "skipped" | "todo" => counts.skipped += number,
            _ => {}
        }
    }
    seen.then_some(counts)
}

/// The counts from Vitest's JSON report.
pub(crate) fn vitest_json(report: &str) -> Option<Counts> {
    let number = |key: &str| -> Option<u64> {
        let at = report.find(&format!("\"{key}\":"))? + key.len() + 3;
        let digits: String = report[at..]
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    };
    Some(Counts {
        passed: number("numPassedTests")?,
        failed: number("numFailedTests")?,
        skipped: number("numPendingTests").unwrap_or(0) + number("numTodoTests").unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nextest() {
        let out = "    PASS [ 0.01s] a\n------------\n     Summary [   0.061s] 31 tests run: 30 passed, 1 failed, 2 skipped\n";
        assert_eq!(
            nextest(out),
            Some(Counts {
                passed: 30,
                failed: 1,
                skipped: 2
            })
        );
        let out = "     Summary [   0.061s] 12 tests run: 12 passed, 0 skipped\n";
        assert_eq!(
            nextest(out),
            Some(Counts {
                passed: 12,
                failed: 0,
                skipped: 0
            })
        );
        let out = "Summary [ 9.0s] 3 tests run: 1 passed, 2 timed out, 0 skipped";
        assert_eq!(
            nextest(out),
            Some(Counts {
                passed: 1,
                failed: 2,
                skipped: 0
            })
        );
        assert_eq!(nextest("error: could not compile"), None);
    }

    #[test]
    fn reads_libtest() {
        let out = "test result: ok. 9 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out\n\
                   test result: FAILED. 2 passed; 3 failed; 0 ignored; 0 measured; 0 filtered out\n";
        assert_eq!(
            libtest(out),
            Some(Counts {
                passed: 11,
                failed: 3,
                skipped: 1
            })
        );
        assert_eq!(libtest("nothing"), None);
    }

    #[test]
    fn reads_tap() {
        let out = "TAP version 13\nok 1 - a\n1..1\n# tests 3\n# suites 0\n# pass 2\n# fail 1\n# cancelled 0\n# skipped 1\n# todo 0\n";
        assert_eq!(
            tap(out),
            Some(Counts {
                passed: 2,
                failed: 1,
                skipped: 1
            })
        );
        assert_eq!(tap("# Subtest: x"), None);
    }

    #[test]
    fn reads_vitest() {
        let report = r#"{"numTotalTestSuites":3,"numPassedTests":14,"numFailedTests":0,"numPendingTests":1,"numTodoTests":0}"#;
        assert_eq!(
            vitest_json(report),
            Some(Counts {
                passed: 14,
                failed: 0,
                skipped: 1
            })
        );
        assert_eq!(vitest_json("{}"), None);
    }

    #[test]
    fn the_line_names_skips_only_when_there_are_some() {
        assert_eq!(
            Counts {
                passed: 3,
                failed: 0,
                skipped: 0
            }
            .to_string(),
            "3 passed, 0 failed"
        );
        assert_eq!(
            Counts {
                passed: 3,
                failed: 1,
                skipped: 2
            }
            .to_string(),
            "3 passed, 1 failed, 2 skipped"
        );
    }
}
