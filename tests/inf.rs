//! The driver INF (`inf/vmqnic.inx`) and its stamped form carry every section and key a network-class VMQ miniport needs; see <https://learn.microsoft.com/windows-hardware/drivers/network/standardized-inf-keywords-for-vmq>.
//!
//! The reader and the stamping step are xtask's own (`xtask/src/inf.rs`), so this test checks
//! exactly what `cargo xtask package` writes to `target/package/vmqnic/vmqnic.inf`.

#[allow(dead_code)]
#[path = "../xtask/src/inf.rs"]
mod inf;

use std::collections::BTreeMap;
use std::path::PathBuf;

use inf::{Date, Inf, InfSection, Stamp};

type Result<T = ()> = std::result::Result<T, String>;

fn inx_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("inf").join("vmqnic.inx")
}

fn read_inx() -> Result<String> {
    std::fs::read_to_string(inx_path()).map_err(|e| format!("{}: {e}", inx_path().display()))
}

fn section<'a>(inf: &'a Inf, name: &str) -> Result<&'a InfSection> {
    inf.section(name).ok_or_else(|| format!("missing section [{name}]"))
}

fn value<'a>(section: &'a InfSection, key: &str) -> Result<&'a str> {
    section.value(key).ok_or_else(|| format!("[{}] has no {key}", section.name))
}

/// The install section the root-enumerated hardware ID `root\vmqnic` selects, and the
/// models section it was found in.
fn install_section<'a>(inf: &'a Inf, arch: &str) -> Result<&'a InfSection> {
    let manufacturer = section(inf, "Manufacturer")?;
    let line = manufacturer.lines.first().ok_or("[Manufacturer] is empty")?;
    let (models, decorations) = line.values.split_first().ok_or("[Manufacturer] line has no models section")?;
    let decoration = decorations.first().ok_or("[Manufacturer] has no NT<arch> decoration")?;
    assert!(decoration.starts_with(&format!("NT{arch}.10.0...")), "decoration {decoration}");
    let models = section(inf, &format!("{models}.{decoration}"))?;
    let device = models
        .lines
        .iter()
        .find(|line| line.values.get(1).is_some_and(|id| id.eq_ignore_ascii_case("root\\vmqnic")))
        .ok_or("no model line for root\\vmqnic")?;
    let install = device.values.first().ok_or("model line without an install section")?;
    section(inf, install)
}

/// Every `AddReg` entry of the install section, keyed by (subkey, value name), lower case.
fn registry(inf: &Inf, install: &InfSection) -> Result<BTreeMap<(String, String), String>> {
    let mut entries = BTreeMap::new();
    for name in install.all_values("AddReg") {
        for entry in inf.reg_entries(name)? {
            assert_eq!(entry.root, "HKR", "AddReg outside HKR: {entry:?}");
            let value = inf.resolve(&entry.value);
            entries.insert((entry.subkey.to_ascii_lowercase(), entry.name.to_ascii_lowercase()), value);
        }
    }
    Ok(entries)
}

/// The checks that hold for the template and for the stamped INF alike.
fn check_common(text: &str, arch: &str) -> Result<Inf> {
    let inf = Inf::parse(text)?;
    let version = section(&inf, "Version")?;
    assert_eq!(value(version, "Signature")?, "$WINDOWS NT$");
    assert_eq!(value(version, "Class")?, "Net");
    assert!(value(version, "ClassGuid")?.eq_ignore_ascii_case("{4d36e972-e325-11ce-bfc1-08002be10318}"));
    assert_eq!(value(version, "PnpLockdown")?, "1");
    assert!(!inf.resolve(value(version, "Provider")?).starts_with('%'), "Provider string unresolved");

    let destination = section(&inf, "DestinationDirs")?;
    assert_eq!(value(destination, "DefaultDestDir")?, "13");

    let install = install_section(&inf, arch)?;
    assert_eq!(value(install, "Characteristics")?, "0x1", "NCF_VIRTUAL");
    assert_eq!(value(install, "*IfType")?, "6", "IF_TYPE_ETHERNET_CSMACD");
    assert_eq!(value(install, "*MediaType")?, "0", "NdisMedium802_3");
    assert_eq!(value(install, "*PhysicalMediaType")?, "14", "NdisPhysicalMedium802_3");
    let copy_files = value(install, "CopyFiles")?;
    assert_eq!(value(destination, copy_files)?, "13", "CopyFiles section goes to DIRID 13");
    let files = section(&inf, copy_files)?;
    assert!(
        files.lines.iter().any(|line| { line.values.first().is_some_and(|f| f.eq_ignore_ascii_case("vmqnic.sys")) })
    );

    let services = section(&inf, &format!("{}.Services", install.name))?;
    let add_service = services.values("AddService").ok_or("no AddService")?;
    assert_eq!(add_service.first().map(String::as_str), Some("vmqnic"));
    assert_eq!(add_service.get(1).map(String::as_str), Some("2"), "SPSVCINST_ASSOCSERVICE");
    let service = section(&inf, add_service.get(2).ok_or("AddService without a service section")?)?;
    assert_eq!(value(service, "ServiceType")?, "1");
    assert_eq!(value(service, "StartType")?, "3");
    assert_eq!(value(service, "ErrorControl")?, "1");
    assert!(value(service, "ServiceBinary")?.eq_ignore_ascii_case("%13%\\vmqnic.sys"));

    let registry = registry(&inf, install)?;
    let get = |subkey: &str, name: &str| {
        registry.get(&(subkey.to_ascii_lowercase(), name.to_ascii_lowercase())).map(String::as_str)
    };
    assert_eq!(get("Ndi", "Service"), Some("vmqnic"));
    assert_eq!(get("Ndi\\Interfaces", "UpperRange"), Some("ndis5"));
    assert_eq!(get("Ndi\\Interfaces", "LowerRange"), Some("ethernet"));
    for keyword in ["*VMQ", "*VMQVlanFiltering"] {
        let key = format!("Ndi\\Params\\{keyword}");
        let enum_key = format!("{key}\\Enum");
        assert!(get(&key, "ParamDesc").is_some_and(|d| !d.is_empty() && !d.starts_with('%')), "{keyword} ParamDesc");
        assert_eq!(get(&key, "Type"), Some("enum"), "{keyword} Type");
        assert_eq!(get(&key, "Default"), Some("1"), "{keyword} Default");
        assert_eq!(get(&enum_key, "0"), Some("Disabled"), "{keyword} value 0");
        assert_eq!(get(&enum_key, "1"), Some("Enabled"), "{keyword} value 1");
        let values = registry.keys().filter(|(subkey, _)| *subkey == enum_key.to_ascii_lowercase()).count();
        assert_eq!(values, 2, "{keyword} allows exactly 0 and 1");
    }

    check_jumbo_packet(&registry);

    // The hidden keyword must not be in the INF at all: no section, key, subkey or value.
    let forbidden = "*rssorvmqpreference";
    for section in &inf.sections {
        assert!(!section.name.to_ascii_lowercase().contains(forbidden));
        for line in &section.lines {
            let mentions = line.key.iter().chain(&line.values).any(|v| v.to_ascii_lowercase().contains(forbidden));
            assert!(!mentions, "line {} mentions *RssOrVmqPreference", line.number);
        }
    }

    // Every %string% token resolves.
    for section in inf.sections.iter().filter(|s| !s.name.eq_ignore_ascii_case("Strings")) {
        for value in section.lines.iter().flat_map(|line| &line.values) {
            if value.len() > 2
                && value.starts_with('%')
                && value.ends_with('%')
                && !value[1..value.len() - 1].chars().all(|c| c.is_ascii_digit())
            {
                assert_ne!(inf.resolve(value), *value, "unresolved string {value}");
            }
        }
    }
    Ok(inf)
}

#[test]
fn template_is_ascii_without_stamped_keys() -> Result {
    let text = read_inx()?;
    assert!(text.is_ascii(), "the .inx is kept ASCII");
    let inf = check_common(&text, "$ARCH$")?;
    let version = section(&inf, "Version")?;
    assert!(version.value("DriverVer").is_none(), "DriverVer is stamped, not written by hand");
    assert!(version.value("CatalogFile").is_none(), "CatalogFile is stamped, not written by hand");
    Ok(())
}

#[test]
fn stamped_inf_has_driver_ver_catalog_and_arch() -> Result {
    let stamp = Stamp {
        date: Date::from_unix_seconds(1_795_996_800),
        version: [0, 1, 0, 0],
        catalog: "vmqnic.cat".into(),
        arch: "amd64".into(),
    };
    let text = inf::stamp(&read_inx()?, &stamp)?;
    assert!(!text.contains("$ARCH$"));
    let inf = check_common(&text, "amd64")?;
    let version = section(&inf, "Version")?;
    assert_eq!(version.values("DriverVer"), Some(&["11/30/2026".to_owned(), "0.1.0.0".to_owned()][..]));
    assert_eq!(value(version, "CatalogFile")?, "vmqnic.cat");
    Ok(())
}

#[test]
fn packaged_inf_passes_the_same_checks_when_present() -> Result {
    // Written by `cargo xtask package`; absent on a fresh clone before the first package run.
    let packaged = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/package/vmqnic/vmqnic.inf");
    let Ok(text) = std::fs::read_to_string(&packaged) else {
        return Ok(());
    };
    let inf = check_common(&text, "amd64")?;
    let version = section(&inf, "Version")?;
    let driver_ver = version.values("DriverVer").ok_or("packaged INF has no DriverVer")?;
    let date = driver_ver.first().ok_or("empty DriverVer")?;
    assert!(date.len() == 10 && date.as_bytes()[2] == b'/' && date.as_bytes()[5] == b'/', "DriverVer date {date}");
    assert_eq!(driver_ver.get(1).map(|v| v.split('.').count()), Some(4), "DriverVer version w.x.y.z");
    assert_eq!(value(version, "CatalogFile")?, "vmqnic.cat");
    Ok(())
}

/// The 82576 model lines: one per id the driver claims (`backend::igb::nic::SUPPORTED_IDS`),
/// an install section for a physical PCI NIC ("INF File Settings": NCF_PHYSICAL, BusType 5)
/// with the same service and VMQ keywords, and MSI-X enabled in its `.HW` section ("Enabling
/// MSI in an INF": MSISupported 1, MessageNumberLimit at least one message per receive queue).
#[test]
fn every_82576_id_installs_the_physical_nic_with_msi_x_and_the_vmq_keywords() -> Result {
    let inf = Inf::parse(&read_inx()?)?;
    let models = section(&inf, "Standard.NT$ARCH$.10.0...16299")?;
    let mut ids: Vec<u16> = Vec::new();
    for line in &models.lines {
        let Some(id) = line.values.get(1).and_then(|v| v.strip_prefix("PCI\\VEN_8086&DEV_")) else { continue };
        assert_eq!(line.values.first().map(String::as_str), Some("igb.ndi"), "{id} installs igb.ndi");
        ids.push(u16::from_str_radix(id, 16).map_err(|e| format!("{id}: {e}"))?);
    }
    let mut claimed = vmqnic::backend::igb::nic::SUPPORTED_IDS.to_vec();
    claimed.sort_unstable();
    ids.sort_unstable();
    assert_eq!(ids, claimed, "the INF binds exactly the ids the driver probes");
    let install = section(&inf, "igb.ndi")?;
    assert_eq!(value(install, "Characteristics")?, "0x84", "NCF_PHYSICAL | NCF_HAS_UI");
    assert_eq!(value(install, "BusType")?, "5", "PCIBus");
    let registry = registry(&inf, install)?;
    for keyword in ["*VMQ", "*VMQVlanFiltering"] {
        let key = (format!("ndi\\params\\{}", keyword.to_ascii_lowercase()), "default".to_string());
        assert_eq!(registry.get(&key).map(String::as_str), Some("1"), "{keyword}");
    }
    check_jumbo_packet(&registry);
    let services = section(&inf, "igb.ndi.Services")?;
    assert_eq!(services.values("AddService").and_then(|v| v.first()).map(String::as_str), Some("vmqnic"));
    let hw = section(&inf, "igb.ndi.HW")?;
    let mut msi = BTreeMap::new();
    for name in hw.all_values("AddReg") {
        for entry in inf.reg_entries(name)? {
            msi.insert(entry.name.to_ascii_lowercase(), inf.resolve(&entry.value));
        }
    }
    assert_eq!(msi.get("msisupported").map(String::as_str), Some("1"));
    let limit: u32 = msi.get("messagenumberlimit").ok_or("no MessageNumberLimit")?.parse().map_err(|_| "limit")?;
    assert!(limit >= 10, "8 receive queues + transmit + other causes: {limit}");
    Ok(())
}

/// "Standardized INF Keywords for Jumbo Packet": `*JumboPacket` is an enumeration of frame sizes
/// without FCS, header included — 1514 (off, the default), 4088 and 9014 — and nothing else
/// (the driver reads any other value as 1514). Both install sections carry it.
fn check_jumbo_packet(registry: &BTreeMap<(String, String), String>) {
    let get = |subkey: &str, name: &str| {
        registry.get(&(subkey.to_ascii_lowercase(), name.to_ascii_lowercase())).map(String::as_str)
    };
    let key = "Ndi\\Params\\*JumboPacket";
    let enum_key = format!("{key}\\Enum");
    assert!(get(key, "ParamDesc").is_some_and(|d| !d.is_empty() && !d.starts_with('%')), "*JumboPacket ParamDesc");
    assert_eq!(get(key, "Type"), Some("enum"), "*JumboPacket Type");
    assert_eq!(get(key, "Default"), Some("1514"), "*JumboPacket Default");
    let values: Vec<&str> = registry
        .keys()
        .filter(|(subkey, _)| *subkey == enum_key.to_ascii_lowercase())
        .map(|(_, v)| v.as_str())
        .collect();
    let mut values = values;
    values.sort_unstable();
    assert_eq!(values, ["1514", "4088", "9014"], "*JumboPacket offers exactly 1514, 4088 and 9014");
    for value in values {
        assert!(get(&enum_key, value).is_some_and(|d| !d.is_empty() && !d.starts_with('%')), "{value} described");
    }
    let driver: Vec<String> = vmqnic::vmq::adapter::JUMBO_PACKET_VALUES.iter().map(u32::to_string).collect();
    assert_eq!(driver, ["1514", "4088", "9014"], "the INF offers what the driver accepts");
}
