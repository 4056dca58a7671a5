//! `cloumer-package appimage` makes an image that starts: a tiny AppDir whose AppRun prints
//! its arguments, packed, then run as a user without FUSE would run it
//! (APPIMAGE_EXTRACT_AND_RUN=1). The studio's own image is started by scripts/appimage-test.sh.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use cloumer_testkit::{require_programs, skip_unless};

const PACKAGE: &str = env!("CARGO_BIN_EXE_cloumer-package");

fn write_executable(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[test]
fn an_appdir_becomes_an_appimage_that_runs() {
    skip_unless!(require_programs(&["mksquashfs"]));
    let dir = tempfile::tempdir().expect("temp dir");
    let appdir = dir.path().join("tiny.AppDir");
    std::fs::create_dir_all(appdir.join("usr/bin")).expect("AppDir");
    write_executable(
        &appdir.join("usr/bin/hello"),
        "#!/bin/sh\necho \"hello from the image: $*\"\n",
    );
    write_executable(
        &appdir.join("AppRun"),
        "#!/bin/sh\nexec \"$(dirname \"$0\")/usr/bin/hello\" \"$@\"\n",
    );
    let image = dir.path().join("tiny.AppImage");

    let built = Command::new(PACKAGE)
        .arg("appimage")
        .arg(&appdir)
        .arg(&image)
        .output()
        .expect("run cloumer-package");
    assert!(
        built.status.success(),
        "cloumer-package failed: {}",
        String::from_utf8_lossy(&built.stderr)
    );

    // A type-2 AppImage: an ELF runtime with "AI" 2 at offset 8, then the squashfs.
    let bytes = std::fs::read(&image).expect("read the image");
    assert_eq!(&bytes[..4], b"\x7fELF");
    assert_eq!(&bytes[8..11], b"AI\x02");
    assert!(
        bytes.windows(4).any(|w| w == b"hsqs"),
        "no squashfs superblock in the image"
    );
    assert!(
        std::fs::metadata(&image)
            .expect("stat")
            .permissions()
            .mode()
            & 0o111
            != 0,
        "not executable"
    );
    // Staging is cleaned up: only the AppDir and the image are left.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("ls")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(left.len(), 2, "left behind: {left:?}");

    let run = Command::new(&image)
        .arg("one two")
        .env("APPIMAGE_EXTRACT_AND_RUN", "1")
        .env("TMPDIR", dir.path())
        .output()
        .expect("run the image");
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "the image failed: {out} {}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(out.trim(), "hello from the image: one two");
}

#[test]
fn a_directory_without_apprun_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(PACKAGE)
        .arg("appimage")
        .arg(dir.path())
        .arg(dir.path().join("x.AppImage"))
        .output()
        .expect("run cloumer-package");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no executable AppRun"));
    assert!(!dir.path().join("x.AppImage").exists());
}

#[test]
fn wrong_arguments_print_the_usage() {
    let out = Command::new(PACKAGE)
        .arg("deb")
        .output()
        .expect("run cloumer-package");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage: cloumer-package appimage"));
}
