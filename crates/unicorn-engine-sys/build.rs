//! Finds a prebuilt static unicorn and tells rustc to link it; compiles no C.
//!
//! Either `UNICORN_LIB_DIR` names a directory holding `libunicorn.a`, or the build installs PyPI's
//! `unicorn` 2.1.4 wheel (manylinux x86_64, pinned by its sha256) into `OUT_DIR` with
//! `python3 -m pip install --target` and links the `unicorn/lib/libunicorn.a` inside it. The
//! wheel's headers are byte-identical to unicorn-engine-sys 2.1.5's, whose bindings `src/bindings.rs`
//! holds (README.md says how they were generated).

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The PyPI release whose wheel carries the library.
const WHEEL_VERSION: &str = "2.1.4";
/// sha256 of `unicorn-2.1.4-cp37-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl` on PyPI;
/// pip refuses any other file (`--require-hashes`).
const WHEEL_SHA256: &str = "9d6e6dea140560de4ebd8446661f7ef84a357d428c14a3ef09dacd306ec8c239";
/// Overrides the wheel: a directory holding `libunicorn.a` (unicorn 2.1.x, position-independent).
const LIB_DIR_VAR: &str = "UNICORN_LIB_DIR";
/// Overrides the Python interpreter that runs pip (default `python3`).
const PYTHON_VAR: &str = "UNICORN_PYTHON";
/// The only target the pinned wheel and the pre-generated bindings were made for.
const WHEEL_TARGET: &str = "x86_64-unknown-linux-gnu";

fn main() {
    if let Err(message) = run() {
        // Cargo shows a failed build script's stderr in full.
        eprintln!("{message}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed={LIB_DIR_VAR}");
    println!("cargo::rerun-if-env-changed={PYTHON_VAR}");

    if env::var_os("CARGO_FEATURE_DYNAMIC_LINKAGE").is_some() {
        return Err("unicorn-engine-sys (vendored): the `dynamic_linkage` feature is not supported; \
                    this crate links libunicorn.a statically"
            .to_owned());
    }
    let target = env_var("TARGET")?;
    let lib_dir = match env::var_os(LIB_DIR_VAR) {
        Some(dir) => given_lib_dir(PathBuf::from(dir))?,
        None => wheel_lib_dir(&target)?,
    };

    println!("cargo::rustc-link-search=native={}", lib_dir.display());
    println!("cargo::rustc-link-lib=static=unicorn");
    // libunicorn.a's undefined symbols outside libc: pthread_* and libm's (sin, cos, pow, fma, ...)
    // (`nm -u libunicorn.a`); no C++ runtime.
    println!("cargo::rustc-link-lib=pthread");
    println!("cargo::rustc-link-lib=m");
    Ok(())
}

/// Checks the `UNICORN_LIB_DIR` override.
fn given_lib_dir(dir: PathBuf) -> Result<PathBuf, String> {
    if dir.join("libunicorn.a").is_file() {
        println!("cargo::rerun-if-changed={}", dir.join("libunicorn.a").display());
        Ok(dir)
    } else {
        Err(format!("unicorn-engine-sys: {LIB_DIR_VAR}={} holds no libunicorn.a", dir.display()))
    }
}

/// Installs the pinned wheel into `OUT_DIR/wheel` (once) and returns its `lib` directory.
fn wheel_lib_dir(target: &str) -> Result<PathBuf, String> {
    if target != WHEEL_TARGET || env_var("HOST")? != target {
        return Err(format!(
            "unicorn-engine-sys: the pinned unicorn {WHEEL_VERSION} wheel serves a native \
             {WHEEL_TARGET} build only (this is {target}); set {LIB_DIR_VAR} to a directory \
             holding a libunicorn.a for it"
        ));
    }
    let out_dir = PathBuf::from(env_var("OUT_DIR")?);
    let wheel_dir = out_dir.join("wheel");
    let lib_dir = wheel_dir.join("unicorn").join("lib");
    let installed = wheel_dir.join(format!("unicorn-{WHEEL_VERSION}.dist-info"));
    if lib_dir.join("libunicorn.a").is_file() && installed.is_dir() {
        return Ok(lib_dir);
    }
    if wheel_dir.exists() {
        fs::remove_dir_all(&wheel_dir)
            .map_err(|e| format!("unicorn-engine-sys: removing {}: {e}", wheel_dir.display()))?;
    }
    let requirements = out_dir.join("unicorn-requirements.txt");
    fs::write(&requirements, format!("unicorn=={WHEEL_VERSION} --hash=sha256:{WHEEL_SHA256}\n"))
        .map_err(|e| format!("unicorn-engine-sys: writing {}: {e}", requirements.display()))?;
    pip_install(&requirements, &wheel_dir)?;
    // The wheel also ships the shared library; without it no linker can pick it by mistake.
    // Best effort: `static=unicorn` already asks for the archive.
    let _ = fs::remove_file(lib_dir.join("libunicorn.so.2"));
    if lib_dir.join("libunicorn.a").is_file() {
        Ok(lib_dir)
    } else {
        Err(format!(
            "unicorn-engine-sys: pip installed the unicorn {WHEEL_VERSION} wheel into {} but it holds no \
             unicorn/lib/libunicorn.a",
            wheel_dir.display()
        ))
    }
}

/// `python3 -m pip install --no-deps --only-binary=:all: --require-hashes --target DIR -r FILE`.
fn pip_install(requirements: &Path, target_dir: &Path) -> Result<(), String> {
    let python = env::var(PYTHON_VAR).unwrap_or_else(|_| "python3".to_owned());
    let fallback = format!("Or set {LIB_DIR_VAR} to a directory holding libunicorn.a (unicorn 2.1.x, -fPIC).");
    let missing_pip = format!(
        "unicorn-engine-sys needs `{python} -m pip` to fetch PyPI's unicorn {WHEEL_VERSION} wheel, whose \
         libunicorn.a it links. On Debian/Ubuntu: apt-get install python3-pip.\n{fallback}"
    );
    let output = Command::new(&python)
        // A private install into OUT_DIR: a user's `user = true` or `require-virtualenv` pip
        // setting (meant for their own environments) would make pip refuse `--target`.
        .env("PIP_USER", "0")
        .env("PIP_REQUIRE_VIRTUALENV", "0")
        .args(["-m", "pip", "install", "--no-deps", "--only-binary=:all:", "--require-hashes"])
        .args(["--disable-pip-version-check", "--no-compile", "--quiet", "--target"])
        .arg(target_dir)
        .arg("-r")
        .arg(requirements)
        .output()
        .map_err(|e| format!("unicorn-engine-sys: cannot run `{python}` ({e}).\n{missing_pip}"))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.contains("No module named pip") {
        return Err(format!("unicorn-engine-sys: `{python} -m pip` is missing (No module named pip).\n{missing_pip}"));
    }
    Err(format!(
        "unicorn-engine-sys: `{python} -m pip install --no-deps --only-binary=:all: --require-hashes --target {} \
         -r {}` (unicorn=={WHEEL_VERSION}, sha256 {WHEEL_SHA256}) failed ({}); pip said:\n{stderr}\n\
         pip has to reach PyPI (or the index its PIP_INDEX_URL / PIP_FIND_LINKS settings name).\n{fallback}",
        target_dir.display(),
        requirements.display(),
        output.status
    ))
}

fn env_var(name: &str) -> Result<String, String> {
    env::var(name).map_err(|e| format!("unicorn-engine-sys: {name}: {e}"))
}
