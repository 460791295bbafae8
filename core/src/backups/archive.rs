//! The file work of backups, blocking (run on blocking threads): writing a data dir's zip,
//! extracting one, moving a directory's content.

use std::fs::{self, File};
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// The database files of a data dir: their snapshots go in a backup instead of them, and
/// their `-wal`/`-shm` companions never do.
pub(crate) const DB_FILES: &[&str] = &["data.db", "auxiliary.db"];

/// Whether `name` is a temp file of the local file store (`.{name}.tmp-{suffix}`).
fn is_temp_file(name: &str) -> bool {
    name.starts_with('.') && name.contains(".tmp-")
}

/// Whether the data dir's root entry `name` stays out of a backup.
fn skipped_root_entry(name: &str, exclude: &[String]) -> bool {
    exclude.iter().any(|e| e == name)
        || DB_FILES
            .iter()
            .any(|db| name == *db || name == format!("{db}-wal") || name == format!("{db}-shm"))
}

/// Writes a zip at `zip_path` holding the `snapshots` (`(name in the zip, file)`, the
/// databases' consistent copies) and every other file under `data_dir`, except the root
/// entries named in `exclude`, the live databases with their `-wal`/`-shm`, and the file
/// store's temp files. Deflate at its fastest level, as PocketBase does.
pub(crate) fn write_zip(
    zip_path: &Path,
    snapshots: &[(String, PathBuf)],
    data_dir: &Path,
    exclude: &[String],
) -> io::Result<()> {
    let mut zip = ZipWriter::new(BufWriter::new(File::create(zip_path)?));
    for (name, path) in snapshots {
        add_file(&mut zip, name, path)?;
    }
    let mut pending = vec![(data_dir.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = pending.pop() {
        let mut entries = fs::read_dir(&dir)?.collect::<Result<Vec<_>, _>>()?;
        entries.sort_by_key(fs::DirEntry::file_name);
        for entry in entries {
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if (prefix.is_empty() && skipped_root_entry(&name, exclude)) || is_temp_file(&name) {
                continue;
            }
            let kind = entry.file_type()?;
            let zip_name = format!("{prefix}{name}");
            if kind.is_dir() {
                pending.push((entry.path(), format!("{zip_name}/")));
            } else if kind.is_file() {
                match add_file(&mut zip, &zip_name, &entry.path()) {
                    // Removed meanwhile (a record's file deleted while the backup runs).
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    other => other?,
                }
            }
        }
    }
    let mut out = zip.finish().map_err(io::Error::other)?;
    io::Write::flush(&mut out)?;
    out.into_inner()
        .map_err(io::IntoInnerError::into_error)?
        .sync_all()
}

fn add_file<W: io::Write + io::Seek>(
    zip: &mut ZipWriter<W>,
    name: &str,
    path: &Path,
) -> io::Result<()> {
    let mut file = File::open(path)?;
    let size = file.metadata()?.len();
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(1))
        .large_file(size >= u64::from(u32::MAX));
    zip.start_file(name, options).map_err(io::Error::other)?;
    io::copy(&mut file, zip)?;
    Ok(())
}

/// Extracts the zip at `zip_path` into `dest` (created). Entries whose names would leave
/// `dest` (absolute, `..`) are skipped.
pub(crate) fn extract(zip_path: &Path, dest: &Path) -> io::Result<()> {
    fs::create_dir_all(dest)?;
    let mut archive = ZipArchive::new(File::open(zip_path)?).map_err(io::Error::other)?;
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(io::Error::other)?;
        let Some(relative) = entry.enclosed_name() else {
            continue;
        };
        let target = dest.join(relative);
        if entry.is_dir() {
            fs::create_dir_all(&target)?;
            continue;
        }
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        let mut out = File::create(&target)?;
        io::copy(&mut entry, &mut out)?;
    }
    Ok(())
}

/// Moves every entry of `src` into `dst` (created), except those named in `exclude`
/// (PocketBase's `osutils.MoveDirContent`).
pub(crate) fn move_dir_content(src: &Path, dst: &Path, exclude: &[String]) -> io::Result<()> {
    fs::create_dir_all(dst)?;
    for entry in fs::read_dir(src)? {
        let entry = entry?;
        let name = entry.file_name();
        if exclude.iter().any(|e| name.to_str() == Some(e.as_str())) {
            continue;
        }
        fs::rename(entry.path(), dst.join(&name))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zips_the_data_dir_without_the_excluded_entries_and_extracts_it() {
        let root = std::env::temp_dir().join(format!("basalt-archive-{}", std::process::id()));
        let data = root.join("pb_data");
        fs::create_dir_all(data.join("storage/c1/r1")).unwrap();
        fs::create_dir_all(data.join("backups")).unwrap();
        fs::write(data.join("data.db"), b"live").unwrap();
        fs::write(data.join("data.db-wal"), b"wal").unwrap();
        fs::write(data.join("storage/c1/r1/a.txt"), b"file").unwrap();
        fs::write(data.join("storage/c1/r1/.a.txt.tmp-0011"), b"partial").unwrap();
        fs::write(data.join("backups/old.zip"), b"old").unwrap();
        let snap = root.join("snap.db");
        fs::write(&snap, b"snapshot").unwrap();
        let zip = root.join("out.zip");
        write_zip(
            &zip,
            &[("data.db".into(), snap)],
            &data,
            &["backups".to_owned()],
        )
        .unwrap();
        let out = root.join("extracted");
        extract(&zip, &out).unwrap();
        assert_eq!(fs::read(out.join("data.db")).unwrap(), b"snapshot");
        assert_eq!(fs::read(out.join("storage/c1/r1/a.txt")).unwrap(), b"file");
        assert!(!out.join("data.db-wal").exists());
        assert!(!out.join("backups").exists());
        assert!(!out.join("storage/c1/r1/.a.txt.tmp-0011").exists());
        let moved = root.join("moved");
        move_dir_content(&out, &moved, &["storage".to_owned()]).unwrap();
        assert!(moved.join("data.db").exists() && out.join("storage").exists());
        fs::remove_dir_all(&root).unwrap();
    }
}
