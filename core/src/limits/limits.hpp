// Every bound regscan puts on what a registry sends it, in one place. A
// registry is hostile until proven otherwise: each body, listing, manifest and
// walk has a cap on its size, its count and its time, so one crafted answer
// can fail one image or one repository but never the run, the memory or the
// clock. docs/limits.md lists them with their flags; keep the two in step.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace regscan::limits {

inline constexpr size_t KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;

// The most bytes of one file read into memory for analysis; a constant
// because the catalogers check it too.
inline constexpr uint64_t analysed_file_size = 64ull * MiB;

// What one layer's tar may make regscan keep. No flag: no real layer comes
// near, and a gzip bomb of tar headers (a thousand to one) otherwise turns a
// small blob into millions of whiteouts or setuid entries held in memory.
// Tar entries of one layer: past it the image fails.
inline constexpr uint64_t max_layer_entries = 4'000'000;
// The memory one layer's facts hold (whiteouts, opaque directories,
// analysed files with their packages, files with findings, the malware
// verdict), estimated as they grow (scan/facts_size): past it the image
// fails. Caching a layer's facts (JSON, SQLite) takes several times their
// size again for a moment, hence bounds well below what a machine holds.
inline constexpr uint64_t max_layer_kept_bytes = 64ull * MiB;
// The same over every layer of one image (500 layers under their own bound
// would otherwise be held together until the fold).
inline constexpr uint64_t max_image_kept_bytes = 256ull * MiB;
// Layers' facts a run (or a worker, or serve) keeps in memory for its later
// images, estimated as above; older ones are read again from the state.
inline constexpr uint64_t max_cached_layer_bytes = 256ull * MiB;
// What a layer's compressed stream may make its decoder allocate: xz's
// dictionary, zstd's window. The stream names its own (an xz header may ask
// for 4 GiB, and filling it takes a small blob of zeros); xz -9 needs 65 MiB,
// zstd's own default bound is 128 MiB. Past it the image fails.
inline constexpr uint64_t max_layer_decoder_memory = 128ull * MiB;
// What libarchive may read for one tar entry's headers (pax, GNU long names,
// sparse maps, chains of special headers): it allocates for them before
// regscan sees the entry, and a GNU sparse map grows tenfold in memory.
// libarchive caps one pax or long-name header at 1 MiB; real ones take a few
// KiB. Past it the image fails.
inline constexpr uint64_t max_tar_header_bytes = 4ull * MiB;
// Files with findings (setuid, setgid, private keys, credential files)
// listed for one layer; the rest are counted in one note.
inline constexpr size_t max_layer_findings = 1000;

// A JSON document a registry sends (manifest, index, config, a plugin's
// listing page or API answer), checked before it is parsed: a parsed tree
// takes up to sixty times its text (a 16 MiB config of "{}," held 1 GB), and
// its size bound alone does not bound that. No flag: real documents hold a
// few thousand values, a listing page of 100,000 tags as many.
inline constexpr size_t max_registry_json_depth = 64;
inline constexpr size_t max_registry_json_values = 500'000;
// Why `text`, a JSON document from a registry, is past those bounds
// ("more than 500000 JSON values"), or nullopt. One linear pass.
std::optional<std::string> registry_json_problem(std::string_view text);

// A token service's answer (real ones are a few KiB): each token is kept
// as a log secret for as long as it may appear.
inline constexpr size_t max_token_response = 256 * KiB;

// A value outputs echo that an image or a registry chose: a finding's detail
// and location (an image config's User, an Env or label name, a file's path),
// a package's location and a malware finding's path (a layer's tar names),
// and a failure's text (an error quoting an answer), as the log line, the
// reports, the state and serve's pages show it. Longer is cut at a UTF-8
// boundary, a marker saying how many bytes were left out, where the value
// becomes data (echoed() below; log/secrets for a log line and a failure's
// text): a 16 MiB User otherwise went whole into every report.
inline constexpr size_t max_echoed_value = 4 * KiB;
// `text` as outputs may echo it: util::capped at max_echoed_value. Capping
// it again changes nothing.
std::string echoed(std::string_view text);
// A log line is its message and its " key=value" fields (image=, error=,
// ...): each is capped at max_echoed_value, so a long value a registry chose
// (a refused repository's name, an error quoting an answer) leaves the fields
// after it whole; the line at this many bytes, before its control characters
// are escaped, for a line of many long fields.
inline constexpr size_t max_log_line = 4 * max_echoed_value;

struct Limits {
    // --- bodies, counted after Content-Encoding is decoded ---
    // A manifest or index (--max-manifest-size); 4 MiB is what the OCI
    // distribution spec tells registries to accept at most.
    size_t max_manifest_size = 4 * MiB;
    // An image config (--max-config-size); a long history still fits.
    size_t max_config_size = 16 * MiB;
    // One listing, all its pages together: the catalog, or one repository's
    // tags, or a vendor API walk for one repository (--max-listing-size).
    size_t max_listing_size = 16 * MiB;
    // Any other buffered body (token answers, vendor API calls outside a
    // listing); no flag: nothing legitimate comes near it.
    size_t max_body_size = 16 * MiB;
    // An error body is kept only for the message: the rest is not read.
    size_t max_error_body = 64 * KiB;

    // --- manifests ---
    size_t max_layers = 500;          // layers of one image manifest (--max-layers)
    size_t max_index_entries = 1000;  // entries of one index (--max-index-entries)

    // --- discovery ---
    size_t max_repositories = 100000;  // --max-repositories: the first N are kept
    size_t max_listed_tags = 100000;   // per repository (--max-listed-tags)
    size_t max_listing_pages = 10000;  // requests of one listing (--max-listing-pages)
    size_t max_plugin_data = 64 * KiB;  // a repository's SDK 1.2 plugin_data, serialized
    std::chrono::seconds listing_timeout{600};     // one listing (--listing-timeout)
    std::chrono::seconds discovery_timeout{7200};  // all of discovery (--discovery-timeout)

    // --- layer content ---
    // A file a cataloger or check reads into memory; a larger one is not
    // analysed and the image says so (never a silent "no packages").
    uint64_t max_analysed_file_size = analysed_file_size;
    // A config value (label, Env entry, history line) that the config checks
    // look at; the rest of a longer value is not examined.
    size_t max_checked_value = 64 * KiB;

    // --- malware (--malware): libclamav's engine limits, at ClamAV's own
    // defaults. A file past one is reported incomplete with the reason,
    // never clean (libclamav's exceeds-max alert is on).
    // A file larger than this is not examined (--malware-max-file-size).
    uint64_t malware_max_file_size = 100 * MiB;
    // Bytes examined of one file, archive members included (--malware-max-scan-size).
    uint64_t malware_max_scan_size = 400 * MiB;
    // Archives within archives (--malware-max-recursion).
    uint32_t malware_max_recursion = 17;
    // Members examined in one archive (--malware-max-files).
    uint32_t malware_max_files = 10000;
    // Time examining one file, per engine (--malware-file-timeout).
    std::chrono::seconds malware_file_timeout{120};
};

// The compiled-in defaults, for code that has no run options (tests, db).
inline const Limits& defaults() {
    static const Limits limits;
    return limits;
}

// "4M", "512K", "1G", "1048576": a size in bytes (binary suffixes). Throws
// std::invalid_argument with the reason.
size_t parse_size(const std::string& text);

// Whether a duration flag may be zero ("every time", as --docker-refresh 0).
enum class ZeroDuration { refused, allowed };

// "90s", "5m", "2h", "30" (seconds): a positive duration (or zero where
// allowed). Throws std::invalid_argument with the reason.
std::chrono::seconds parse_duration(const std::string& text, ZeroDuration zero = ZeroDuration::refused);

}  // namespace regscan::limits
