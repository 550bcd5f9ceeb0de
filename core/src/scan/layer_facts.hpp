// What one layer yields, independent of every other layer, so it can be
// cached by the layer's digest: facts per file, file-level misconfigurations,
// and the layer's whiteouts (deletions of lower layers' files).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/cataloger.hpp"
#include "malware/layer_verdict.hpp"
#include "scan/layer_reader.hpp"

namespace regscan::malware {
class MalwareScanner;
}

namespace regscan::scan {

struct LayerFacts {
    std::map<std::string, catalog::FileFacts> files;            // every analysed file, facts or not
    std::map<std::string, std::vector<Misconfiguration>> findings;  // per file
    std::vector<std::string> deleted;                              // ".wh.<name>" targets
    std::vector<std::string> opaque_dirs;                          // ".wh..wh..opq" directories
    std::vector<std::string> notes;
    uint64_t entries = 0;
    // The memory held above, estimated (scan/facts_size,
    // limits::max_layer_kept_bytes).
    uint64_t kept_bytes = 0;
    // sha256 of the uncompressed tar, checked against the config's
    // rootfs.diff_ids; "" when the compression was not one regscan hashes.
    std::string diff_id;
    // What the malware engines found (--malware only). Not part of the JSON
    // below: it is cached apart, per signature-set version (LayerCache).
    std::optional<malware::LayerVerdict> malware;
};

// Bump when analysis changes, so cached facts of older versions are redone.
// 3: packages' licenses and dependencies, dpkg copyright files.
// 4: at most limits::max_layer_findings files with findings, the rest counted.
// 5: ".." clamped at the root (read where containerd extracts it); a pax hard
//    link with data, sparse data past an entry's size, a second compression
//    stage fail the layer: facts cached before would keep what was hidden.
// 6: a package's location capped (limits::max_echoed_value): facts cached
//    before keep a location as long as the tar header made it.
inline constexpr int layer_analysis_version = 6;

class LayerAnalyzer {
public:
    // With `malware`, every regular file is also shown to the engines, from
    // the same single read of the layer.
    explicit LayerAnalyzer(const malware::MalwareScanner* malware = nullptr);
    // Consumes the layer from `pipe`; throws std::runtime_error on a corrupt
    // stream, or one past limits::max_layer_entries or max_layer_kept_bytes.
    // `layer_digest` is recorded on every package found. `check` is called
    // as the layer is read and may throw to stop it (read_layer).
    [[nodiscard]] LayerFacts analyse(BytePipe& pipe, const std::string& layer_digest,
                                     const std::function<void()>& check = {}) const;

private:
    void record_replacement(const LayerEntry& entry, const std::string& dir, LayerFacts& facts) const;

    std::vector<std::unique_ptr<catalog::Cataloger>> catalogers_;
    const malware::MalwareScanner* malware_;
};

void to_json(nlohmann::json& j, const LayerFacts& facts);
// Leaves kept_bytes to whoever completes the facts (LayerCache::stored adds
// the malware verdict, kept apart, then counts them once).
void from_json(const nlohmann::json& j, LayerFacts& facts);

}  // namespace regscan::scan
