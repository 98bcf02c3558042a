//! Installing what the build and the tests need on a fresh Debian 12 machine, and nothing that is
//! already there.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use crate::process::{Cmd, find_on_path, on_path};

/// What the machine is being set up for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// Building and starting the desktop app.
    Run,
    /// Building and running every test, headless.
    Test,
    /// `cargo xtask demo`: building signet-demo and the CLI, and running the demo services.
    Demo,
}

/// Debian packages to build the desktop app (Tauri 2 on WebKitGTK 4.1).
const BUILD_PACKAGES: &[&str] = &[
    "build-essential",
    "curl",
    "wget",
    "file",
    "pkg-config",
    "libssl-dev",
    "libwebkit2gtk-4.1-dev",
    "libxdo-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "libpcsclite-dev", // signet-token's PC/SC back end links libpcsclite
];

/// Debian packages for the headless end-to-end tests: a virtual display, a private D-Bus session
/// with a notification daemon and a keyring, WebKit's WebDriver, and screenshot tools.
const TEST_PACKAGES: &[&str] = &[
    "procps",
    "xvfb",
    "xauth",
    "dbus",
    "dbus-bin", // dbus-monitor: the data test watches the desktop notifications on the bus
    "dbus-x11",
    "dunst",
    "gnome-keyring",
    "keyutils",
    "webkit2gtk-driver",
    "x11-utils",
    "imagemagick",
    "openssl", // the test PKI's OCSP responder and TSA (signet-testkit)
    "xmlsec1", // the independent judge of the test trusted list's XML signature (signet-pki tests)
    // The card tests: the real pcscd with vsmartcard's virtual readers, which signet-vcard plugs
    // into. vpcd listens on every interface: a test dependency only, never installed by Signet.
    "pcscd",
    "vsmartcard-vpcd",
    "pcsc-tools",
    "opensc",
    "opensc-pkcs11",
    "softhsm2",
    // The independent PDF judges (pdfsig, qpdf --check, NSS's certutil for pdfsig's trust store)
    // and the Python that runs pyHanko and libdigidocpp (pydigidoc) in target/peers/venv.
    "poppler-utils",
    "qpdf",
    "libnss3-tools",
    "python3",
    "python3-venv",
    "python3-pip",
    // signet-node's suite runs a second time on PostgreSQL (Debian 12: version 15), in a private
    // cluster xtask starts in target/pg.
    "postgresql",
];

/// Debian packages for `cargo xtask demo` (no display, no UI): the build tools and OpenSSL,
/// which answers the demo PKI's OCSP and TSA requests (signet-testkit).
const DEMO_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "libssl-dev",
    "libpcsclite-dev",
    "openssl",
];

/// The oldest Node.js the UI tool chain (Vite 7) accepts.
const NODE_MIN: (u32, u32) = (20, 19);

pub(crate) fn everything(root: &Path, purpose: Purpose) -> anyhow::Result<()> {
    if purpose == Purpose::Demo {
        return debian_packages(DEMO_PACKAGES);
    }
    let mut packages: Vec<&str> = BUILD_PACKAGES.to_vec();
    if purpose == Purpose::Test {
        packages.extend_from_slice(TEST_PACKAGES);
    } else {
        // `cargo xtask run` starts the demo services: OpenSSL answers their OCSP and TSA requests.
        packages.push("openssl");
    }
    debian_packages(&packages)?;
    node()?;
    if purpose == Purpose::Test {
        rust_components(&["rustfmt", "clippy"])?;
        cargo_nextest()?;
        tauri_driver()?;
        python_peers(root)?;
    }
    npm_packages(root)?;
    Ok(())
}

/// Installs the Debian packages that are not installed yet, with sudo when not root.
fn debian_packages(wanted: &[&str]) -> anyhow::Result<()> {
    if !on_path("dpkg-query") {
        eprintln!(
            "xtask: not a Debian system; install the equivalents of these yourself: {}",
            wanted.join(" ")
        );
        return Ok(());
    }
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|package| !debian_installed(package))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("xtask: installing Debian packages: {}", missing.join(" "));
    let as_root = Cmd::new("id")
        .arg("-u")
        .read()
        .is_some_and(|uid| uid.trim() == "0");
    let apt = |args: &[&str]| {
        let command = if as_root {
            Cmd::new("apt-get")
        } else {
            Cmd::new("sudo").arg("apt-get")
        };
        command
            .env("DEBIAN_FRONTEND", "noninteractive")
            .args(args)
            .run()
    };
    apt(&["update", "-qq"])?;
    let mut install = vec!["install", "-y", "-qq"];
    install.extend(&missing);
    apt(&install)?;
    Ok(())
}

fn debian_installed(package: &str) -> bool {
    Cmd::new("dpkg-query")
        .args(["-W", "-f=${db:Status-Abbrev}", package])
        .read()
        .is_some_and(|status| status.starts_with("ii"))
}

/// Checks that Node.js and npm are recent enough; Debian 12's own nodejs (18) is not.
fn node() -> anyhow::Result<()> {
    let version = Cmd::new("node").arg("--version").read().context(
        "Node.js is not installed: install Node.js 20.19 or newer (with npm) from nodejs.org or NodeSource",
    )?;
    let parse = |text: &str| -> Option<(u32, u32)> {
        let mut parts = text.trim().trim_start_matches('v').split('.');
        Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
    };
    match parse(&version) {
        Some(found) if found >= NODE_MIN => {}
        _ => bail!(
            "Node.js {} is too old: the UI needs {}.{} or newer",
            version.trim(),
            NODE_MIN.0,
            NODE_MIN.1
        ),
    }
    if !on_path("npm") {
        bail!("npm is not installed: install it with Node.js");
    }
    Ok(())
}

fn rust_components(components: &[&str]) -> anyhow::Result<()> {
    let installed = Cmd::new("rustup")
        .args(["component", "list", "--installed"])
        .read()
        .unwrap_or_default();
    for component in components {
        let present = installed.lines().any(|line| line.starts_with(component));
        let runs = match *component {
            "rustfmt" => Cmd::new("cargo")
                .args(["fmt", "--version"])
                .read()
                .is_some(),
            "clippy" => Cmd::new("cargo")
                .args(["clippy", "--version"])
                .read()
                .is_some(),
            _ => present,
        };
        if !present && !runs {
            Cmd::new("rustup")
                .args(["component", "add", component])
                .run()?;
        }
    }
    Ok(())
}

/// cargo-nextest, the test runner `cargo xtask test` uses, when `cargo nextest` is missing.
fn cargo_nextest() -> anyhow::Result<()> {
    if Cmd::new("cargo")
        .args(["nextest", "--version"])
        .read()
        .is_some()
    {
        return Ok(());
    }
    Cmd::new("cargo")
        .args(["install", "cargo-nextest", "--locked"])
        .run()
}

/// tauri-driver: the WebDriver front for Tauri apps (cargo install, about 30 s).
fn tauri_driver() -> anyhow::Result<()> {
    if tauri_driver_path().is_some() {
        return Ok(());
    }
    Cmd::new("cargo")
        .args(["install", "tauri-driver", "--version", "^2", "--locked"])
        .run()
}

/// Where tauri-driver is installed, if it is.
pub(crate) fn tauri_driver_path() -> Option<PathBuf> {
    find_on_path("tauri-driver").or_else(|| {
        let home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))?;
        let path = home.join("bin/tauri-driver");
        path.is_file().then_some(path)
    })
}

/// `npm ci` when node_modules is missing or older than the lock file.
fn npm_packages(root: &Path) -> anyhow::Result<()> {
    let lock = root.join("package-lock.json");
    let installed = root.join("node_modules/.package-lock.json");
    if crate::ui::newer(&installed, &lock) {
        return Ok(());
    }
    Cmd::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(root)
        .run()
}

/// The Python peers (pyHanko, pydigidoc) in `target/peers/venv`, pinned by
/// `tests/peers/requirements.txt`; reinstalled only when that file changes.
fn python_peers(root: &Path) -> anyhow::Result<()> {
    let requirements = root.join("tests/peers/requirements.txt");
    let venv = root.join("target/peers/venv");
    let stamp = venv.join("installed-requirements.txt");
    let wanted = std::fs::read(&requirements)
        .with_context(|| format!("cannot read {}", requirements.display()))?;
    if std::fs::read(&stamp).is_ok_and(|installed| installed == wanted) {
        return Ok(());
    }
    if venv.exists() {
        std::fs::remove_dir_all(&venv)
            .with_context(|| format!("cannot remove the old {}", venv.display()))?;
    }
    // Debian's Python 3.11, never a pyenv or /usr/local one: the wheels are built for it.
    Cmd::new("/usr/bin/python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .run()?;
    Cmd::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(&requirements)
        .run()?;
    std::fs::write(&stamp, wanted).with_context(|| format!("cannot write {}", stamp.display()))
}
